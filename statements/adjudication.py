"""Reads and view models for the agreement, compare and dashboard pages
(statements/views_adjudication.py).

The numbers come from statements/review.py (which fetches) and statements/agreement.py (which
computes); this module chooses the articles a page is about, names the analysts, and arranges
the results for the templates. Every function that queries says how many queries it makes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from statements import agreement, charts, permissions, review
from statements.models import Article, Condition, Stance, Statement, Status, User
from statements.review import AgreementPoint, AlignedUnit, Comparison

if TYPE_CHECKING:
    from django.http import QueryDict

    from statements.permissions import AnyUser

STANCE_LABELS = dict(Stance.choices)
THRESHOLD_MIN = 0.05

# Why a value can be undefined ("—" on the pages), per kind of measure.
UNDEFINED = {
    "prf": "Undefined: neither analyst marked anything here, so there is nothing to divide by.",
    "raw": "Undefined: no pair of matched statements to compare.",
    "kappa": (
        "Undefined: no matched pairs, or both analysts used one and the same category throughout "
        "(expected agreement is 1, so kappa is 0/0)."
    ),
    "alpha": "Undefined: fewer than two comparable values, or every value is the same (no variation).",
    "alpha_u": "Undefined: no article with two analysts, or no statement of this stance at all.",
    "share": "Undefined: no verdict yet.",
    "pairs": "Undefined: no article of this month was annotated by two analysts.",
}


def analyst_label(user: User) -> str:
    """A short name for buttons and column heads: the first name, else the user name."""
    return user.first_name or user.username


# ---- Agreement page filters -----------------------------------------------------------------


def _parse_date(value: str | None, name: str, errors: dict[str, str]) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = f"“{value}” is not a date; use YYYY-MM-DD."
        return None


def _parse_int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


@dataclass
class AgreementFilters:
    """What the agreement page is about: one article, or the articles matching the filters."""

    article_id: int | None = None
    source: str = ""
    actor_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    finished_only: bool = False
    threshold: float = agreement.DEFAULT_THRESHOLD
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_params(cls, params: QueryDict | Mapping[str, str]) -> AgreementFilters:
        """Parse the query string leniently: a bad value is reported and ignored."""
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
        return cls(
            article_id=_parse_int(params.get("article")),
            source=(params.get("source") or "").strip(),
            actor_id=_parse_int(params.get("actor")),
            date_from=date_from,
            date_to=date_to,
            finished_only=params.get("finished") == "1",
            threshold=threshold,
            errors=errors,
        )

    @property
    def is_filtered(self) -> bool:
        """Whether anything narrows the corpus (the threshold does not)."""
        return bool(
            self.article_id
            or self.source
            or self.actor_id
            or self.date_from
            or self.date_to
            or self.finished_only
        )

    def articles(self, user: AnyUser) -> QuerySet[Article]:
        """The articles to compute agreement over (a lazy queryset, used as a subquery).

        Someone annotating an article blind does not get its numbers: they would tell them
        how the others marked it. Leads see every article."""
        qs = Article.objects.all()
        if self.article_id is not None:
            qs = qs.filter(pk=self.article_id)
        if self.source:
            qs = qs.filter(source=self.source)
        if self.actor_id is not None:
            speaks = Statement.objects.filter(article=OuterRef("pk"), is_gold=False).filter(
                Q(speaker_id=self.actor_id) | Q(addressee_id=self.actor_id)
            )
            qs = qs.filter(Exists(speaks))
        if self.date_from:
            qs = qs.filter(published__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(published__lte=self.date_to)
        if not permissions.is_lead(user):
            qs = qs.exclude(pk__in=permissions.blind_article_ids(user))
        return qs


# ---- Agreement page: the report arranged for the template -----------------------------------


@dataclass
class ConfusionView:
    """A stance confusion matrix with names: rows are `row_name`'s stance, columns `col_name`'s."""

    row_name: str
    col_name: str
    labels: list[str]
    rows: list[tuple[str, list[int], int]]  # (stance label, counts, row total)
    col_totals: list[int]
    total: int
    diagonal: int


def confusion_view(confusion: agreement.Confusion, row_name: str, col_name: str) -> ConfusionView:
    labels = [STANCE_LABELS.get(x, x) for x in confusion.labels]
    rows = [(labels[i], list(r), sum(r)) for i, r in enumerate(confusion.matrix)]
    cols = [sum(r[j] for r in confusion.matrix) for j in range(len(labels))]
    return ConfusionView(
        row_name=row_name,
        col_name=col_name,
        labels=labels,
        rows=rows,
        col_totals=cols,
        total=sum(cols),
        diagonal=sum(confusion.matrix[i][i] for i in range(len(labels))),
    )


@dataclass
class PairView:
    a: str
    b: str
    pair: agreement.PairAgreement
    confusion: ConfusionView

    @property
    def label(self) -> str:
        return f"{self.a} · {self.b}"


@dataclass
class AgreementView:
    report: agreement.AgreementReport
    names: dict[int, str]
    pairs: list[PairView]
    pooled: ConfusionView
    alpha_u: list[tuple[str, agreement.CategoryAlphaU]]
    chart: charts.BarChart | None

    @property
    def analyst_names(self) -> list[str]:
        return [self.names.get(a, f"#{a}") for a in self.report.annotators]


CHART_MEASURES = ("Exact F1", "Overlap F1", "Stance κ", "Speaker")


def agreement_view(report: agreement.AgreementReport, users: Iterable[User]) -> AgreementView:
    """Name the analysts of `report` (`users` must include them) and build the chart."""
    users = list(users)
    names = {u.pk: analyst_label(u) for u in users}
    # Two analysts may share a first name: fall back to the full name for those.
    counts: dict[str, int] = defaultdict(int)
    for name in names.values():
        counts[name] += 1
    for u in users:
        if counts[names[u.pk]] > 1:
            names[u.pk] = f"{u.display_name} ({u.username})"
    pairs = [
        PairView(
            a=names.get(p.a, f"#{p.a}"),
            b=names.get(p.b, f"#{p.b}"),
            pair=p,
            confusion=confusion_view(p.stance_confusion, names.get(p.a, ""), names.get(p.b, "")),
        )
        for p in report.pairs
    ]
    chart = None
    if pairs:
        chart = charts.bar_chart(
            [
                (
                    pv.label,
                    list(
                        zip(
                            CHART_MEASURES,
                            (pv.pair.exact.f1, pv.pair.overlap.f1, pv.pair.stance.kappa, pv.pair.speaker.raw),
                            strict=True,
                        )
                    ),
                )
                for pv in pairs
            ]
        )
    alpha_u = [
        (STANCE_LABELS.get(cat, cat), report.unitizing.per_category[cat])
        for cat in report.categories
        if cat in report.unitizing.per_category
    ]
    return AgreementView(
        report=report,
        names=names,
        pairs=pairs,
        pooled=confusion_view(report.stance_confusion, "first analyst", "second analyst"),
        alpha_u=alpha_u,
        chart=chart,
    )


# ---- Compare page -----------------------------------------------------------------------------


@dataclass
class VersionView:
    """One analyst's column in a unit: their statement (or None) with the unit's text around it."""

    analyst: User
    label: str
    statement: Statement | None
    before: str = ""
    after: str = ""


@dataclass
class UnitView:
    key: int  # the smallest statement id of the unit: stable while its statements exist
    unit: AlignedUnit
    differences: list[str]
    state: str  # "open" (a lead must decide), "agreed" (everyone agrees, no gold yet), "gold"
    versions: list[VersionView]
    form: object | None = None  # the merged-version form, when open on this unit

    @property
    def source_ids(self) -> list[int]:
        return sorted(s.pk for s in self.unit.statements)

    @property
    def collapsed(self) -> bool:
        """Agreeing and adjudicated units are folded; the ones to decide stay open."""
        return self.state != "open" and self.form is None

    @property
    def first(self) -> Statement:
        return min(self.unit.statements, key=lambda s: (s.start, -s.end, s.pk))

    @property
    def differs(self) -> dict[str, bool]:
        return {name: name in self.differences for name in DIFFERENCE_LABELS}

    @property
    def difference_names(self) -> list[str]:
        return [DIFFERENCE_LABELS[d] for d in self.differences]


DIFFERENCE_LABELS = {
    "missing": "missing",
    "span": "span boundaries",
    "stance": "stance",
    "speaker": "speaker",
    "addressee": "addressee",
    "conditions": "conditions",
}


def compare_units(comparison: Comparison, text: str) -> list[UnitView]:
    """The units of `comparison` with one column per analyst (no query: everything is in the
    comparison already)."""
    ids = comparison.analyst_ids
    out = []
    for unit in comparison.units:
        differences = unit.differences(ids) if len(ids) > 1 else []
        if unit.gold is not None:
            state = "gold"
        elif unit.is_agreed(ids):
            state = "agreed"
        else:
            state = "open"
        versions = []
        for analyst in comparison.analysts:
            s = unit.versions.get(analyst.pk)
            v = VersionView(analyst=analyst, label=analyst_label(analyst), statement=s)
            if s is not None:
                v.before = text[unit.start : s.start]
                v.after = text[s.end : unit.end]
            versions.append(v)
        out.append(
            UnitView(
                key=min(s.pk for s in unit.statements),
                unit=unit,
                differences=differences,
                state=state,
                versions=versions,
            )
        )
    return out


def condition_evidence(statements: Iterable[Statement]) -> dict[str, Condition]:
    """The conditions of `statements` by normalized description, so that a merged version that
    keeps a condition's wording also keeps its evidence span (uses the conditions prefetch)."""
    out: dict[str, Condition] = {}
    for s in statements:
        for c in s.conditions.all():
            key = " ".join(c.description.split()).casefold()
            if c.has_evidence and key not in out:
                out[key] = c
    return out


# ---- Dashboard --------------------------------------------------------------------------------


@dataclass
class BacklogArticle:
    article_id: int
    title: str
    pending: int
    oldest: dt.datetime


@dataclass
class Backlog:
    pending: int
    oldest: dt.datetime | None
    articles: list[BacklogArticle]

    @property
    def oldest_age(self) -> dt.timedelta | None:
        return timezone.now() - self.oldest if self.oldest else None


def review_backlog(*, limit: int = 10) -> Backlog:
    """Analysts' statements awaiting review (pending, never gold): how many, since when (the
    oldest last change: an edit after a verdict puts a statement back in the queue), and the
    articles with the most. Two queries: the totals, and the top articles."""
    pending = Statement.objects.filter(status=Status.PENDING, is_gold=False)
    totals = pending.aggregate(n=Count("id"), oldest=Min("updated_at"))
    rows = (
        pending.values("article_id", "article__title")
        .annotate(n=Count("id"), oldest=Min("updated_at"))
        .order_by("-n", "oldest", "article_id")[:limit]
    )
    return Backlog(
        pending=totals["n"],
        oldest=totals["oldest"],
        articles=[
            BacklogArticle(
                article_id=r["article_id"], title=r["article__title"], pending=r["n"], oldest=r["oldest"]
            )
            for r in rows
        ],
    )


@dataclass
class DisagreementRow:
    article_id: int
    title: str
    analysts: int
    units: int
    open: int  # units that differ and have no gold statement yet
    agreed: int  # units everyone agrees on, without a gold statement yet


def _norm_conditions(descriptions: Iterable[str]) -> frozenset[str]:
    return frozenset(" ".join(d.split()).casefold() for d in descriptions)


def open_disagreements(
    *, threshold: float = agreement.DEFAULT_THRESHOLD, limit: int = 20
) -> tuple[list[DisagreementRow], int]:
    """Articles annotated by two analysts or more that still need a lead: units that differ
    (span, stance, speaker, addressee, conditions, or someone missing; the same rule as the
    compare page) and have no gold statement. Returns the articles with the most open units
    first (at most `limit`) and how many articles need adjudication in all.

    Five queries whatever the size of the corpus: the analysts' statements, their condition
    descriptions, the statements already adjudicated into gold, the assignments, and the titles
    of the listed articles. The units come from agreement.cluster_spans, exactly as on the compare page."""
    rows = list(
        Statement.objects.filter(is_gold=False).values_list(
            "pk", "annotator_id", "article_id", "start", "end", "stance", "speaker_id", "addressee_id"
        )
    )
    conditions: dict[int, list[str]] = defaultdict(list)
    for statement_id, description in Condition.objects.filter(statement__is_gold=False).values_list(
        "statement_id", "description"
    ):
        conditions[statement_id].append(description)
    adjudicated = set(
        Statement.adjudicated_from.through.objects.filter(from_statement__is_gold=True).values_list(
            "to_statement_id", flat=True
        )
    )
    # as on the compare page: on an article with assignments only the assigned analysts count
    assigned = review.assigned_analysts({row[2] for row in rows})
    analysts: dict[int, set[int]] = defaultdict(set)
    info: dict[int, tuple[int | None, frozenset[str]]] = {}
    spans = []
    for pk, annotator, article, start, end, stance, speaker, addressee in rows:
        if article in assigned and annotator not in assigned[article]:
            continue
        analysts[article].add(annotator)
        info[pk] = (addressee, _norm_conditions(conditions.get(pk, ())))
        spans.append(agreement.Span(annotator, article, start, end, stance, speaker, (), pk))
    spans = [s for s in spans if len(analysts[s.article]) > 1]
    per_article: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # units, open, agreed
    for cluster in agreement.cluster_spans(spans, threshold=threshold):
        article = cluster[0].article
        counts = per_article[article]
        counts[0] += 1
        if any(s.id in adjudicated for s in cluster):
            continue
        agreed = (
            len(cluster) == len(analysts[article])
            and len({(s.start, s.end) for s in cluster}) == 1
            and len({s.stance for s in cluster}) == 1
            and len({s.speaker for s in cluster}) == 1
            and len({info[s.id] for s in cluster}) == 1
        )
        counts[2 if agreed else 1] += 1
    needing = [a for a, c in per_article.items() if c[1] or c[2]]
    needing.sort(key=lambda a: (-per_article[a][1], -per_article[a][2], a))
    shown = needing[:limit]
    titles = dict(Article.objects.filter(pk__in=shown).values_list("pk", "title")) if shown else {}
    out = [
        DisagreementRow(
            article_id=a,
            title=titles.get(a, f"#{a}"),
            analysts=len(analysts[a]),
            units=per_article[a][0],
            open=per_article[a][1],
            agreed=per_article[a][2],
        )
        for a in shown
    ]
    return out, len(needing)


@dataclass
class TrendRow:
    month: str
    articles: int
    pairs: int
    overlap_f1: float | None
    stance_kappa: float | None
    stance_alpha: float | None
    alpha_u: float | None


def _mean(values: Iterable[float | None]) -> float | None:
    vs = [v for v in values if v is not None]
    return sum(vs) / len(vs) if vs else None


TREND_SERIES = ("Overlap F1", "Stance α", "Unitizing α_U")


def agreement_trend(points: list[AgreementPoint]) -> tuple[list[TrendRow], charts.LineChart | None]:
    """Rows and a line chart of agreement per month (no query: `points` hold the reports)."""
    rows = [
        TrendRow(
            month=p.month,
            articles=p.articles,
            pairs=len(p.report.pairs),
            overlap_f1=p.overlap_f1,
            stance_kappa=_mean(pair.stance.kappa for pair in p.report.pairs),
            stance_alpha=p.report.stance_alpha.alpha,
            alpha_u=p.report.unitizing.overall,
        )
        for p in points
    ]
    if not rows:
        return rows, None
    chart = charts.line_chart(
        [r.month for r in rows],
        [
            (TREND_SERIES[0], [r.overlap_f1 for r in rows]),
            (TREND_SERIES[1], [r.stance_alpha for r in rows]),
            (TREND_SERIES[2], [r.alpha_u for r in rows]),
        ],
    )
    return rows, chart
