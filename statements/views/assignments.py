"""Blind double annotation: who annotates an article, assigning analysts (leads), marking one's
own work finished or reopening it. Conventions: views/__init__.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Count,
)
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from statements import permissions, services
from statements.models import (
    Article,
    Statement,
    User,
)
from statements.selectors import catalog
from statements.views.http import (
    HtmxHttpRequest,
    announce,
    fragment_target,
    login_required,
    parse_id,
    safe_next,
)

ASSIGNMENTS_PAGE = "statements/assignments.html"


def _assignments_context(
    request: HtmxHttpRequest, article: Article, *, errors: list[str] | None = None
) -> dict[str, Any]:
    """Queries: the assignments (analyst, assigner joined); for leads, statements per analyst on
    the article and the analysts who could still be assigned."""
    user = request.user
    assignments = list(
        article.assignments.select_related("analyst", "assigned_by").order_by("assigned_at", "id")
    )
    lead = permissions.can_manage_assignments(user, article)
    if lead:
        counts = dict(
            Statement.objects.filter(article=article, is_gold=False)
            .values_list("annotator_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        for a in assignments:
            a.n_statements = counts.get(a.analyst_id, 0)  # type: ignore[attr-defined]
        taken = [a.analyst_id for a in assignments]
        candidates = list(catalog.annotators(article.project_id).exclude(pk__in=taken))
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
        return announce(
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
    article = get_object_or_404(catalog.visible_articles(request.user).defer("text"), pk=pk)
    if request.method == "POST":
        if not permissions.can_manage_assignments(request.user, article):
            raise PermissionDenied("Only a lead can assign articles.")
        analyst_id = parse_id(request.POST.get("analyst"))
        members = User.objects.filter(memberships__project_id=article.project_id, is_active=True)
        analyst = members.filter(pk=analyst_id).first() if analyst_id else None
        if analyst is None:
            return _assignments_response(request, article, errors=["Choose an analyst to assign."])
        try:
            services.assignment_create(article=article, analyst=analyst, user=request.user)
        except ValidationError as exc:
            return _assignments_response(request, article, errors=exc.messages)
        return _assignments_response(request, article, message=f"{analyst} is assigned to this article.")
    context = _assignments_context(request, article)
    if fragment_target(request) == "assignments":
        return render(request, f"{ASSIGNMENTS_PAGE}#assignments", context)
    return render(request, ASSIGNMENTS_PAGE, context)


@login_required
@require_POST
def assignment_finish(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Mark one's own work on the article finished (`finished=1`), which reveals the others'
    statements, or reopen it (`finished=0`), which hides them again."""
    article = get_object_or_404(catalog.visible_articles(request.user).defer("text"), pk=pk)
    if not permissions.can_annotate(request.user, article):
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
