"""Server-rendered pages. Reads use QuerySet methods with fixed query counts; writes go through
statements/services.py; permissions come from statements/permissions.py."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from statements import permissions
from statements.highlight import segments
from statements.models import Article, Statement


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("article_list")


@login_required
def article_list(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.with_stance_counts().order_by("-published", "-id")
    return render(request, "statements/article_list.html", {"articles": articles})


@login_required
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    article = get_object_or_404(Article, pk=pk)
    statements = list(
        Statement.objects.for_article_page(article).filter(permissions.visible_statements_q(request.user))
    )
    return render(
        request,
        "statements/article_detail.html",
        {"article": article, "statements": statements, "segments": segments(article.text, statements)},
    )
