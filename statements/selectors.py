"""Reads for the pages, scoped to what a user may see, in a fixed number of queries.

Every function here that reads statements (or things hanging off them: conditions, counts)
filters them with `permissions.visible_statements_q(user)`, so the blind double annotation rule
holds on every page: a count, a condition or a highlight of a hidden statement never shows.
Writes are not here: they go through statements/services.py.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
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
from django.utils.safestring import SafeString, mark_safe

from statements import permissions
from statements.highlight import segments
from statements.models import (
    Actor,
    ActorAlias,
    Article,
    ArticleAssignment,
    Condition,
    Stance,
    Statement,
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


def article_statements(article: Article, user: AnyUser, *, mine: bool = False) -> list[Statement]:
    """The statements of `article` that `user` may see, in text order, with speaker, addressee,
    annotator and conditions: two queries however many there are."""
    qs = Statement.objects.for_article_page(article).filter(permissions.visible_statements_q(user))
    if mine:
        qs = qs.filter(annotator_id=user.pk)
    return list(qs)


def statements_by_ids(article: Article, user: AnyUser, ids: Sequence[int]) -> list[Statement]:
    """The visible statements of `article` among `ids`, in the order given (two queries)."""
    if not ids:
        return []
    qs = Statement.objects.for_article_page(article).filter(permissions.visible_statements_q(user))
    by_id = {s.pk: s for s in qs.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def is_blind(user: AnyUser, article: Article) -> bool:
    """Whether others' statements on `article` are hidden from `user` (one query, none for leads)."""
    if permissions.is_lead(user) or not user.is_authenticated:
        return False
    return ArticleAssignment.objects.filter(
        article=article, analyst_id=user.pk, finished_at__isnull=True
    ).exists()


@dataclass(frozen=True, slots=True)
class _Span:
    """A statement, or the evidence of one of its conditions, as a span for `segments()`."""

    pk: tuple[int, int]  # (0, statement id) or (1, condition id): unique across both kinds
    start: int
    end: int
    statement: Statement
    evidence: bool


def highlighted_text(text: str, statements: Iterable[Statement]) -> SafeString:
    """The article text as HTML with one <mark> per segment covered by statements or evidence.

    Only text and <mark> elements: the container's textContent stays exactly `text`, which is
    what the browser measures selections against. Built in Python rather than a template loop
    because it runs once per segment (thousands on a busy article) and must stay fast.

    A mark carries `data-ids` (the statements covering it, innermost first), `data-ev` (the
    statements whose condition evidence covers it), its colour from the innermost statement's
    stance and `hl-start` where a statement begins, so adjacent spans stay distinguishable.
    """
    spans: list[_Span] = []
    for s in statements:
        spans.append(_Span((0, s.pk), s.start, s.end, s, False))
        for c in s.conditions.all():
            if c.evidence_start is not None:
                spans.append(_Span((1, c.pk), c.evidence_start, c.evidence_end, s, True))
    esc = html.escape
    out: list[str] = []
    for seg in segments(text, spans):
        body = esc(seg.text, quote=False)
        if not seg.spans:
            out.append(body)
            continue
        covering = sorted(
            (m for m in seg.spans if not m.evidence), key=lambda m: (m.end - m.start, m.statement.pk)
        )
        evidence_of = sorted({m.statement.pk for m in seg.spans if m.evidence})
        ev_attr = f' data-ev="{" ".join(map(str, evidence_of))}"' if evidence_of else ""
        if not covering:
            out.append(f'<mark class="ev"{ev_attr}>{body}</mark>')
            continue
        inner = covering[0].statement
        classes = f"hl s-{inner.stance}"
        if len(covering) > 1:
            classes += " d2" if len(covering) == 2 else " d3"
        if any(m.start == seg.start for m in covering):
            classes += " hl-start"
        ids = " ".join(str(m.statement.pk) for m in covering)
        title = "; ".join(
            f"{m.statement.get_stance_display()}: {m.statement.speaker or 'unknown speaker'}"
            for m in covering
        )
        out.append(f'<mark class="{classes}" data-ids="{ids}"{ev_attr} title="{esc(title)}">{body}</mark>')
    return mark_safe("".join(out))  # every piece of text above is escaped


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
