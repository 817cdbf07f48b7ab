"""Reads and view models for the agreement, compare and dashboard pages
(statements/views/agreement.py).

The numbers come from statements/selectors/alignment.py (which fetches) and statements/agreement.py (which
computes); this module chooses the articles a page is about, names the analysts, and arranges
the results for the templates. Every function that queries says how many queries it makes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from statements import agreement
from statements.models import (
    Condition,
    Stance,
    Statement,
    User,
    label_of,
)
from statements.presenters import charts
from statements.selectors import alignment

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
    labels = [label_of(Stance, x) for x in confusion.labels]
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
        (label_of(Stance, cat), report.unitizing.per_category[cat])
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


@dataclass(frozen=True)
class Excerpt:
    """A stretch of the article text for the merged-gold form to select a span in: `text` is
    article.text[start:start + len(text)] (code points)."""

    start: int
    text: str


def excerpt_around(text: str, start: int, end: int, *, margin: int = 400) -> Excerpt:
    """The paragraph(s) holding [start, end), cut at most `margin` code points either side (at a
    space, so no word is cut in two)."""
    lo = max(0, start - margin)
    if (paragraph := text.rfind("\n\n", lo, start)) >= 0:
        lo = paragraph + 2
    elif lo > 0 and (space := text.find(" ", lo, start)) >= 0:
        lo = space + 1
    hi = min(len(text), end + margin)
    if (paragraph := text.find("\n\n", end, hi)) >= 0:
        hi = paragraph
    elif hi < len(text) and (space := text.rfind(" ", end, hi)) >= 0:
        hi = space
    return Excerpt(lo, text[lo:hi])


@dataclass
class UnitView:
    key: int  # the smallest statement id of the unit: stable while its statements exist
    unit: alignment.AlignedUnit
    differences: list[str]
    # "open" (a lead must decide), "agreed" (everyone agrees, no gold yet), "gold", "dismissed"
    state: str
    versions: list[VersionView]
    form: object | None = None  # the merged-version form, when open on this unit
    excerpt: Excerpt | None = None  # the text its span is selected in, with the form

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


def compare_units(comparison: alignment.Comparison, text: str) -> list[UnitView]:
    """The units of `comparison` with one column per analyst (no query: everything is in the
    comparison already)."""
    ids = comparison.analyst_ids
    out = []
    for unit in comparison.units:
        differences = unit.differences(ids) if len(ids) > 1 else []
        if unit.gold is not None:
            state = "gold"
        elif unit.dismissal is not None:
            state = "dismissed"
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
            key = agreement.condition_key(c.description)
            if c.has_evidence and key not in out:
                out[key] = c
    return out


# ---- Dashboard --------------------------------------------------------------------------------


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


def agreement_trend(points: list[alignment.AgreementPoint]) -> tuple[list[TrendRow], charts.LineChart | None]:
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
