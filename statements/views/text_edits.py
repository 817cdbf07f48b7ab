"""Editing an article's text after annotation (issue 14): the editor with its preview, what a text
change left to decide (orphans, changed text, gold to confirm) on the article page and in the
review queue, re-attaching an orphan by choosing a new span, and the confirm buttons.

Services: statements/services/text_edits.py; reads: statements/selectors/text_edits.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from statements import permissions
from statements.models import AnchorState, Article, Condition, Statement
from statements.selectors import catalog
from statements.selectors import text_edits as reads
from statements.services import text_edits
from statements.views.http import HtmxHttpRequest, login_required, parse_id, safe_next

EDIT_PAGE = "statements/article_text_edit.html"
ISSUES_FRAGMENT = "statements/includes/anchor_issues.html"
REATTACH_PAGE = "statements/reattach.html"


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for ms in exc.message_dict.values() for m in ms]
    return list(exc.messages)


def _article(request: HtmxHttpRequest, pk: int) -> Article:
    return get_object_or_404(catalog.visible_articles(request.user).select_related("project"), pk=pk)


def _summary(counts: dict[str, int]) -> str:
    parts = [f"{n} {text_edits.OUTCOME_LABELS[key].lower()}" for key, n in counts.items() if n]
    return ", ".join(parts) or "no statements"


@login_required
@require_http_methods(["GET", "POST"])
def article_text_edit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The text in a textarea; "Preview" shows what happens to each statement and evidence span
    (nothing saved), "Save" applies it (services.text_edits.text_edit_apply, mode "edit")."""
    article = _article(request, pk)
    if not permissions.can_edit_article(request.user, article):
        raise PermissionDenied("Only the article's creator or a lead of its project can change its text.")
    text = article.text
    base = article.text_sha256
    errors: list[str] = []
    preview = None
    status = 200
    if request.method == "POST":
        text = request.POST.get("text", "")
        base = request.POST.get("base", "") or base
        try:
            if "save" in request.POST:
                result = text_edits.text_edit_apply(
                    article=article, user=request.user, text=text, mode="edit", base_sha256=base
                )
                if result.unchanged:
                    messages.info(request, "The text is unchanged: nothing was saved.")
                else:
                    messages.success(request, f"Text saved. Statements: {_summary(result.counts)}.")
                return redirect(article)
            preview = text_edits.text_edit_preview(article=article, user=request.user, text=text, mode="edit")
        except ValidationError as exc:
            errors, status = _messages_of(exc), 422
    visible: set[int] = set()
    if preview is not None:
        visible = set(
            catalog.visible_statements(request.user).filter(article=article).values_list("pk", flat=True)
        )
    context: dict[str, Any] = {
        "article": article,
        "text": text,
        "base": base,
        "errors": errors,
        "preview": preview,
        "rows": [o for o in preview.statements if o.statement_id in visible] if preview else [],
        "evidence_rows": [o for o in preview.conditions if o.statement_id in visible] if preview else [],
        "hidden": sum(1 for o in preview.statements if o.statement_id not in visible) if preview else 0,
    }
    return render(request, EDIT_PAGE, context, status=status)


@login_required
@require_GET
def article_anchor_issues(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """The article page's panel (loaded by htmx): orphans, changed text, gold to confirm."""
    article = _article(request, pk)
    issues = reads.article_anchor_issues(request.user, article)
    context = {
        "article": article,
        "issues": issues,
        "is_lead": permissions.is_lead(request.user, article),
        "next": article.get_absolute_url(),
        "in_queue": False,
    }
    return render(request, ISSUES_FRAGMENT, context)


@login_required
@require_GET
def queue_anchor_issues(request: HtmxHttpRequest) -> HttpResponse:
    """The review queue's panel (loaded by htmx): the same across the user's projects."""
    project = parse_id(request.GET.get("project"))
    issues = reads.queue_anchor_issues(request.user, project)
    context = {
        "issues": issues,
        "is_lead": permissions.is_lead(request.user),
        "next": reverse("review_queue"),
        "in_queue": True,
    }
    return render(request, ISSUES_FRAGMENT, context)


def _statement(request: HtmxHttpRequest, pk: int) -> Statement:
    return get_object_or_404(
        catalog.visible_statements(request.user).select_related("article", "article__project", "orphan_of"),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def statement_reattach(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Re-attach an orphan: search its old quote (or any words) in the current text, choose one
    of the matches; or give the offsets. Also serves orphaned evidence (?condition=ID)."""
    statement = _statement(request, pk)
    if not permissions.can_edit_statement(request.user, statement):
        raise PermissionDenied("Only the statement's annotator or a lead can re-attach it.")
    condition = None
    condition_id = parse_id(request.GET.get("condition") or request.POST.get("condition"))
    if condition_id is not None:
        condition = get_object_or_404(
            Condition.objects.select_related("evidence_orphan_of"), pk=condition_id, statement=statement
        )
    if condition is None and statement.anchor_state != AnchorState.ORPHAN:
        messages.info(request, "This statement is not an orphan any more.")
        return redirect(statement.article)
    if condition is not None and condition.evidence_orphan_of_id is None:
        messages.info(request, "This evidence is not orphaned any more.")
        return redirect(statement.article)
    old_quote = condition.evidence_quote if condition is not None else statement.quote
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            if condition is not None:
                text_edits.condition_reattach(
                    condition=condition,
                    user=request.user,
                    start=request.POST.get("start"),
                    end=request.POST.get("end"),
                    quote=_posted_quote(request),
                )
            else:
                text_edits.statement_reattach(
                    statement=statement,
                    user=request.user,
                    start=request.POST.get("start"),
                    end=request.POST.get("end"),
                    quote=_posted_quote(request),
                )
        except ValidationError as exc:
            errors, status = _messages_of(exc), 422
        else:
            messages.success(request, "Re-attached to the new span.")
            return redirect(safe_next(request) or statement.article.get_absolute_url())
    query = request.GET.get("q", old_quote).strip()[:1000]
    matches = reads.quote_matches(statement.article.text, query)
    context = {
        "statement": statement,
        "condition": condition,
        "old_quote": old_quote,
        "query": query,
        "matches": matches,
        "errors": errors,
        "next": (safe_next(request) or statement.article.get_absolute_url()),
    }
    return render(request, REATTACH_PAGE, context, status=status)


def _posted_quote(request: HtmxHttpRequest) -> str | None:
    """The quote a form sent back (browsers send its line ends as CRLF; stored text has LF)."""
    quote = request.POST.get("quote")
    return None if quote is None else quote.replace("\r\n", "\n")


def _confirm(request: HtmxHttpRequest, pk: int, *, gold: bool) -> HttpResponse:
    statement = _statement(request, pk)
    try:
        if gold:
            text_edits.statement_confirm_gold(statement=statement, user=request.user)
        else:
            text_edits.statement_confirm_text(statement=statement, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(_messages_of(exc)))
    else:
        messages.success(request, "Confirmed as gold." if gold else "Text change confirmed.")
    return redirect(safe_next(request) or statement.article.get_absolute_url())


@login_required
@require_POST
def statement_confirm_text(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, gold=False)


@login_required
@require_POST
def statement_confirm_gold(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, gold=True)
