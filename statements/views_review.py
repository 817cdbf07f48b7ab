"""The review workflow's pages: the review queue, the analyst's feedback, one statement's activity
(verdicts, discussion, history), an article's history and its blind double-annotation assignments.

Same conventions as statements/views.py: typed function views, one template per page, htmx
fragments are `{% partialdef %}` blocks of that template chosen by the element an htmx request
swaps (HX-Target); writes are POST only, go through statements/services.py and answer htmx with
a fragment (errors with status 422, which base.html tells htmx to swap), plain forms with a
redirect. Visibility follows `permissions.visible_statements_q` (blind double annotation): a
statement hidden from a user does not exist for them (404); an action beyond their role is a 403
and changes nothing.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest, Substr
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event
from django_htmx.middleware import HtmxDetails

from statements import permissions, review, services
from statements.models import (
    VERDICT_STATUS,
    Actor,
    Article,
    Condition,
    EventAction,
    Review,
    Role,
    Stance,
    Statement,
    StatementEvent,
    Status,
    User,
    Verdict,
)

# htmx-aware: a signed-out htmx request gets HX-Redirect to sign in, never a 302 into a fragment
from statements.views import login_required, safe_next

QUEUE_PAGE = "statements/review_queue.html"
FEEDBACK_PAGE = "statements/feedback.html"
ACTIVITY_PAGE = "statements/statement_activity.html"
HISTORY_PAGE = "statements/article_history.html"
ASSIGNMENTS_PAGE = "statements/assignments.html"
QUEUE_PAGE_SIZE = 20
FEEDBACK_PAGE_SIZE = 20
HISTORY_PAGE_SIZE = 50
# Counts stop at a cap ("99+" in the top bar, "1,000+" on the queue): a COUNT over at most
# cap + 1 rows stays cheap with 100,000 statements pending, and nobody needs the exact figure.
BADGE_CAP = 99
COUNT_CAP = 1000
CONTEXT_LIMIT = 400  # characters of context on each side, as review.quote_context's default

STANCE_LABELS = dict(Stance.choices)
STATUS_LABELS = dict(Status.choices)
# A verdict as the outcome it gives ("Accepted", "Changes requested"): lists of verdicts read
# better that way than as the buttons' imperatives.
VERDICT_GIVEN = {verdict: STATUS_LABELS[status] for verdict, status in VERDICT_STATUS.items()}


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _target(request: HtmxHttpRequest) -> str | None:
    """The id of the element an htmx request swaps (HX-Target), or None for the whole page.
    A history-restore request comes from htmx but wants the whole page."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return htmx.target
    return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _given(reviews: Any) -> Any:
    """Set `given` (the verdict in the past tense) on each review, for the templates."""
    for r in reviews:
        r.given = VERDICT_GIVEN.get(r.verdict, r.verdict)
    return reviews


def _announce(response: HttpResponse, message: str) -> HttpResponse:
    """Ask the page to announce `message` in its status toast (see static/js/review.js)."""
    return trigger_client_event(response, "annotator:status", {"message": message})


# --------------------------------------------------------------------------------------------
# Quotes in context, without loading whole articles


def with_context_window(statements: QuerySet[Statement]) -> QuerySet[Statement]:
    """`statements` (with `article` joined) annotated with `ctx_lo` and `ctx_window`: the part of
    the article text that `review.quote_context` looks at (2 × CONTEXT_LIMIT characters each
    side), cut by the database, so a page of quotes never loads whole 500,000-character texts.
    Substr counts characters (code points) on PostgreSQL and SQLite alike, as our offsets do."""
    lo = Greatest(F("start") - 2 * CONTEXT_LIMIT, Value(0))
    return statements.defer("article__text").annotate(
        ctx_lo=lo,
        ctx_window=Substr("article__text", lo + 1, F("end") + 2 * CONTEXT_LIMIT - lo),
    )


def context_of(statement: Statement) -> tuple[str, str]:
    """(before, after) of a statement loaded through `with_context_window` (no query); the
    same text as `review.quote_context(article.text, start, end)`."""
    lo = statement.ctx_lo
    return review.quote_context(
        statement.ctx_window, statement.start - lo, statement.end - lo, limit=CONTEXT_LIMIT
    )


def _visible(user: Any) -> QuerySet[Statement]:
    return Statement.objects.filter(permissions.visible_statements_q(user))


def get_visible_statement(request: HttpRequest, pk: int, *, window: bool = False) -> Statement:
    """The statement `pk` with what these pages show of it, if the user may see it; 404
    otherwise (a statement hidden by blind annotation does not exist for them). One query,
    plus one for its conditions."""
    qs = (
        _visible(request.user)
        .select_related("article", "speaker", "addressee", "annotator")
        .prefetch_related(Prefetch("conditions", queryset=Condition.objects.order_by("position", "id")))
    )
    qs = with_context_window(qs) if window else qs.defer("article__text")
    return get_object_or_404(qs, pk=pk)


def _is_blind(user: Any, article_id: int) -> bool:
    """Whether others' work on the article is hidden from `user` (one query; none for leads)."""
    return permissions.is_blind(user, article_id)


def _own_refs(user: Any, article_id: int) -> QuerySet[StatementEvent]:
    """Ids (statement_ref) of the statements `user` made on the article, deleted ones included:
    the user of a statement's creating event is its annotator."""
    return StatementEvent.objects.filter(
        article_id=article_id, user_id=user.pk, action__in=[EventAction.CREATED, EventAction.ADJUDICATED]
    ).values("statement_ref")


# --------------------------------------------------------------------------------------------
# The review queue


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, read from a query string (GET) or from a review form (POST), and
    `after`: the id the page starts after (keyset pagination, see `review_queue`)."""

    article: int | None = None
    annotator: int | None = None
    speaker: int | None = None
    stance: str = ""
    after: int | None = None

    @classmethod
    def parse(cls, params: QueryDict) -> QueueFilters:
        stance = params.get("stance", "")
        return cls(
            article=_int_or_none(params.get("article")),
            annotator=_int_or_none(params.get("annotator")),
            speaker=_int_or_none(params.get("speaker")),
            stance=stance if stance in Stance.values else "",
            after=_int_or_none(params.get("after")),
        )

    @property
    def for_queue(self) -> dict[str, Any]:
        return {
            "article": self.article,
            "annotator": self.annotator,
            "speaker": self.speaker,
            "stance": self.stance,
        }

    @property
    def active(self) -> bool:
        return any(self.for_queue.values())

    @property
    def params(self) -> list[tuple[str, Any]]:
        """The non-empty filters (and `after`) as (name, value): for hidden fields and URLs."""
        values = {**self.for_queue, "after": self.after}
        return [(k, v) for k, v in values.items() if v not in (None, "")]

    def url(self, **changes: Any) -> str:
        """The queue's address with these filters, changed by `changes` (None clears one)."""
        query = urlencode(dataclasses.replace(self, **changes).params)
        return reverse("review_queue") + (f"?{query}" if query else "")


@dataclass
class QueueItem:
    """One entry of the queue: the statement with its context, and, after a POST, the verdict
    given (`review`) or the errors to show with what the reviewer typed."""

    statement: Statement
    before: str = ""
    after: str = ""
    review: Review | None = None
    errors: list[str] = field(default_factory=list)
    comment: str = ""
    armed: str = ""  # the verdict that failed for want of a comment: Enter re-sends it
    filter_url: str = ""  # the queue narrowed to this item's article


def _item(statement: Statement, filters: QueueFilters, **kwargs: Any) -> QueueItem:
    before, after = context_of(statement)
    item = QueueItem(statement, before, after, **kwargs)
    item.filter_url = filters.url(article=statement.article_id, after=None)
    return item


def _queue_items(user: Any, filters: QueueFilters) -> tuple[list[QueueItem], bool]:
    """One page of the queue after `filters.after`, and whether more follow.

    Ordered by id rather than review_queue's (created_at, id): the same order (ids grow with
    creation), but served by the (status, id) index, and a stable key for "next": items leave
    the queue as they are reviewed, which would make page numbers skip items.
    Queries: the page (article window, speaker, addressee, annotator joined), its conditions.
    """
    qs = review.review_queue(user, filters=filters.for_queue).order_by("id")
    if filters.after is not None:
        qs = qs.filter(pk__gt=filters.after)
    rows = list(with_context_window(qs)[: QUEUE_PAGE_SIZE + 1])
    items = [_item(s, filters) for s in rows[:QUEUE_PAGE_SIZE]]
    return items, len(rows) > QUEUE_PAGE_SIZE


def _queue_count(user: Any, filters: QueueFilters) -> int:
    """How many statements await `user`'s review under the filters, up to COUNT_CAP + 1 (one
    COUNT query over at most that many rows)."""
    return review.review_queue(user, filters=filters.for_queue).order_by()[: COUNT_CAP + 1].count()


def _count_label(count: int) -> str:
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def _queue_context(
    request: HttpRequest,
    filters: QueueFilters,
    *,
    errors: dict[int, QueueItem] | None = None,
    page_errors: list[str] | None = None,
) -> dict[str, Any]:
    """The `results` fragment. Queries: the count, the page, its conditions, and the filtered
    article's title when there is an article filter."""
    user = request.user
    items, has_more = _queue_items(user, filters)
    for item in items:
        failed = (errors or {}).get(item.statement.pk)
        if failed is not None:
            item.errors, item.comment, item.armed = failed.errors, failed.comment, failed.armed
    return {
        "items": items,
        "count": (count := _queue_count(user, filters)),
        "count_label": _count_label(count),
        "next_url": filters.url(after=items[-1].statement.pk) if has_more else "",
        "first_url": filters.url(after=None) if filters.after else "",
        "all_articles_url": filters.url(article=None, after=None),
        "filters": filters,
        "article": (
            Article.objects.only("pk", "title").filter(pk=filters.article).first()
            if filters.article
            else None
        ),
        "can_review": permissions.can_review(user),
        "page_errors": page_errors or [],
    }


def _filter_choices(user: Any) -> dict[str, Any]:
    """Options of the annotator and speaker filters (two small queries)."""
    annotators = (
        User.objects.filter(is_active=True)
        .filter(Q(role__in=[Role.ANALYST, Role.LEAD]) | Q(is_superuser=True))
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "username")
    )
    return {
        "annotators": [(u.pk, str(u)) for u in annotators],
        "speakers": list(Actor.objects.order_by("name").values_list("pk", "name")),
        "stances": Stance.choices,
    }


def _badge(count: int) -> str:
    return "" if count <= 0 else f"{BADGE_CAP}+" if count > BADGE_CAP else str(count)


def _badge_count(user: Any) -> int:
    """The top bar's pending count, capped: COUNT over at most BADGE_CAP + 1 rows."""
    if not permissions.can_review(user):
        return 0
    return review.review_queue(user).order_by()[: BADGE_CAP + 1].count()


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    """Other analysts' statements awaiting review, oldest first, with their context and a
    verdict form each. Fragments: `results` (filters and "next"), `nav_count` (the top bar's
    badge, which base.html loads lazily so that no other page pays for the count)."""
    target = _target(request)
    if target == "review-count":
        return render(request, f"{QUEUE_PAGE}#nav_count", {"badge": _badge(_badge_count(request.user))})
    filters = QueueFilters.parse(request.GET)
    context = _queue_context(request, filters)
    if target == "results":
        return render(request, f"{QUEUE_PAGE}#results", context)
    context.update(_filter_choices(request.user))
    return render(request, QUEUE_PAGE, context)


@login_required
@require_POST
def statement_review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Accept, reject or request changes (POST verdict, comment, and the queue's filters to go
    back to). htmx gets the item back: its verdict, or the form with the service's errors (422)."""
    user = request.user
    if not permissions.can_review(user):
        raise PermissionDenied("Viewers cannot review.")
    statement = get_visible_statement(request, pk, window=True)
    verdict = request.POST.get("verdict", "")
    comment = request.POST.get("comment", "")
    filters = QueueFilters.parse(request.POST)
    try:
        given = services.statement_review(
            statement=statement, reviewer=user, verdict=verdict, comment=comment
        )
    except ValidationError as exc:
        failed = _item(
            statement,
            filters,
            errors=exc.messages,
            comment=comment,
            armed=verdict if verdict in (Verdict.REJECT, Verdict.REQUEST_CHANGES) else "",
        )
        if request.htmx:
            context = {"item": failed, "filters": filters, "can_review": True}
            return render(request, f"{QUEUE_PAGE}#item", context, status=422)
        context = _queue_context(
            request,
            filters,
            errors={pk: failed},
            page_errors=[f"#{pk} “{_short(statement.quote)}”: {m}" for m in exc.messages],
        )
        context.update(_filter_choices(user))
        return render(request, QUEUE_PAGE, context, status=422)
    _given([given])
    message = f"{given.given}: “{_short(statement.quote, 50)}”."
    if request.htmx:
        statement.status = given.statement.status
        count = _queue_count(user, filters)
        context = {
            "item": _item(statement, filters, review=given),
            "filters": filters,
            "can_review": True,
            "count": count,
            "count_label": _count_label(count),
            "badge": _badge(_badge_count(user)) if filters.active else _badge(count),
            "oob": True,
        }
        return _announce(render(request, f"{QUEUE_PAGE}#item", context), message)
    messages.success(request, message)
    return redirect(safe_next(request) or filters.url())


# --------------------------------------------------------------------------------------------
# Feedback


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def feedback(request: HtmxHttpRequest) -> HttpResponse:
    """The signed-in analyst's statements that got verdicts or comments from others, newest
    activity first, with the counts that need their attention. Fragment: `results`.
    Queries: the status counts (one aggregate), then the page: count, statements, reviews,
    comments."""
    user = request.user
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    qs = (
        review.feedback_for(user)
        .defer("article__text")
        .annotate(
            activity=Greatest(Coalesce("last_review", "updated_at"), Coalesce("last_comment", "updated_at"))
        )
    )
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-activity", "-id"), FEEDBACK_PAGE_SIZE).get_page(request.GET.get("page"))
    for s in page:
        _given(s.reviews.all())
    counts = Statement.objects.filter(annotator_id=user.pk, is_gold=False).aggregate(
        **{value: Count("pk", filter=Q(status=value)) for value in Status.values}
    )
    context = {
        "page": page,
        "status": status,
        "status_label": STATUS_LABELS.get(status, ""),
        "counts": counts,
        # what needs the analyst's attention first
        "summary": [
            (value, STATUS_LABELS[value], counts[value])
            for value in (Status.CHANGES_REQUESTED, Status.REJECTED, Status.ACCEPTED, Status.PENDING)
        ],
    }
    if _target(request) == "results":
        return render(request, f"{FEEDBACK_PAGE}#results", context)
    return render(request, FEEDBACK_PAGE, context)


# --------------------------------------------------------------------------------------------
# History, readably


@dataclass
class Change:
    """One field of a history entry: before → after (None: not shown), or, for conditions,
    the ones removed and added."""

    label: str
    before: str | None = None
    after: str | None = None
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return bool(self.removed or self.added)


@dataclass
class EventView:
    event: StatementEvent
    changes: list[Change] = field(default_factory=list)  # what an edit or a review changed
    state: list[Change] = field(default_factory=list)  # the whole statement (created, deleted)
    verdict: str = ""
    verdict_label: str = ""
    comment: str = ""
    sources: list[int] = field(default_factory=list)
    label: str = ""  # the statement, for pages listing several (the article history)

    @property
    def action_label(self) -> str:
        if self.event.action == EventAction.UPDATED:
            return "Edited"
        return self.event.get_action_display()


def _condition_text(c: dict[str, Any]) -> str:
    text = c.get("description") or ""
    quote = c.get("evidence_quote") or ""
    if quote and quote != text:
        text += f" (evidence: “{quote}”)"
    return text


def _person(snapshot: dict[str, Any], role: str) -> str:
    return snapshot.get(f"{role}_name") or ("Unknown" if role == "speaker" else "")


def _state(snapshot: dict[str, Any] | None) -> list[Change]:
    """A whole snapshot as labelled values (the fields an analyst recognises)."""
    s = snapshot or {}
    if "quote" not in s:
        return []
    out = [
        Change("Quote", after=s["quote"]),
        Change("Span", after=f"{s.get('start')}–{s.get('end')}"),
        Change("Stance", after=STANCE_LABELS.get(s.get("stance"), s.get("stance") or "")),
        Change("Speaker", after=_person(s, "speaker")),
        Change("Addressee", after=_person(s, "addressee")),
    ]
    conditions = [_condition_text(c) for c in s.get("conditions") or []]
    if conditions:
        out.append(Change("Conditions", added=conditions))
    if s.get("note"):
        out.append(Change("Note", after=s["note"]))
    out.append(Change("Status", after=STATUS_LABELS.get(s.get("status"), s.get("status") or "")))
    return out


def _diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """What an edit changed, field by field, with names instead of ids and conditions compared
    as lists (removed, added; a mere reordering says so)."""
    b, a = before or {}, after or {}
    out: list[Change] = []
    if b.get("quote") != a.get("quote"):
        out.append(Change("Quote", b.get("quote") or "", a.get("quote") or ""))
    if (b.get("start"), b.get("end")) != (a.get("start"), a.get("end")):
        out.append(Change("Span", f"{b.get('start')}–{b.get('end')}", f"{a.get('start')}–{a.get('end')}"))
    if b.get("stance") != a.get("stance"):
        out.append(
            Change("Stance", STANCE_LABELS.get(b.get("stance"), ""), STANCE_LABELS.get(a.get("stance"), ""))
        )
    for role, label in (("speaker", "Speaker"), ("addressee", "Addressee")):
        if b.get(role) != a.get(role) or b.get(f"{role}_name") != a.get(f"{role}_name"):
            out.append(Change(label, _person(b, role), _person(a, role)))
    old = [_condition_text(c) for c in b.get("conditions") or []]
    new = [_condition_text(c) for c in a.get("conditions") or []]
    if old != new:
        removed = list((Counter(old) - Counter(new)).elements())
        added = list((Counter(new) - Counter(old)).elements())
        if removed or added:
            out.append(Change("Conditions", removed=removed, added=added))
        else:
            out.append(Change("Conditions", "; ".join(old), "; ".join(new) + " (reordered)"))
    if (b.get("note") or "") != (a.get("note") or ""):
        out.append(Change("Note", b.get("note") or "", a.get("note") or ""))
    if b.get("status") != a.get("status") and "status" in a:
        out.append(
            Change("Status", STATUS_LABELS.get(b.get("status"), ""), STATUS_LABELS.get(a.get("status"), ""))
        )
    if bool(b.get("is_gold")) != bool(a.get("is_gold")) and "is_gold" in a:
        out.append(Change("Gold", "yes" if b.get("is_gold") else "no", "yes" if a.get("is_gold") else "no"))
    return out


def describe_event(event: StatementEvent) -> EventView:
    """A history entry as the pages show it (no query)."""
    view = EventView(event=event)
    before, after = event.before or {}, event.after or {}
    if event.action in (EventAction.CREATED, EventAction.ADJUDICATED):
        view.state = _state(after)
        view.sources = list(before.get("sources") or [])
    elif event.action == EventAction.DELETED:
        view.state = _state(before)
    elif event.action == EventAction.REVIEWED:
        view.verdict = after.get("verdict") or ""
        view.verdict_label = VERDICT_GIVEN.get(view.verdict, view.verdict)
        view.comment = after.get("comment") or ""
        view.changes = _diff({"status": before.get("status")}, {"status": after.get("status")})
    else:
        view.changes = _diff(before, after)
    return view


# --------------------------------------------------------------------------------------------
# One statement's activity: the statement, its verdicts, its discussion, its history


def activity_context(
    request: HttpRequest, statement: Statement, *, comment_errors: list[str] | None = None, body: str = ""
) -> dict[str, Any]:
    """Everything the `activity` partial of statements/statement_activity.html shows, for a
    statement the user may see. Another page includes that partial with:

        statement = get_visible_statement(request, pk, window=True)  # window: quote in context
        context = activity_context(request, statement)
        {% include "statements/statement_activity.html#activity" %}

    Queries: reviews (with reviewers), comments (with authors), history (with users)."""
    user = request.user
    reviews = _given(list(statement.reviews.select_related("reviewer").order_by("created_at", "id")))
    comments = list(statement.comments.select_related("author").order_by("created_at", "id"))
    events = StatementEvent.objects.filter(statement_ref=statement.pk).select_related("user")
    before, after = context_of(statement) if hasattr(statement, "ctx_window") else ("", "")
    return {
        "statement": statement,
        "context_before": before,
        "context_after": after,
        "reviews": reviews,
        "comments": comments,
        "events": [describe_event(e) for e in events.order_by("created_at", "id")],
        "reviewer_ids": {r.reviewer_id for r in reviews},
        "can_comment": permissions.can_comment(user, statement),
        "can_edit": permissions.can_edit_statement(user, statement),
        "comment_errors": comment_errors or [],
        "body": body,
    }


def _deleted_history_url(request: HttpRequest, pk: int) -> str | None:
    """For a deleted statement the user could have seen: its entries on the article's history."""
    deleted = StatementEvent.objects.filter(statement_ref=pk, action=EventAction.DELETED).first()
    if deleted is None:
        return None
    user = request.user
    if (
        _is_blind(user, deleted.article_id)
        and not _own_refs(user, deleted.article_id).filter(statement_ref=pk).exists()
    ):
        return None
    return f"{reverse('article_history', args=[deleted.article_id])}?{urlencode({'statement': pk})}"


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def statement_activity(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One statement: itself in context, its verdicts, the discussion, its history. A deleted
    statement's address leads to its entries on the article's history. Fragment: the thread."""
    try:
        statement = get_visible_statement(request, pk, window=True)
    except Http404:
        url = _deleted_history_url(request, pk)
        if url is None:
            raise
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = activity_context(request, statement)
    if _target(request) == f"thread-{pk}":
        return render(request, f"{ACTIVITY_PAGE}#thread", context)
    return render(request, ACTIVITY_PAGE, context)


@login_required
@require_POST
def comment_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Add a message to a statement's discussion (POST body). htmx gets the thread back."""
    statement = get_visible_statement(request, pk, window=not request.htmx)
    if not permissions.can_comment(request.user, statement):
        raise PermissionDenied("Viewers cannot comment.")
    body = request.POST.get("body", "")
    try:
        services.comment_add(statement=statement, author=request.user, body=body)
    except ValidationError as exc:
        context = activity_context(request, statement, comment_errors=exc.messages, body=body)
        if request.htmx:
            return render(request, f"{ACTIVITY_PAGE}#thread", context, status=422)
        return render(request, ACTIVITY_PAGE, context, status=422)
    if request.htmx:
        context = activity_context(request, statement)
        return _announce(render(request, f"{ACTIVITY_PAGE}#thread", context), "Comment added.")
    messages.success(request, "Comment added.")
    return redirect(f"{reverse('statement_activity', args=[pk])}#thread-{pk}")


# --------------------------------------------------------------------------------------------
# An article's history, deleted statements included


def _event_labels(events: list[StatementEvent]) -> dict[int, str]:
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


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def article_history(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Every recorded create, edit, review, adjudication and deletion on an article's statements,
    newest first; `?statement=ID` keeps one statement's (also a deleted one's), `?deleted=1`
    only deleted statements'. Blind annotation: an analyst who has not finished the article
    sees only the history of their own statements. Fragment: `results`.
    Queries: the article, whether the user is blind (not for leads), the count, the page (user
    and statement joined), and the labels of deleted statements seen only through reviews."""
    article = get_object_or_404(Article.objects.defer("text"), pk=pk)
    user = request.user
    events = StatementEvent.objects.filter(article=article)
    blind = _is_blind(user, article.pk)
    if blind:
        events = events.filter(statement_ref__in=_own_refs(user, article.pk))
    ref = _int_or_none(request.GET.get("statement"))
    if ref is not None:
        events = events.filter(statement_ref=ref)
    only_deleted = request.GET.get("deleted") == "1"
    if only_deleted:
        deleted = StatementEvent.objects.filter(article=article, action=EventAction.DELETED)
        events = events.filter(statement_ref__in=deleted.values("statement_ref"))
    page = Paginator(
        events.select_related("user", "statement").order_by("-created_at", "-id"),
        HISTORY_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    labels = _event_labels(list(page))
    entries = []
    for event in page:
        view = describe_event(event)
        view.label = labels.get(event.statement_ref, "")
        entries.append(view)
    context = {
        "article": article,
        "page": page,
        "entries": entries,
        "blind": blind,
        "ref": ref,
        "only_deleted": only_deleted,
        "filtered": ref is not None or only_deleted,
    }
    if _target(request) == "results":
        return render(request, f"{HISTORY_PAGE}#results", context)
    return render(request, HISTORY_PAGE, context)


# --------------------------------------------------------------------------------------------
# Blind double annotation: who annotates an article, who finished


def _assignments_context(
    request: HttpRequest, article: Article, *, errors: list[str] | None = None
) -> dict[str, Any]:
    """Queries: the assignments (analyst, assigner joined); for leads, statements per analyst on
    the article and the analysts who could still be assigned."""
    user = request.user
    assignments = list(
        article.assignments.select_related("analyst", "assigned_by").order_by("assigned_at", "id")
    )
    lead = permissions.can_manage_assignments(user)
    if lead:
        counts = dict(
            Statement.objects.filter(article=article, is_gold=False)
            .values_list("annotator_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for a in assignments:
            a.n_statements = counts.get(a.analyst_id, 0)
        taken = [a.analyst_id for a in assignments]
        candidates = list(
            User.objects.filter(is_active=True)
            .filter(Q(role__in=[Role.ANALYST, Role.LEAD]) | Q(is_superuser=True))
            .exclude(pk__in=taken)
            .order_by("first_name", "last_name", "username")
        )
    else:
        candidates = []
    mine = next((a for a in assignments if a.analyst_id == user.pk), None)
    return {
        "article": article,
        "assignments": assignments,
        "mine": mine,
        "is_lead": lead,
        "candidates": candidates,
        "finished_count": sum(1 for a in assignments if a.is_finished),
        "errors": errors or [],
    }


def _assignments_response(
    request: HtmxHttpRequest, article: Article, *, errors: list[str] | None = None, message: str = ""
) -> HttpResponse:
    """After a POST: the `assignments` fragment for htmx (422 with errors), the page for a plain
    form with errors, a redirect to it otherwise."""
    if errors:
        context = _assignments_context(request, article, errors=errors)
        name = f"{ASSIGNMENTS_PAGE}#assignments" if request.htmx else ASSIGNMENTS_PAGE
        return render(request, name, context, status=422)
    if request.htmx:
        return _announce(
            render(request, f"{ASSIGNMENTS_PAGE}#assignments", _assignments_context(request, article)),
            message,
        )
    messages.success(request, message)
    return redirect(safe_next(request) or reverse("article_assignments", args=[article.pk]))


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request", "HX-Target")
def article_assignments(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Who annotates the article blind and who finished. POST (leads): assign an analyst."""
    article = get_object_or_404(Article.objects.defer("text"), pk=pk)
    if request.method == "POST":
        if not permissions.can_manage_assignments(request.user):
            raise PermissionDenied("Only a lead can assign articles.")
        analyst = User.objects.filter(pk=_int_or_none(request.POST.get("analyst"))).first()
        if analyst is None:
            return _assignments_response(request, article, errors=["Choose an analyst to assign."])
        try:
            services.assignment_create(article=article, analyst=analyst, user=request.user)
        except ValidationError as exc:
            return _assignments_response(request, article, errors=exc.messages)
        return _assignments_response(request, article, message=f"{analyst} is assigned to this article.")
    context = _assignments_context(request, article)
    if _target(request) == "assignments":
        return render(request, f"{ASSIGNMENTS_PAGE}#assignments", context)
    return render(request, ASSIGNMENTS_PAGE, context)


@login_required
@require_POST
def assignment_finish(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Mark one's own work on the article finished (`finished=1`), which reveals the others'
    statements, or reopen it (`finished=0`), which hides them again."""
    article = get_object_or_404(Article.objects.defer("text"), pk=pk)
    if not permissions.can_annotate(request.user):
        raise PermissionDenied("Viewers are not assigned to articles.")
    finished = request.POST.get("finished", "1") != "0"
    try:
        services.assignment_finish(article=article, user=request.user, finished=finished)
    except ValidationError as exc:
        return _assignments_response(request, article, errors=exc.messages)
    message = (
        "Marked finished: the other analysts’ statements are visible to you now."
        if finished
        else "Reopened: the other analysts’ statements are hidden again until you finish."
    )
    return _assignments_response(request, article, message=message)
