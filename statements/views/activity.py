"""One statement's activity page (itself in context, verdicts, discussion, history), adding a
comment, and an article's history with deleted statements. Conventions: views/__init__.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from statements import permissions, services
from statements.models import (
    EventAction,
    Statement,
    StatementEvent,
)
from statements.presenters import context, history
from statements.selectors import catalog, queue
from statements.views.http import (
    HtmxHttpRequest,
    announce,
    fragment_target,
    login_required,
    parse_id,
)

ACTIVITY_PAGE = "statements/statement_activity.html"
HISTORY_PAGE = "statements/article_history.html"
HISTORY_PAGE_SIZE = 50


def activity_context(
    request: HtmxHttpRequest, statement: Statement, *, comment_errors: list[str] | None = None, body: str = ""
) -> dict[str, Any]:
    """Everything the `activity` partial of statements/statement_activity.html shows, for a
    statement the user may see. Another page includes that partial with:

        statement = queue.visible_statement(request.user, pk, window=True)  # window: quote in context
        context = activity_context(request, statement)
        {% include "statements/statement_activity.html#activity" %}

    Queries: reviews (with reviewers), comments (with authors), history (with users)."""
    user = request.user
    reviews = history.given(list(statement.reviews.select_related("reviewer").order_by("created_at", "id")))
    comments = list(statement.comments.select_related("author").order_by("created_at", "id"))
    events = StatementEvent.objects.filter(statement_ref=statement.pk).select_related("user")
    before, after = context.context_of(statement) if hasattr(statement, "ctx_window") else ("", "")
    return {
        "statement": statement,
        "context_before": before,
        "context_after": after,
        "reviews": reviews,
        "comments": comments,
        "events": [history.describe_event(e) for e in events.order_by("created_at", "id")],
        "reviewer_ids": {r.reviewer_id for r in reviews},
        "can_comment": permissions.can_comment(user, statement),
        "can_edit": permissions.can_edit_statement(user, statement),
        "comment_errors": comment_errors or [],
        "body": body,
    }


def _deleted_history_url(request: HtmxHttpRequest, pk: int) -> str | None:
    """For a deleted statement the user could have seen: its entries on the article's history."""
    user = request.user
    deleted = (
        StatementEvent.objects.filter(statement_ref=pk, action=EventAction.DELETED)
        .filter(article__in=catalog.visible_articles(user))
        .select_related("article")
        .first()
    )
    if deleted is None:
        return None
    if (
        permissions.is_blind(user, deleted.article)
        and not queue.own_refs(user, deleted.article_id).filter(statement_ref=pk).exists()
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
        statement = queue.visible_statement(request.user, pk, window=True)
    except Http404:
        url = _deleted_history_url(request, pk)
        if url is None:
            raise
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    context = activity_context(request, statement)
    if fragment_target(request) == f"thread-{pk}":
        return render(request, f"{ACTIVITY_PAGE}#thread", context)
    return render(request, ACTIVITY_PAGE, context)


@login_required
@require_POST
def comment_create(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Add a message to a statement's discussion (POST body). htmx gets the thread back."""
    statement = queue.visible_statement(request.user, pk, window=not request.htmx)
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
        return announce(render(request, f"{ACTIVITY_PAGE}#thread", context), "Comment added.")
    messages.success(request, "Comment added.")
    return redirect(f"{reverse('statement_activity', args=[pk])}#thread-{pk}")


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
    user = request.user
    article = get_object_or_404(catalog.visible_articles(user).defer("text"), pk=pk)
    events = StatementEvent.objects.filter(article=article)
    blind = permissions.is_blind(user, article)
    if blind:
        events = events.filter(statement_ref__in=queue.own_refs(user, article.pk))
    ref = parse_id(request.GET.get("statement"))
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
    labels = queue.event_labels(list(page))
    entries = []
    for event in page:
        view = history.describe_event(event)
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
    if fragment_target(request) == "results":
        return render(request, f"{HISTORY_PAGE}#results", context)
    return render(request, HISTORY_PAGE, context)
