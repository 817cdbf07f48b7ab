"""Reads for the pages, scoped to what a user may see, in a fixed number of queries.

Every function here that reads statements (or things hanging off them: conditions, counts)
filters them with `permissions.visible_statements_q(user)`, so the blind double annotation rule
holds on every page: a count, a condition or a highlight of a hidden statement never shows.
Writes are not here: they go through statements/services.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from statements import permissions
from statements.models import (
    Actor,
    ActorAlias,
    Article,
    ArticleAssignment,
    Comment,
    Condition,
    Review,
    Stance,
    Statement,
    Status,
    User,
)

if TYPE_CHECKING:
    from statements.permissions import AnyUser


def visible_statements(user: AnyUser) -> QuerySet[Statement]:
    """The statements `user` may see (blind double annotation rule applied)."""
    return Statement.objects.filter(permissions.visible_statements_q(user))


def _count_of(statements: QuerySet[Statement], group_by: str) -> Coalesce:
    """A correlated `COUNT(*)` of `statements` (already filtered on an OuterRef) as an annotation."""
    counted = statements.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# --------------------------------------------------------------------------------------------
# Articles


def article_rows(
    user: AnyUser, *, q: str = "", source: str = "", actor_id: int | None = None
) -> QuerySet[Article]:
    """Articles for the list page, newest first, with counts of the statements `user` may see:
    `n_statements`, `n_support`, `n_caveat`, `n_demand` and `n_mine` (their own).

    One query: the counts are correlated subqueries, evaluated only for the rows of the page
    (a GROUP BY over every statement would aggregate the whole corpus before the LIMIT). The
    body text is deferred: a list never needs half a megabyte per row.
    """
    visible = visible_statements(user).filter(article=OuterRef("pk"))
    qs = Article.objects.only("id", "title", "source", "published", "dateline", "language").annotate(
        n_statements=_count_of(visible, "article"),
        n_support=_count_of(visible.filter(stance=Stance.SUPPORT), "article"),
        n_caveat=_count_of(visible.filter(stance=Stance.CAVEAT), "article"),
        n_demand=_count_of(visible.filter(stance=Stance.DEMAND), "article"),
        n_mine=_count_of(visible.filter(annotator_id=user.pk), "article"),
    )
    q = q.strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(text__icontains=q))
    if source:
        qs = qs.filter(source=source)
    if actor_id is not None:
        qs = qs.filter(Exists(visible.filter(Q(speaker_id=actor_id) | Q(addressee_id=actor_id))))
    return qs.order_by("-published", "-id")


def article_sources() -> list[str]:
    """Every outlet named by an article, for the source filter (one query)."""
    return list(
        Article.objects.exclude(source="").order_by("source").values_list("source", flat=True).distinct()
    )


def actor_choices() -> list[tuple[int, str]]:
    """(id, name) of every actor, by name, for filters and the affiliation select (one query)."""
    return list(Actor.objects.order_by("name").values_list("pk", "name"))


# --------------------------------------------------------------------------------------------
# The article (annotate) page


def assignment_for(user: AnyUser, article: Article) -> ArticleAssignment | None:
    """`user`'s assignment to `article`, if any (one query; none for anonymous users)."""
    if not user.is_authenticated:
        return None
    return ArticleAssignment.objects.filter(article=article, analyst_id=user.pk).first()


def statement_activity(statement_id: int) -> dict:
    """The verdicts (with reviewers) and the discussion (with authors) of one statement: two
    queries, for the side panel of the annotate page."""
    return {
        "reviews": list(
            Review.objects.filter(statement_id=statement_id)
            .select_related("reviewer")
            .annotate(current_version=F("statement__version"))
            .order_by("created_at", "id")
        ),
        "comments": list(
            Comment.objects.filter(statement_id=statement_id)
            .select_related("author")
            .order_by("created_at", "id")
        ),
    }


def is_blind(user: AnyUser, article: Article) -> bool:
    """Whether others' statements on `article` are hidden from `user` (one query, none for leads)."""
    return permissions.is_blind(user, article.pk)


@dataclass(slots=True)
class ConditionRow:
    pk: int
    description: str
    evidence_start: int | None
    evidence_end: int | None
    evidence_quote: str

    @property
    def has_evidence(self) -> bool:
        return self.evidence_start is not None


@dataclass(slots=True)
class StatementRow:
    """What the annotate page shows of one statement (highlight, list entry, panel): plain
    values, no model instances, because building thousands of those would cost more than the
    whole page."""

    pk: int
    start: int
    end: int
    quote: str
    stance: str
    status: str
    is_gold: bool
    note: str
    speaker_name: str
    addressee_name: str
    annotator_id: int
    annotator_name: str
    conditions: list[ConditionRow] = field(default_factory=list)

    @property
    def stance_label(self) -> str:
        return STANCE_LABELS.get(self.stance, self.stance)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    def as_statement(self) -> Statement:
        """An unsaved stand-in with the fields permissions.can_edit_statement() reads."""
        return Statement(pk=self.pk, annotator_id=self.annotator_id, is_gold=self.is_gold)


STANCE_LABELS = dict(Stance.choices)
STATUS_LABELS = dict(Status.choices)
_ROW_FIELDS = (
    "pk",
    "start",
    "end",
    "quote",
    "stance",
    "status",
    "is_gold",
    "note",
    "speaker__name",
    "addressee__name",
    "annotator_id",
    "annotator__first_name",
    "annotator__last_name",
    "annotator__username",
    # LEFT JOIN conditions: one row per condition (or one with NULLs), so statements and their
    # conditions come in a single query
    "conditions__pk",
    "conditions__description",
    "conditions__evidence_start",
    "conditions__evidence_end",
    "conditions__evidence_quote",
)


def article_page_rows(
    article: Article, user: AnyUser, *, mine: bool = False, ids: Sequence[int] | None = None
) -> list[StatementRow]:
    """The statements of `article` that `user` may see (only their own with `mine`, only `ids`,
    in that order, when given), in text order, with speaker, addressee, annotator and
    conditions, as plain rows: one query however many there are."""
    qs = Statement.objects.filter(article=article).filter(permissions.visible_statements_q(user))
    if mine:
        qs = qs.filter(annotator_id=user.pk)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    names: dict[int, str] = {}
    rows: dict[int, StatementRow] = {}
    ordered = qs.order_by("start", "-end", "id", "conditions__position", "conditions__id")
    for values in ordered.values_list(*_ROW_FIELDS):
        pk = values[0]
        row = rows.get(pk)
        if row is None:
            *head, speaker, addressee, annotator_id, first, last, username = values[:14]
            if annotator_id not in names:  # User.__str__, once per annotator
                names[annotator_id] = str(User(first_name=first, last_name=last, username=username))
            row = rows[pk] = StatementRow(
                *head, speaker or "", addressee or "", annotator_id, names[annotator_id]
            )
        if values[14] is not None:
            row.conditions.append(ConditionRow(*values[14:]))
    if ids is not None:
        return [rows[i] for i in ids if i in rows]
    return list(rows.values())


def statement_row(statement: Statement) -> StatementRow:
    """The row of one statement already loaded with its speaker, addressee, annotator and
    conditions (no query)."""
    return StatementRow(
        statement.pk,
        statement.start,
        statement.end,
        statement.quote,
        statement.stance,
        statement.status,
        statement.is_gold,
        statement.note,
        statement.speaker.name if statement.speaker_id else "",
        statement.addressee.name if statement.addressee_id else "",
        statement.annotator_id,
        str(statement.annotator),
        [
            ConditionRow(c.pk, c.description, c.evidence_start, c.evidence_end, c.evidence_quote)
            for c in statement.conditions.all()
        ],
    )


# --------------------------------------------------------------------------------------------
# Actors


def actor_rows(user: AnyUser, *, q: str = "", kind: str = "") -> QuerySet[Actor]:
    """Actors for the list page with their affiliation, aliases (prefetched) and the number of
    visible statements they speak in (`n_statements`): two queries."""
    spoken = visible_statements(user).filter(speaker=OuterRef("pk"))
    qs = Actor.objects.search(q).with_aliases().annotate(n_statements=_count_of(spoken, "speaker"))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("name")


def actor_matches(q: str, *, limit: int = 8) -> tuple[list[Actor], bool]:
    """Actors whose name or an alias contains `q`, best first (exact, then prefix, then the
    rest), and whether one of them is called exactly `q`. For the speaker picker: two queries."""
    q = " ".join(q.split())
    if not q:
        return [], False
    exact_alias = ActorAlias.objects.filter(actor=OuterRef("pk"), name__iexact=q)
    prefix_alias = ActorAlias.objects.filter(actor=OuterRef("pk"), name__istartswith=q)
    actors = list(
        Actor.objects.search(q)
        .with_aliases()
        .annotate(
            rank=Case(
                When(Q(name__iexact=q) | Q(Exists(exact_alias)), then=Value(0)),
                When(Q(name__istartswith=q) | Q(Exists(prefix_alias)), then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "name")[:limit]
    )
    return actors, bool(actors) and actors[0].rank == 0


# --------------------------------------------------------------------------------------------
# Conditions


def conditions_for(user: AnyUser) -> QuerySet[Condition]:
    """The conditions of the statements `user` may see."""
    return Condition.objects.filter(statement__in=visible_statements(user).values("pk"))


def condition_rows(conditions: QuerySet[Condition]) -> QuerySet[Condition]:
    """Conditions with their statement, its speaker, addressee, annotator and article (without
    the article text) in one query, grouped by speaker (unknown speakers last), then newest
    article first and in text order."""
    return (
        conditions.select_related(
            "statement",
            "statement__speaker",
            "statement__speaker__affiliation",
            "statement__addressee",
            "statement__annotator",
            "statement__article",
        )
        .defer("statement__article__text")
        .order_by(
            F("statement__speaker__name").asc(nulls_last=True),
            "statement__speaker_id",
            "-statement__article__published",
            "statement__article_id",
            "statement__start",
            "statement_id",
            "position",
            "id",
        )
    )


def condition_speaker_counts(conditions: QuerySet[Condition]) -> list[dict]:
    """Per speaker: how many conditions, and how many on each stance (one aggregate query)."""
    return list(
        conditions.order_by()
        .values("statement__speaker_id", "statement__speaker__name")
        .annotate(
            n=Count("pk"),
            n_support=Count("pk", filter=Q(statement__stance=Stance.SUPPORT)),
            n_caveat=Count("pk", filter=Q(statement__stance=Stance.CAVEAT)),
            n_demand=Count("pk", filter=Q(statement__stance=Stance.DEMAND)),
        )
        .order_by("-n", "statement__speaker__name")
    )


def actor_with_members(actor_id: int) -> set[int]:
    """`actor_id` and every actor affiliated with it, directly or through others (one query)."""
    children: dict[int, list[int]] = {}
    for pk, parent in Actor.objects.filter(affiliation__isnull=False).values_list("pk", "affiliation_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = {actor_id}, [actor_id]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found
