"""The agreement page, the compare (adjudication) page and the leads' dashboard.

Same conventions as statements/views.py: typed function views, one template per page, htmx
fragments as `{% partialdef %}` blocks of that template chosen by the HX-Target of the request
(responses vary on it), plain links and forms first. Writes go through statements/services.py
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

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import reswap, retarget, trigger_client_event

from statements import adjudication, permissions, review, selectors, services
from statements.adjudication import AgreementFilters, UnitView
from statements.forms import add_service_errors
from statements.models import Article, Condition, Stance, Statement, User

# htmx-aware: a signed-out htmx request gets HX-Redirect to sign in, never a 302 into a fragment
from statements.views import login_required

AGREEMENT_PAGE = "statements/agreement.html"
COMPARE_PAGE = "statements/compare.html"
DASHBOARD_PAGE = "statements/dashboard.html"
DASHBOARD_CACHE_SECONDS = 24 * 3600


def _target(request: HttpRequest) -> str | None:
    """The id of the element an htmx request will swap (HX-Target), or None for the full page
    (also for a history restore, which wants the whole page)."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return htmx.target
    return None


def _int_or_none(value: Any) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


# --------------------------------------------------------------------------------------------
# Agreement


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def agreement_page(request: HttpRequest) -> HttpResponse:
    """Agreement between the analysts over one article (`?article=ID`) or the articles matching
    the filters (source, actor, published from/to, finished analysts only, Jaccard threshold).
    Fragment: `results` (everything below the filter form)."""
    user = request.user
    filters = AgreementFilters.from_params(request.GET)
    article = None
    blind = False
    if filters.article_id is not None:
        article = get_object_or_404(
            Article.objects.only("pk", "title", "source", "published", "dateline"), pk=filters.article_id
        )
        blind = selectors.is_blind(user, article)
    report = review.agreement_for_articles(
        filters.articles(user), finished_only=filters.finished_only, threshold=filters.threshold
    )
    users = list(User.objects.filter(pk__in=report.annotators)) if report.annotators else []
    context = {
        "filters": filters,
        "article": article,
        "blind": blind,
        "view": adjudication.agreement_view(report, users),
        "report": report,
        "can_compare": article is not None and not blind,
    }
    if _target(request) == "results":
        return render(request, f"{AGREEMENT_PAGE}#results", context)
    context.update(sources=selectors.article_sources(), actors=selectors.actor_choices())
    return render(request, AGREEMENT_PAGE, context)


# --------------------------------------------------------------------------------------------
# Compare and adjudicate


class GoldForm(forms.Form):
    """The lead's merged version of a unit. Lenient on purpose: the service validates (offsets,
    quote against the text, stance, actors, conditions) and its messages come back inline."""

    start = forms.CharField(required=False, label="Start")
    end = forms.CharField(required=False, label="End")
    quote = forms.CharField(required=False, strip=False, label="Quote", widget=forms.Textarea)
    stance = forms.CharField(required=False, label="Stance")
    speaker = forms.CharField(required=False, label="Speaker")
    addressee = forms.CharField(required=False, label="Addressee")
    note = forms.CharField(required=False, label="Note", widget=forms.Textarea)
    conditions = forms.CharField(required=False, label="Conditions", widget=forms.Textarea)

    @classmethod
    def from_statement(cls, statement: Statement) -> GoldForm:
        """A form prefilled with one analyst's version (uses its conditions prefetch)."""
        return cls(
            initial={
                "start": statement.start,
                "end": statement.end,
                "quote": statement.quote,
                "stance": statement.stance,
                "speaker": statement.speaker_id or "",
                "addressee": statement.addressee_id or "",
                "note": statement.note,
                "conditions": "\n".join(c.description for c in statement.conditions.all()),
            }
        )

    def service_data(self, evidence: Mapping[str, Condition]) -> dict[str, Any]:
        """Arguments for services.statement_adjudicate. One condition per line; a line worded
        like a source's condition keeps that condition's evidence span. The browser sends a
        textarea's line ends as \\r\\n: the quote is normalized like the article text."""
        data = self.cleaned_data
        conditions = []
        for line in data["conditions"].splitlines():
            description = " ".join(line.split())
            if not description:
                continue
            condition: dict[str, Any] = {"description": description}
            source = evidence.get(description.casefold())
            if source is not None:
                condition.update(
                    evidence_start=source.evidence_start,
                    evidence_end=source.evidence_end,
                    evidence_quote=source.evidence_quote,
                )
            conditions.append(condition)
        return {
            "start": data["start"].strip(),
            "end": data["end"].strip(),
            "quote": services.normalize_text(data["quote"]),
            "stance": data["stance"],
            "speaker": data["speaker"] or None,
            "addressee": data["addressee"] or None,
            "note": data["note"],
            "conditions": conditions,
        }


def _get_article_for_compare(request: HttpRequest, pk: int) -> Article:
    """The article `pk` if the user may compare its analysts' work: leads always, others once
    they do not annotate it blind (PermissionDenied otherwise)."""
    article = get_object_or_404(Article, pk=pk)
    user = request.user
    if not permissions.is_lead(user) and selectors.is_blind(user, article):
        raise PermissionDenied("Mark your own annotation of this article finished to compare it.")
    return article


def _compare_url(article: Article, key: int | None = None) -> str:
    url = reverse("article_compare", args=[article.pk])
    return f"{url}#unit-{key}" if key is not None else url


def _compare_context(
    request: HttpRequest,
    article: Article,
    *,
    edit_key: int | None = None,
    from_id: int | None = None,
    form: GoldForm | None = None,
    unit_errors: list[str] | None = None,
) -> dict[str, Any]:
    """Everything the compare page renders. Queries: the comparison (five, see
    review.compare_article) and, when a merged-version form is open, the actors for its
    speaker and addressee lists."""
    comparison = review.compare_article(article)
    rows = adjudication.compare_units(comparison, article.text)
    can_adjudicate = permissions.can_adjudicate(request.user)
    editing: UnitView | None = None
    if can_adjudicate and edit_key is not None:
        editing = next((r for r in rows if r.key == edit_key and r.state != "gold"), None)
    prefilled_from = None
    if editing is not None:
        if form is None:
            statements = {s.pk: s for s in editing.unit.statements}
            prefilled_from = statements.get(from_id) or editing.first
            form = GoldForm.from_statement(prefilled_from)
        editing.form = form
    return {
        "article": article,
        "comparison": comparison,
        "rows": rows,
        "analysts": comparison.analysts,
        "n_open": sum(1 for r in rows if r.state == "open"),
        "n_agreed": sum(1 for r in rows if r.state == "agreed"),
        "n_gold": sum(1 for r in rows if r.state == "gold"),
        "can_adjudicate": can_adjudicate,
        "editing": editing,
        "prefilled_from": prefilled_from,
        "unit_errors": unit_errors or [],
        "actors": selectors.actor_choices() if editing is not None else [],
        "stances": Stance.choices,
        "difference_labels": adjudication.DIFFERENCE_LABELS,
    }


def _unit_key(target: str | None) -> int | None:
    if target and target.startswith("unit-"):
        return _int_or_none(target.removeprefix("unit-"))
    return None


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def article_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """Each analyst's statements on the article aligned unit by unit, disagreements marked.
    `?edit=KEY&from=ID` opens the merged-version form on unit KEY, prefilled from statement ID.
    Fragments: `compare` (the summary and every unit) and `unit` (one unit, for HX-Target
    `unit-KEY`: opening or closing its form)."""
    article = _get_article_for_compare(request, pk)
    edit_key = _int_or_none(request.GET.get("edit"))
    context = _compare_context(
        request, article, edit_key=edit_key, from_id=_int_or_none(request.GET.get("from"))
    )
    target = _target(request)
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


def _written(request: HttpRequest, article: Article, message: str, key: int | None = None) -> HttpResponse:
    """After a write: htmx gets the fresh compare fragment and a status message to announce;
    a plain form goes back to the page (post/redirect/get)."""
    if request.htmx:
        response = render(request, f"{COMPARE_PAGE}#compare", _compare_context(request, article))
        return trigger_client_event(response, "annotator:status", {"message": message})
    messages.success(request, message)
    return redirect(_compare_url(article, key))


@login_required
@require_POST
def article_adjudicate(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a gold statement from a unit's statements (`source`, repeated): either one
    analyst's version as it stands (`use=ID`) or the lead's merged version (the GoldForm
    fields). Errors come back inline on the unit, status 422, and nothing is stored."""
    if not permissions.can_adjudicate(request.user):
        raise PermissionDenied("Only a lead can adjudicate.")
    article = get_object_or_404(Article, pk=pk)
    source_ids = sorted({i for i in map(_int_or_none, request.POST.getlist("source")) if i is not None})
    sources = list(
        Statement.objects.filter(pk__in=source_ids, article=article, is_gold=False).prefetch_related(
            Prefetch("conditions", queryset=Condition.objects.order_by("position", "id"))
        )
    )
    use_id = _int_or_none(request.POST.get("use"))
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
            data = form.service_data(adjudication.condition_evidence(sources))
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
    request: HttpRequest,
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
def article_accept_agreed(request: HttpRequest, pk: int) -> HttpResponse:
    """Make gold, in one go, every unit on which all the article's analysts agree."""
    if not permissions.can_adjudicate(request.user):
        raise PermissionDenied("Only a lead can adjudicate.")
    article = get_object_or_404(Article, pk=pk)
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
def dashboard(request: HttpRequest) -> HttpResponse:
    """The leads' overview: progress per analyst, the review backlog, agreement per month, and
    the articles waiting for adjudication. Queries: the corpus fingerprint (4), progress (3),
    and when the corpus changed since the last visit, agreement over time (4), articles to
    adjudicate (4) and the backlog (2), whatever the size of the corpus."""
    if not permissions.is_lead(request.user):
        raise PermissionDenied("The dashboard is for leads.")
    # The corpus-wide computations cost seconds at 100,000 statements: cache them until the
    # corpus changes (review.corpus_fingerprint), so a lead coming back pays four cheap queries.
    # The backlog's oldest-pending age is then as of the computation; it is shown with its time.
    key = f"dashboard:{review.corpus_fingerprint()}"
    corpus = cache.get(key)
    if corpus is None:
        points = review.agreement_over_time(Article.objects.all())
        corpus = (
            *adjudication.agreement_trend(points),
            *adjudication.open_disagreements(),
            adjudication.review_backlog(),
        )
        cache.set(key, corpus, DASHBOARD_CACHE_SECONDS)
    trend, trend_chart, disagreements, n_needing, backlog = corpus
    context = {
        "progress": review.analyst_progress(),
        "backlog": backlog,
        "trend": trend,
        "trend_chart": trend_chart,
        "trend_series": adjudication.TREND_SERIES,
        "disagreements": disagreements,
        "n_needing": n_needing,
    }
    return render(request, DASHBOARD_PAGE, context)
