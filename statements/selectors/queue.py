"""Reads for the review pages: the review queue, an analyst's feedback, a visible statement with
its text window, and the article history's references and labels. Each says its queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
)
from django.db.models.functions import Greatest, Substr
from django.shortcuts import get_object_or_404

from statements.models import (
    Comment,
    EventAction,
    Review,
    Statement,
    StatementEvent,
    User,
)
from statements.permissions import AnyUser
from statements.selectors import catalog

# Characters of context on each side of a quote on the review pages (presenters.context cuts the
# sentences out of the window this module has the database cut).
CONTEXT_LIMIT = 400


def review_queue(user: User, *, filters: dict | None = None) -> QuerySet[Statement]:
    """Other people's statements awaiting review that `user` may see, oldest first.

    Awaiting review means pending (new, or edited after a verdict) and not in a unit a lead has
    closed (adjudicated into gold or dismissed: `Statement.objects.awaiting_review`). Gold
    statements are never in the queue (viewers read it; reviewing is for the project's analysts
    and leads). `filters`
    may hold project, article, annotator, speaker (ids) and stance.
    One query for the page of statements (article, speaker, addressee, annotator joined) and one
    prefetch for their conditions.
    """
    qs = (
        catalog.visible_statements(user)
        .awaiting_review()
        .exclude(annotator_id=user.pk)
        .for_display()
        .order_by("created_at", "id")
    )
    if (filters or {}).get("project"):
        qs = qs.filter(article__project_id=filters["project"])  # type: ignore[index]
    for key in ("article", "annotator", "speaker"):
        value = (filters or {}).get(key)
        if value:
            qs = qs.filter(**{f"{key}_id": value})
    stance = (filters or {}).get("stance")
    if stance:
        qs = qs.filter(stance=stance)
    return qs


def feedback_for(user: User, project: int | None = None) -> QuerySet[Statement]:
    """`user`'s own statements that someone reviewed or commented on, latest activity first, in
    the projects they still belong to (in `project`, when given).

    Queries: the statements (article, speaker joined), then prefetches of their reviews (with
    reviewer) and comments (with author): three, whatever the number of rows.
    """
    reviewed = Review.objects.filter(statement=OuterRef("pk"))
    commented = Comment.objects.filter(statement=OuterRef("pk")).exclude(author=user)
    return (
        catalog.visible_statements(user, project)
        .filter(annotator=user)
        .filter(Exists(reviewed) | Exists(commented))
        .annotate(last_review=Max("reviews__created_at"), last_comment=Max("comments__created_at"))
        .select_related("article", "speaker", "addressee")
        .prefetch_related(
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer").order_by("created_at")),
            Prefetch("comments", queryset=Comment.objects.select_related("author").order_by("created_at")),
        )
        .order_by("-updated_at", "-id")
    )


def with_context_window(statements: QuerySet[Statement]) -> QuerySet[Statement]:
    """`statements` (with `article` joined) annotated with `ctx_lo` and `ctx_window`: the part of
    the article text that `context.quote_context` looks at (2 × CONTEXT_LIMIT characters each
    side), cut by the database, so a page of quotes never loads whole 500,000-character texts.
    Substr counts characters (code points) on PostgreSQL and SQLite alike, as our offsets do."""
    lo = Greatest(F("start") - 2 * CONTEXT_LIMIT, Value(0))
    return statements.defer("article__text").annotate(
        ctx_lo=lo,
        ctx_window=Substr("article__text", lo + 1, F("end") + 2 * CONTEXT_LIMIT - lo),
    )


def own_refs(user: AnyUser, article_id: int) -> QuerySet[StatementEvent, dict[str, Any]]:
    """Ids (statement_ref) of the statements `user` made on the article, deleted ones included:
    the user of a statement's creating event is its annotator."""
    return StatementEvent.objects.filter(  # type: ignore[misc, return-value]
        article_id=article_id, user_id=user.pk, action__in=[EventAction.CREATED, EventAction.ADJUDICATED]
    ).values("statement_ref")


def event_labels(events: list[StatementEvent]) -> dict[int, str]:
    """A quote for each statement_ref among `events`: the statement's, or its last snapshot's;
    for a deleted statement seen only through reviews, its deletion snapshot (one query, only
    then)."""
    labels: dict[int, str] = {}
    for e in events:
        if e.statement is not None:
            labels.setdefault(e.statement_ref, e.statement.quote)
        for snapshot in (e.after, e.before):
            if snapshot and "quote" in snapshot:
                labels.setdefault(e.statement_ref, snapshot["quote"])
    missing = {e.statement_ref for e in events} - labels.keys()
    if missing:
        for ref, before in StatementEvent.objects.filter(
            statement_ref__in=missing, action=EventAction.DELETED
        ).values_list("statement_ref", "before"):
            labels[ref] = (before or {}).get("quote", "")
    return labels


def visible_statement(user: AnyUser, pk: int, *, window: bool = False) -> Statement:
    """The statement `pk` as the review pages show it, if `user` may see it; 404 otherwise (a
    statement hidden by blind annotation does not exist for them). With `window`, the article
    text around the quote (see `with_context_window`) instead of none of it. One query, plus
    one for its conditions."""
    qs = catalog.visible_statements(user).for_display()
    shown = with_context_window(qs) if window else qs.defer("article__text")
    return get_object_or_404(shown, pk=pk)
