"""The Articles list (search, source and actor filters) and the New article
page. Conventions: views/__init__.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from statements import permissions, services
from statements.forms import ArticleForm, add_service_errors
from statements.models import (
    Article,
    Project,
)
from statements.selectors import catalog
from statements.views.http import (
    HtmxHttpRequest,
    current_project,
    fragment_target,
    login_required,
    parse_id,
)

ARTICLE_PAGE_SIZE = 25


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def article_list(request: HtmxHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    source = request.GET.get("source", "").strip()
    actor_id = parse_id(request.GET.get("actor"))
    project = current_project(request)
    project_id = project.pk if project else None
    rows = catalog.article_rows(request.user, project=project_id, q=q, source=source, actor_id=actor_id)
    page = Paginator(rows, ARTICLE_PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "page": page,
        "q": q,
        "source": source,
        "actor_id": actor_id,
        "filtered": bool(q or source or actor_id),
        "can_create": permissions.can_create_article(request.user, project),
        "project": project,
    }
    if fragment_target(request) == "results":
        return render(request, "statements/article_list.html#results", context)
    context.update(
        sources=catalog.article_sources(request.user, project_id),
        actors=catalog.actor_choices(),
        projects=catalog.visible_projects(request.user),
    )
    return render(request, "statements/article_list.html", context)


def _duplicate_of(project: Project | None, text: str) -> Article | None:
    """The project's stored article whose text equals `text` once normalized, for a link."""
    if project is None or not isinstance(text, str) or not text.strip():
        return None
    digest = services.text_sha256(services.normalize_text(text))
    return Article.objects.filter(project=project, text_sha256=digest).only("pk", "title").first()


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request: HtmxHttpRequest) -> HttpResponse:
    if not permissions.can_create_article(request.user):
        raise PermissionDenied("Only analysts and leads can add articles.")
    duplicate = None
    choices = catalog.writable_projects(request.user)
    current = current_project(request) if request.method == "GET" else None
    if request.method == "POST":
        form = ArticleForm(request.POST, request.FILES, projects=choices)
        if form.is_valid():
            data = form.service_data()
            try:
                article = services.article_create(user=request.user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
                project = data.get("project") or (choices[0] if len(choices) == 1 else None)
                duplicate = _duplicate_of(project, data["text"])
            else:
                messages.success(request, "Article added. Select a quote in the text to tag it.")
                return redirect(article)
        return render(
            request, "statements/article_form.html", {"form": form, "duplicate": duplicate}, status=422
        )
    form = ArticleForm(projects=choices, initial={"project": current.pk if current else None})
    return render(request, "statements/article_form.html", {"form": form, "duplicate": None})
