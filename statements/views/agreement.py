"""The agreement page, the compare (adjudication) page and the leads' dashboard.

Same conventions as every page module (views/__init__.py): typed function views, one template per page, htmx
fragments as `{% partialdef %}` blocks of that template chosen by the HX-Target of the request
(responses vary on it), plain links and forms first. Writes go through statements/services/
(statement_adjudicate, gold_accept_agreed); permissions are checked here before anything is
read for a write, and again by the services. Form errors come back with status 422, which
base.html tells htmx to swap.

Who sees what:
- Agreement: everyone signed in; an analyst still annotating an article blind does not get its
  numbers (they would reveal the others' work), so those articles are left out for them.
- Compare: leads, with the adjudication actions; other users read it only for articles they do
  not annotate blind (403 otherwise), without actions.
- Dashboard: leads only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget

from statements import agreement, permissions, services
from statements.forms import GoldForm, add_service_errors
from statements.models import (
    Article,
    Stance,
    Statement,
    User,
)
from statements.presenters import reports
from statements.selectors import alignment, catalog, workspace
from statements.selectors import dashboard as dashboard_reads
from statements.selectors import suggestions as suggestion_reads
from statements.services import adjudication
from statements.views.http import (
    HtmxHttpRequest,
    announce,
    current_project,
    fragment_target,
    login_required,
    parse_id,
    parse_id_list,
    remember_project,
)

# htmx-aware: a signed-out htmx request gets HX-Redirect to sign in, never a 302 into a fragment

AGREEMENT_PAGE = "statements/agreement.html"
COMPARE_PAGE = "statements/compare.html"
DASHBOARD_PAGE = "statements/dashboard.html"
DASHBOARD_CACHE_SECONDS = 24 * 3600


# --------------------------------------------------------------------------------------------
# Agreement


THRESHOLD_MIN = 0.05  # the lowest Jaccard threshold the agreement page accepts


def _parse_date(value: str | None, name: str, errors: dict[str, str]) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = f"“{value}” is not a date; use YYYY-MM-DD."
        return None


def agreement_filters(params: QueryDict) -> alignment.AgreementFilters:
    """The agreement page's filters from its query string, leniently: a bad value is reported
    and ignored."""
    errors: dict[str, str] = {}
    threshold = agreement.DEFAULT_THRESHOLD
    raw = (params.get("threshold") or "").strip()
    if raw:
        try:
            threshold = float(raw)
        except ValueError:
            threshold = -1.0
        if not THRESHOLD_MIN <= threshold <= 1:
            errors["threshold"] = (
                f"“{raw}” is not a Jaccard threshold: use a number from {THRESHOLD_MIN} to 1. "
                f"Showing {agreement.DEFAULT_THRESHOLD}."
            )
            threshold = agreement.DEFAULT_THRESHOLD
    date_from = _parse_date(params.get("from"), "from", errors)
    date_to = _parse_date(params.get("to"), "to", errors)
    if date_from and date_to and date_from > date_to:
        errors["to"] = "The end of the date range is before its start."
    return alignment.AgreementFilters(
        article_id=parse_id(params.get("article")),
        source=(params.get("source") or "").strip(),
        actor_id=parse_id(params.get("actor")),
        date_from=date_from,
        date_to=date_to,
        finished_only=params.get("finished") == "1",
        threshold=threshold,
        errors=errors,
    )


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def agreement_page(request: HtmxHttpRequest) -> HttpResponse:
    """Agreement between the analysts over one article (`?article=ID`) or the articles matching
    the filters (source, actor, published from/to, finished analysts only, Jaccard threshold).
    Fragment: `results` (everything below the filter form)."""
    user = request.user
    filters = agreement_filters(request.GET)
    article = None
    blind = False
    project = current_project(request)
    if filters.article_id is not None:
        article = get_object_or_404(
            catalog.visible_articles(user).only(
                "pk", "title", "source", "published", "dateline", "project_id"
            ),
            pk=filters.article_id,
        )
        blind = workspace.is_blind(user, article)
    project_id = project.pk if project and article is None else None
    report = alignment.agreement_for_articles(
        filters.articles(user, project_id), finished_only=filters.finished_only, threshold=filters.threshold
    )
    users = list(User.objects.filter(pk__in=report.annotators)) if report.annotators else []
    context: dict[str, Any] = {
        "filters": filters,
        "article": article,
        "blind": blind,
        "view": reports.agreement_view(report, users),
        "report": report,
        "can_compare": article is not None and not blind,
    }
    if fragment_target(request) == "results":
        return render(request, f"{AGREEMENT_PAGE}#results", context)
    context.update(
        sources=catalog.article_sources(user, project_id),
        actors=catalog.actor_choices(),
        project=project,
    )
    return render(request, AGREEMENT_PAGE, context)


# --------------------------------------------------------------------------------------------
# Compare and adjudicate


def _get_article_for_compare(request: HtmxHttpRequest, pk: int) -> Article:
    """The article `pk` if the user may compare its analysts' work: leads always, others once
    they do not annotate it blind (PermissionDenied otherwise)."""
    user = request.user
    article = get_object_or_404(catalog.visible_articles(user), pk=pk)
    if not permissions.is_lead(user, article) and workspace.is_blind(user, article):
        raise PermissionDenied("Mark your own annotation of this article finished to compare it.")
    return article


def _compare_url(article: Article, key: int | None = None) -> str:
    url = reverse("article_compare", args=[article.pk])
    return f"{url}#unit-{key}" if key is not None else url


def _compare_context(
    request: HtmxHttpRequest,
    article: Article,
    *,
    edit_key: int | None = None,
    from_id: int | None = None,
    form: GoldForm | None = None,
    unit_errors: list[str] | None = None,
) -> dict[str, Any]:
    """Everything the compare page renders. Queries: the comparison (five, see
    alignment.compare_article) and, when a merged-version form is open, the actors for its
    speaker and addressee lists."""
    comparison = alignment.compare_article(article)
    rows = reports.compare_units(comparison, article.text)
    can_adjudicate = permissions.can_adjudicate(request.user, article)
    editing: reports.UnitView | None = None
    if can_adjudicate and edit_key is not None:
        editing = next((r for r in rows if r.key == edit_key and r.state not in ("gold", "dismissed")), None)
    prefilled_from = None
    if editing is not None:
        if form is None:
            statements = {s.pk: s for s in editing.unit.statements}
            prefilled_from = statements.get(from_id) or editing.first  # type: ignore[arg-type]
            form = GoldForm.from_statement(prefilled_from)
        editing.form = form
        editing.excerpt = reports.excerpt_around(article.text, editing.unit.start, editing.unit.end)
    return {
        "article": article,
        "comparison": comparison,
        "rows": rows,
        "analysts": comparison.analysts,
        "n_open": sum(1 for r in rows if r.state == "open"),
        "n_agreed": sum(1 for r in rows if r.state == "agreed"),
        "n_gold": sum(1 for r in rows if r.state == "gold"),
        "n_dismissed": sum(1 for r in rows if r.state == "dismissed"),
        "can_adjudicate": can_adjudicate,
        "editing": editing,
        "prefilled_from": prefilled_from,
        "unit_errors": unit_errors or [],
        "actors": catalog.actor_choices() if editing is not None else [],
        "stances": Stance.choices,
        "difference_labels": reports.DIFFERENCE_LABELS,
    }


def _unit_key(target: str | None) -> int | None:
    if target and target.startswith("unit-"):
        return parse_id(target.removeprefix("unit-"))
    return None


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def article_compare(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Each analyst's statements on the article aligned unit by unit, disagreements marked.
    `?edit=KEY&from=ID` opens the merged-version form on unit KEY, prefilled from statement ID.
    Fragments: `compare` (the summary and every unit) and `unit` (one unit, for HX-Target
    `unit-KEY`: opening or closing its form)."""
    article = _get_article_for_compare(request, pk)
    edit_key = parse_id(request.GET.get("edit"))
    context = _compare_context(request, article, edit_key=edit_key, from_id=parse_id(request.GET.get("from")))
    target = fragment_target(request)
    key = _unit_key(target)
    if key is not None:
        row = next((r for r in context["rows"] if r.key == key), None)
        if row is not None:
            return render(request, f"{COMPARE_PAGE}#unit", {**context, "row": row})
        # the unit is gone (its statements were deleted or re-aligned): refresh the whole list
        response = render(request, f"{COMPARE_PAGE}#compare", context)
        return reswap(retarget(response, "#compare"), "outerHTML")
    if target == "compare":
        return render(request, f"{COMPARE_PAGE}#compare", context)
    return render(request, COMPARE_PAGE, context)


def _written(
    request: HtmxHttpRequest, article: Article, message: str, key: int | None = None
) -> HttpResponse:
    """After a write: htmx gets the fresh compare fragment and a status message to announce;
    a plain form goes back to the page (post/redirect/get)."""
    if request.htmx:
        response = render(request, f"{COMPARE_PAGE}#compare", _compare_context(request, article))
        return announce(response, message)
    messages.success(request, message)
    return redirect(_compare_url(article, key))


@login_required
@require_POST
def article_adjudicate(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Make a gold statement from a unit's statements (`source`, repeated): either one
    analyst's version as it stands (`use=ID`) or the lead's merged version (the GoldForm
    fields). Errors come back inline on the unit, status 422, and nothing is stored."""
    article = get_object_or_404(catalog.visible_articles(request.user), pk=pk)
    if not permissions.can_adjudicate(request.user, article):
        raise PermissionDenied("Only a lead can adjudicate.")
    source_ids = parse_id_list(request.POST.getlist("source"))
    sources = list(
        Statement.objects.filter(pk__in=source_ids, article=article, is_gold=False).with_conditions()
    )
    use_id = parse_id(request.POST.get("use"))
    form: GoldForm | None = None
    try:
        if use_id is not None:
            chosen = next((s for s in sources if s.pk == use_id), None)
            if chosen is None:
                raise ValidationError(
                    {"sources": ["That version is no longer one of this unit's statements; reload the page."]}
                )
            data: dict[str, Any] = {
                "start": chosen.start,
                "end": chosen.end,
                "quote": chosen.quote,
                "stance": chosen.stance,
                "speaker": chosen.speaker_id,
                "addressee": chosen.addressee_id,
                "note": chosen.note,
                "conditions": [
                    {
                        "description": c.description,
                        "evidence_start": c.evidence_start,
                        "evidence_end": c.evidence_end,
                        "evidence_quote": c.evidence_quote or None,
                    }
                    for c in chosen.conditions.all()
                ],
            }
        else:
            form = GoldForm(request.POST)
            form.is_valid()  # every field is optional text: this only fills cleaned_data
            data = form.service_data(reports.condition_evidence(sources))
        # Stand-ins with just the ids: the service checks them all (this article, not gold,
        # not adjudicated yet, still there), including any the query above left out.
        gold = services.statement_adjudicate(
            article=article, user=request.user, sources=[Statement(pk=i) for i in source_ids], **data
        )
    except ValidationError as exc:
        unit_errors: list[str] = []
        if form is not None:
            add_service_errors(form, exc)
        else:
            unit_errors = exc.messages
        return _adjudication_errors(request, article, min(source_ids, default=None), form, unit_errors)
    key = min(source_ids)
    return _written(request, article, f"Gold statement #{gold.pk} saved.", key)


def _adjudication_errors(
    request: HtmxHttpRequest,
    article: Article,
    key: int | None,
    form: GoldForm | None,
    unit_errors: list[str],
) -> HttpResponse:
    """422 with the errors on the unit they belong to: only that unit for htmx, the whole page
    otherwise. When the unit is gone (its statements were deleted meanwhile), the whole
    compare fragment with the errors on top."""
    context = _compare_context(request, article, edit_key=key if form is not None else None, form=form)
    row = next((r for r in context["rows"] if r.key == key), None)
    if row is not None:
        context["error_key"] = key
        if form is not None and row.form is None:  # the unit was adjudicated meanwhile
            unit_errors = [*form.non_field_errors(), *unit_errors]
        context["unit_errors"] = unit_errors
    else:
        context["page_errors"] = [*(form.non_field_errors() if form else []), *unit_errors]
    if request.htmx:
        if row is not None:
            response = render(request, f"{COMPARE_PAGE}#unit", {**context, "row": row}, status=422)
            return reswap(retarget(response, f"#unit-{key}"), "outerHTML")
        response = render(request, f"{COMPARE_PAGE}#compare", context, status=422)
        return reswap(retarget(response, "#compare"), "outerHTML")
    return render(request, COMPARE_PAGE, context, status=422)


@login_required
@require_POST
def article_dismiss_unit(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Close a unit (`source`, repeated: its statements) without a gold statement, with a
    `reason` (services.adjudication.unit_dismiss). Errors come back inline on the unit (422)."""
    article = get_object_or_404(catalog.visible_articles(request.user), pk=pk)
    if not permissions.can_adjudicate(request.user, article):
        raise PermissionDenied("Only a lead can dismiss a unit.")
    source_ids = parse_id_list(request.POST.getlist("source"))
    try:
        adjudication.unit_dismiss(
            article=article,
            user=request.user,
            sources=[Statement(pk=i) for i in source_ids],
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        return _adjudication_errors(request, article, min(source_ids, default=None), None, exc.messages)
    n = len(source_ids)
    message = f"Unit dismissed: its {n} statement{'s' if n != 1 else ''} left the review queue."
    return _written(request, article, message, min(source_ids))


@login_required
@require_POST
def article_accept_agreed(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """Make gold, in one go, every unit on which all the article's analysts agree."""
    article = get_object_or_404(catalog.visible_articles(request.user), pk=pk)
    if not permissions.can_adjudicate(request.user, article):
        raise PermissionDenied("Only a lead can adjudicate.")
    created = services.gold_accept_agreed(article=article, user=request.user)
    n = len(created)
    if n:
        message = f"{n} agreed unit{'s' if n != 1 else ''} made gold."
    else:
        message = "Nothing to accept: no unit on which everyone agrees is waiting."
    return _written(request, article, message)


# --------------------------------------------------------------------------------------------
# Dashboard


@login_required
@require_GET
def dashboard(request: HtmxHttpRequest) -> HttpResponse:
    """The leads' overview: progress per analyst, the review backlog, agreement per month, and
    the articles waiting for adjudication. Queries: the corpus fingerprint (4), progress (3),
    and when the corpus changed since the last visit, agreement over time (4), articles to
    adjudicate (4) and the backlog (2), whatever the size of the corpus."""
    leading = [p for p in catalog.visible_projects(request.user) if permissions.is_lead(request.user, p)]
    if not leading:
        raise PermissionDenied("The dashboard is for leads.")
    chosen = current_project(request)
    project = chosen if chosen in leading else leading[0]
    remember_project(request, project)
    # The corpus-wide computations cost seconds at 100,000 statements: cache them until the
    # corpus changes (dashboard_reads.corpus_fingerprint), so a lead coming back pays four cheap queries.
    # The backlog's oldest-pending age is then as of the computation; it is shown with its time.
    key = f"dashboard:{dashboard_reads.corpus_fingerprint(project.pk)}"
    corpus = cache.get(key)
    if corpus is None:
        points = alignment.agreement_over_time(Article.objects.filter(project=project))
        corpus = (
            *reports.agreement_trend(points),
            *dashboard_reads.open_disagreements(project.pk),
            dashboard_reads.review_backlog(project.pk),
        )
        cache.set(key, corpus, DASHBOARD_CACHE_SECONDS)
    trend, trend_chart, disagreements, n_needing, backlog = corpus
    context: dict[str, Any] = {
        "project": project,
        "leading": leading,
        "progress": dashboard_reads.analyst_progress(project.pk),
        "backlog": backlog,
        "trend": trend,
        "trend_chart": trend_chart,
        "trend_series": reports.TREND_SERIES,
        "disagreements": disagreements,
        "n_needing": n_needing,
        "suggestion_precision": suggestion_reads.project_rule_precision(project.pk),  # suggestions (#11)
    }
    return render(request, DASHBOARD_PAGE, context)
