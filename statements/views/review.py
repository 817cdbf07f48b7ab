"""The review queue (with inline verdicts) and the analyst's feedback page.

Same conventions as every page module (views/__init__.py): typed function views, one template per page, htmx
fragments are `{% partialdef %}` blocks of that template chosen by the element an htmx request
swaps (HX-Target); writes are POST only, go through statements/services/ and answer htmx with
a fragment (errors with status 422, which base.html tells htmx to swap), plain forms with a
redirect. Visibility follows `permissions.visible_statements_q` (blind double annotation): a
statement hidden from a user does not exist for them (404); an action beyond their role is a 403
and changes nothing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Q,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from statements import permissions, services
from statements.models import (
    Actor,
    Project,
    Review,
    Stance,
    Statement,
    Status,
    Verdict,
    label_of,
)
from statements.presenters import context, history
from statements.selectors import catalog, queue
from statements.views.http import (
    HtmxHttpRequest,
    announce,
    current_project,
    fragment_target,
    login_required,
    parse_id,
    safe_next,
)

QUEUE_PAGE = "statements/review_queue.html"
FEEDBACK_PAGE = "statements/feedback.html"
QUEUE_PAGE_SIZE = 20
FEEDBACK_PAGE_SIZE = 20
# Counts stop at a cap ("99+" in the top bar, "1,000+" on the queue): a COUNT over at most
# cap + 1 rows stays cheap with 100,000 statements pending, and nobody needs the exact figure.
BADGE_CAP = 99
COUNT_CAP = 1000


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# The review queue


@dataclass(frozen=True)
class QueueFilters:
    """The queue's filters, read from a query string (GET) or from a review form (POST), and
    `after`: the id the page starts after (keyset pagination, see `review_queue`)."""

    project: int | None = None
    article: int | None = None
    annotator: int | None = None
    speaker: int | None = None
    stance: str = ""
    after: int | None = None

    @classmethod
    def parse(cls, params: QueryDict, project: Project | None = None) -> QueueFilters:
        stance = params.get("stance", "")
        return cls(
            project=project.pk if project else None,
            article=parse_id(params.get("article")),
            annotator=parse_id(params.get("annotator")),
            speaker=parse_id(params.get("speaker")),
            stance=stance if stance in Stance.values else "",
            after=parse_id(params.get("after")),
        )

    @property
    def for_queue(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "article": self.article,
            "annotator": self.annotator,
            "speaker": self.speaker,
            "stance": self.stance,
        }

    @property
    def active(self) -> bool:
        return any(v for k, v in self.for_queue.items() if k != "project")

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
    before, after = context.context_of(statement)
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
    qs = queue.review_queue(user, filters=filters.for_queue).order_by("id")
    if filters.after is not None:
        qs = qs.filter(pk__gt=filters.after)
    rows = list(queue.with_context_window(qs)[: QUEUE_PAGE_SIZE + 1])
    items = [_item(s, filters) for s in rows[:QUEUE_PAGE_SIZE]]
    return items, len(rows) > QUEUE_PAGE_SIZE


def _queue_count(user: Any, filters: QueueFilters) -> int:
    """How many statements await `user`'s review under the filters, up to COUNT_CAP + 1 (one
    COUNT query over at most that many rows)."""
    return queue.review_queue(user, filters=filters.for_queue).order_by()[: COUNT_CAP + 1].count()


def _count_label(count: int) -> str:
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def _queue_context(
    request: HtmxHttpRequest,
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
            catalog.visible_articles(user).only("pk", "title").filter(pk=filters.article).first()
            if filters.article
            else None
        ),
        "can_review": permissions.can_review(user),
        "page_errors": page_errors or [],
    }


def _filter_choices(user: Any, project: int | None) -> dict[str, Any]:
    """Options of the annotator and speaker filters (two small queries)."""
    annotators = catalog.annotators(project, seen_by=user).exclude(pk=user.pk)
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
    return queue.review_queue(user).order_by()[: BADGE_CAP + 1].count()


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def review_queue(request: HtmxHttpRequest) -> HttpResponse:
    """Other analysts' statements awaiting review, oldest first, with their context and a
    verdict form each. Fragments: `results` (filters and "next"), `nav_count` (the top bar's
    badge, which base.html loads lazily so that no other page pays for the count)."""
    target = fragment_target(request)
    if target == "review-count":
        return render(request, f"{QUEUE_PAGE}#nav_count", {"badge": _badge(_badge_count(request.user))})
    filters = QueueFilters.parse(request.GET, current_project(request))
    context = _queue_context(request, filters)
    if target == "results":
        return render(request, f"{QUEUE_PAGE}#results", context)
    context.update(_filter_choices(request.user, filters.project))
    return render(request, QUEUE_PAGE, context)


@login_required
@require_POST
def statement_review(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Accept, reject or request changes (POST verdict, comment, and the queue's filters to go
    back to). htmx gets the item back: its verdict, or the form with the service's errors (422)."""
    user = request.user
    statement = queue.visible_statement(request.user, pk, window=True)
    if not permissions.can_review(user, statement):
        raise PermissionDenied("Viewers cannot review.")
    verdict = request.POST.get("verdict", "")
    comment = request.POST.get("comment", "")
    filters = QueueFilters.parse(request.POST, current_project(request))
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
        context.update(_filter_choices(user, filters.project))
        return render(request, QUEUE_PAGE, context, status=422)
    history.given([given])
    message = f"{given.given}: “{_short(statement.quote, 50)}”."  # type: ignore[attr-defined]
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
        return announce(render(request, f"{QUEUE_PAGE}#item", context), message)
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
    project = current_project(request)
    qs = (
        queue.feedback_for(user, project.pk if project else None)
        .defer("article__text")
        .annotate(
            activity=Greatest(Coalesce("last_review", "updated_at"), Coalesce("last_comment", "updated_at"))
        )
    )
    if status:
        qs = qs.filter(status=status)
    page = Paginator(qs.order_by("-activity", "-id"), FEEDBACK_PAGE_SIZE).get_page(request.GET.get("page"))
    for s in page:
        history.given(s.reviews.all())
    counts = (
        catalog.visible_statements(user, project.pk if project else None)
        .filter(annotator_id=user.pk, is_gold=False)
        .aggregate(**{value: Count("pk", filter=Q(status=value)) for value in Status.values})
    )
    context = {
        "page": page,
        "status": status,
        "status_label": label_of(Status, status),
        "counts": counts,
        # what needs the analyst's attention first
        "summary": [
            (value, label_of(Status, value), counts[value])
            for value in (Status.CHANGES_REQUESTED, Status.REJECTED, Status.ACCEPTED, Status.PENDING)
        ],
    }
    if fragment_target(request) == "results":
        return render(request, f"{FEEDBACK_PAGE}#results", context)
    return render(request, FEEDBACK_PAGE, context)


# --------------------------------------------------------------------------------------------
# History, readably


# --------------------------------------------------------------------------------------------
# One statement's activity: the statement, its verdicts, its discussion, its history


# --------------------------------------------------------------------------------------------
# An article's history, deleted statements included


# --------------------------------------------------------------------------------------------
# Blind double annotation: who annotates an article, who finished
