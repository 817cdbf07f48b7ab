"""Reads for the annotate page: the article's statements as rows (speaker, addressee, annotator and
conditions joined), one statement's verdicts and discussion, the user's assignment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    F,
    Q,
    QuerySet,
)

from statements import permissions
from statements.models import (
    AnchorState,
    Article,
    ArticleAssignment,
    Comment,
    Condition,
    Review,
    Stance,
    Statement,
    Status,
    User,
    label_of,
)
from statements.permissions import AnyUser


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
    return permissions.is_blind(user, article)


@dataclass(slots=True)
class ConditionRow:
    pk: int
    description: str
    evidence_start: int | None
    evidence_end: int | None
    evidence_quote: str
    # Orphaned evidence (issue 14): its span and quote are this old text revision's, not the
    # article's current text: never drawn (rendering.py), shown as orphaned in the list entry.
    evidence_orphan_of_id: int | None = None

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
        return label_of(Stance, self.stance)

    @property
    def status_label(self) -> str:
        return label_of(Status, self.status)

    def as_statement(self, article: Article) -> Statement:
        """An unsaved stand-in with the fields permissions.can_edit_statement() reads."""
        return Statement(pk=self.pk, annotator_id=self.annotator_id, is_gold=self.is_gold, article=article)


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
    "conditions__evidence_orphan_of_id",
)


def article_page_rows(
    article: Article,
    user: AnyUser,
    *,
    mine: bool = False,
    gold: bool = False,
    ids: Sequence[int] | None = None,
    regions: Sequence[tuple[int, int]] | None = None,
) -> list[StatementRow]:
    """The statements of `article` that `user` may see (only their own with `mine`, only gold
    ones with `gold`, only `ids`, in that order, when given; only those whose span or a
    condition's evidence overlaps one of `regions`, code-point [start, end) ranges, when given:
    what a save redraws), in text order, with speaker, addressee, annotator and conditions, as
    plain rows: one query however many there are."""
    qs = _page_statements(article, user, mine=mine, gold=gold)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if regions is not None:
        near = Q(pk__in=[])
        for a, b in regions:
            evidence = Condition.objects.filter(
                evidence_start__lt=b, evidence_end__gt=a, evidence_orphan_of__isnull=True
            ).values("statement_id")
            near |= Q(start__lt=b, end__gt=a) | Q(pk__in=evidence)
        qs = qs.filter(near)
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
            row = rows[pk] = StatementRow(  # type: ignore[call-arg]
                *head,  # pk … note, in _ROW_FIELDS order
                speaker or "",
                addressee or "",
                annotator_id,
                names[annotator_id],
            )
        if values[14] is not None:
            row.conditions.append(ConditionRow(*values[14:]))
    if ids is not None:
        return [rows[i] for i in ids if i in rows]
    return list(rows.values())


def _page_statements(article: Article, user: AnyUser, *, mine: bool, gold: bool) -> QuerySet[Statement]:
    qs = Statement.objects.filter(article=article).filter(permissions.visible_statements_q(user))
    qs = qs.exclude(anchor_state=AnchorState.ORPHAN)  # no span in the current text (issue 14)
    if mine:
        qs = qs.filter(annotator_id=user.pk)
    if gold:
        qs = qs.filter(is_gold=True)
    return qs


def page_counts(article: Article, user: AnyUser, *, mine: bool = False, gold: bool = False) -> dict[str, int]:
    """How many statements of each stance the annotate page's layer shows (one aggregate
    query): the legend and the list heading after a save, without reading every row."""
    counts = _page_statements(article, user, mine=mine, gold=gold).values("stance").annotate(n=Count("id"))
    return {row["stance"]: row["n"] for row in counts.order_by()}


def next_in_list(
    article: Article, user: AnyUser, row: StatementRow, *, mine: bool = False, gold: bool = False
) -> int | None:
    """The id of the statement after `row` in the list's text order (start, longest first, id),
    or None when it is the last: where a saved statement's entry goes (one query)."""
    after = (
        Q(start__gt=row.start)
        | Q(start=row.start, end__lt=row.end)
        | Q(start=row.start, end=row.end, pk__gt=row.pk)
    )
    return (
        _page_statements(article, user, mine=mine, gold=gold)
        .filter(after)
        .order_by("start", "-end", "id")
        .values_list("pk", flat=True)
        .first()
    )


def stored_version(pk: int) -> tuple[Statement, str]:
    """A statement as stored now (speaker, addressee, conditions), and who changed it last:
    the other side of a version conflict on the edit form. Three queries."""
    stored = (
        Statement.objects.select_related("speaker", "addressee").prefetch_related("conditions").get(pk=pk)
    )
    last = stored.events.order_by("-id").select_related("user").first()
    return stored, str(last.user) if last is not None else ""


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
        statement.speaker.name if statement.speaker else "",
        statement.addressee.name if statement.addressee else "",
        statement.annotator_id,
        str(statement.annotator),
        [
            ConditionRow(
                c.pk,
                c.description,
                c.evidence_start,
                c.evidence_end,
                c.evidence_quote,
                c.evidence_orphan_of_id,
            )
            for c in statement.conditions.all()
        ],
    )
