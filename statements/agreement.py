"""Inter-annotator agreement on statement spans: pure functions, no database, no Django.

Callers fetch the statements (and the article lengths) and pass them in as `Span`s; every
function here is deterministic, symmetric in the analysts and independent of input order.

What is computed (definitions in the docstrings below):

- **Span matching** between two analysts, within each article: *exact* (same `start` and `end`)
  and *overlap* (character Jaccard |x ∩ y| / |x ∪ y| >= a threshold, default 0.5). Matching is
  one-to-one and greedy, best Jaccard first (see `match_spans` for the tie-breaking and why
  greedy is used). Precision, recall and F1 of one analyst's spans against the other's; pooled
  over a set of articles by adding the counts (micro-average).
- **On matched spans** (overlap matching): raw agreement and Cohen's kappa for the stance, the
  speaker and the set of conditions, and a stance confusion matrix.
- **Across all analysts**: Krippendorff's alpha (nominal) for the stance over *units*, i.e.
  clusters of mutually matching spans (at most one span per analyst; an analyst without a span
  in the cluster is a missing value), and Krippendorff's unitizing alpha (alpha_U, 1995/2004)
  over the character continuum, per stance, overall, and ignoring the stance.

Undefined is `None`, never a division by zero or NaN: kappa when there are no matched pairs or
when both analysts used one and the same category throughout (expected agreement 1); alpha when
fewer than two values are pairable or all values are the same; alpha_U when no article has two
analysts or no unit of the category exists; precision, recall and F1 when their denominators are
zero. All report objects are frozen dataclasses with `to_dict()` (JSON-ready: no NaN, no sets).
"""

from __future__ import annotations

import bisect
import dataclasses
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any

# Same values as statements.models.Stance (a test keeps them in step); no Django import here.
STANCES: tuple[str, ...] = ("support", "caveat", "demand")
DEFAULT_THRESHOLD = 0.5

# Ids of annotators, articles and speakers: any hashable value (database ids, or strings in tests
# and benchmarks). Any rather than Hashable so that callers keep their own key types.
type Key = Any


@dataclass(frozen=True, slots=True)
class Span:
    """One analyst's statement: a code-point span [start, end) of an article, with its labels.

    `annotator`, `article`, `speaker` and `id` are any hashable ids (user id, article id, actor
    id, statement id). `conditions` holds the condition descriptions; they are compared as a set,
    ignoring case and runs of white space.
    """

    annotator: Key
    article: Key
    start: int
    end: int
    stance: str
    speaker: Key | None = None
    conditions: tuple[str, ...] = ()
    id: Key = None

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end):
            raise ValueError(f"A span needs 0 <= start < end, got [{self.start}, {self.end}).")

    @property
    def length(self) -> int:
        return self.end - self.start

    @classmethod
    def from_statement(cls, statement: Any, *, conditions: Iterable[str] = ()) -> Span:
        """A Span from a Statement (or anything with the same attributes). Reads only concrete
        columns (`annotator_id`, `article_id`, `speaker_id`, ...), never a relation, so it makes
        no query; pass the condition descriptions yourself if you want them compared."""
        return cls(
            annotator=statement.annotator_id,
            article=statement.article_id,
            start=statement.start,
            end=statement.end,
            stance=statement.stance,
            speaker=statement.speaker_id,
            conditions=tuple(conditions),
            id=statement.pk,
        )


def jaccard(x: Span, y: Span) -> float:
    """Character Jaccard |x ∩ y| / |x ∪ y| of two spans (0.0 across articles or when disjoint)."""
    if x.article != y.article:
        return 0.0
    inter = min(x.end, y.end) - max(x.start, y.start)
    if inter <= 0:
        return 0.0
    return inter / (max(x.end, y.end) - min(x.start, y.start))


# ---- Result types --------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, frozenset | set):
        return sorted((_jsonable(v) for v in value), key=str)
    return value


class _ToDict:
    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts, lists, numbers, strings and None: ready for json.dumps(allow_nan=False)."""
        return _jsonable(dataclasses.asdict(self))  # type: ignore[call-overload]  # a dataclass mixin


@dataclass(frozen=True, slots=True)
class MatchScores(_ToDict):
    """Matches of analyst b's spans against analyst a's (a is the reference).

    precision = matched / n_b, recall = matched / n_a, F1 = 2 matched / (n_a + n_b);
    None when the denominator is 0 (F1 is 0.0 when only one analyst marked anything)."""

    matched: int
    n_a: int
    n_b: int
    precision: float | None
    recall: float | None
    f1: float | None

    @classmethod
    def of(cls, matched: int, n_a: int, n_b: int) -> MatchScores:
        return cls(
            matched=matched,
            n_a=n_a,
            n_b=n_b,
            precision=matched / n_b if n_b else None,
            recall=matched / n_a if n_a else None,
            f1=2 * matched / (n_a + n_b) if n_a + n_b else None,
        )


@dataclass(frozen=True, slots=True)
class MatchedPair:
    a: Span
    b: Span
    jaccard: float


@dataclass(frozen=True, slots=True)
class Matching:
    """A one-to-one matching of spans `a` (reference) against spans `b`."""

    pairs: tuple[MatchedPair, ...]
    unmatched_a: tuple[Span, ...]
    unmatched_b: tuple[Span, ...]

    @property
    def scores(self) -> MatchScores:
        n = len(self.pairs)
        return MatchScores.of(n, n + len(self.unmatched_a), n + len(self.unmatched_b))


@dataclass(frozen=True, slots=True)
class LabelAgreement(_ToDict):
    """Agreement on a nominal label over `n` matched pairs: raw share equal and Cohen's kappa."""

    n: int
    raw: float | None
    kappa: float | None


@dataclass(frozen=True, slots=True)
class Confusion(_ToDict):
    """Counts of matched pairs: rows are analyst a's label, columns analyst b's."""

    labels: tuple[str, ...]
    matrix: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class PairAgreement(_ToDict):
    """Two analysts over the articles both annotated (counts added up over those articles)."""

    a: Key
    b: Key
    articles: int
    exact: MatchScores
    overlap: MatchScores
    stance: LabelAgreement
    speaker: LabelAgreement
    conditions: LabelAgreement
    stance_confusion: Confusion


@dataclass(frozen=True, slots=True)
class NominalAlpha(_ToDict):
    """Krippendorff's alpha (nominal) with its coincidence matrix.

    `units` counts the pairable units (two values or more), `values` the values in them."""

    alpha: float | None
    units: int
    values: int
    labels: tuple[Key, ...]
    coincidences: tuple[tuple[float, ...], ...]


@dataclass(frozen=True, slots=True)
class CategoryAlphaU(_ToDict):
    """alpha_U for one category: 1 - observed / expected disagreement; `units` is the number of
    units (each analyst's merged spans of the category) that entered."""

    alpha: float | None
    observed: float
    expected: float
    units: int


@dataclass(frozen=True, slots=True)
class UnitizingAlpha(_ToDict):
    """Krippendorff's alpha_U per stance, overall (sum of the observed over the sum of the
    expected disagreements of the stances) and `any` (where statements are, stance ignored)."""

    per_category: dict[str, CategoryAlphaU]
    overall: float | None
    any: CategoryAlphaU
    articles: int
    length: int


@dataclass(frozen=True, slots=True)
class AgreementReport(_ToDict):
    """Everything for one article or a set of articles; see `agreement_report`."""

    articles: int
    annotators: tuple[Key, ...]
    spans: int
    threshold: float
    pairs: tuple[PairAgreement, ...]
    stance_confusion: Confusion
    stance_alpha: NominalAlpha
    unitizing: UnitizingAlpha
    categories: tuple[str, ...]


# ---- Kappa and alpha -----------------------------------------------------------------------


def _kappa_from_counts(pairs: Mapping[tuple[Key, Key], int]) -> LabelAgreement:
    n = sum(pairs.values())
    if n == 0:
        return LabelAgreement(n=0, raw=None, kappa=None)
    rows: Counter[Key] = Counter()
    cols: Counter[Key] = Counter()
    agree = 0
    for (x, y), count in pairs.items():
        rows[x] += count
        cols[y] += count
        if x == y:
            agree += count
    p_o = Fraction(agree, n)
    p_e = Fraction(sum(rows[k] * cols[k] for k in rows), n * n)
    kappa = None if p_e == 1 else float((p_o - p_e) / (1 - p_e))
    return LabelAgreement(n=n, raw=float(p_o), kappa=kappa)


def cohen_kappa(table: Sequence[Sequence[int]]) -> float | None:
    """Cohen's (1960) kappa of a square contingency table (rows: rater a, columns: rater b).

    kappa = (p_o - p_e) / (1 - p_e); None for an empty table or when p_e = 1 (both raters used a
    single, identical category: agreement is perfect but kappa is 0/0)."""
    k = len(table)
    if any(len(row) != k for row in table):
        raise ValueError("The table must be square.")
    counts = {(i, j): table[i][j] for i in range(k) for j in range(k) if table[i][j]}
    return _kappa_from_counts(counts).kappa


def label_agreement(pairs: Iterable[tuple[Key, Key]]) -> LabelAgreement:
    """Raw agreement and Cohen's kappa over (label of a, label of b) pairs."""
    return _kappa_from_counts(Counter(pairs))


class _AlphaAccumulator:
    """Coincidences of nominal values, kept exact: integer counts per unit size m, weighted by
    1/(m - 1) only at the end (Krippendorff 2011)."""

    def __init__(self) -> None:
        self.by_size: dict[int, Counter[tuple[Key, Key]]] = defaultdict(Counter)
        self.units = 0

    def add(self, values: Counter[Key]) -> None:
        m = sum(values.values())
        if m < 2:
            return  # a lone value is not pairable: it carries no information about agreement
        self.units += 1
        pairs = self.by_size[m]
        for c, n_c in values.items():
            for k, n_k in values.items():
                pairs[c, k] += n_c * (n_k - (c == k))

    def result(self, labels: Sequence[Key] = ()) -> NominalAlpha:
        o: dict[tuple[Key, Key], Fraction] = defaultdict(Fraction)
        for m, pairs in self.by_size.items():
            for key, count in pairs.items():
                o[key] += Fraction(count, m - 1)
        n_c: dict[Key, Fraction] = defaultdict(Fraction)
        for (c, _), value in o.items():
            n_c[c] += value
        seen = set(n_c)
        ordered = [x for x in labels if x in seen] + sorted(seen - set(labels), key=_order_key)
        n = sum(n_c.values())
        disagree = sum((v for (c, k), v in o.items() if c != k), Fraction(0))
        expected = n * n - sum(v * v for v in n_c.values())  # sum over c != k of n_c n_k
        alpha = None if n < 2 or expected == 0 else float(1 - (n - 1) * disagree / expected)
        matrix = tuple(tuple(float(o.get((c, k), 0)) for k in ordered) for c in ordered)
        return NominalAlpha(
            alpha=alpha, units=self.units, values=int(n), labels=tuple(ordered), coincidences=matrix
        )


def krippendorff_alpha(units: Iterable[Iterable[Key | None]], *, labels: Sequence[Key] = ()) -> NominalAlpha:
    """Krippendorff's alpha for nominal data. Each unit is the list of the values the observers
    gave it, None for a missing value (a column of the reliability data matrix). `labels` orders
    the coincidence matrix (values not in it follow, sorted).

    alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k, with o the coincidence matrix
    (each unit with m_u >= 2 values contributes its ordered value pairs weighted 1/(m_u - 1)).
    None when fewer than two values are pairable or every pairable value is the same."""
    acc = _AlphaAccumulator()
    for unit in units:
        acc.add(Counter(v for v in unit if v is not None))
    return acc.result(labels)


# ---- Span matching -------------------------------------------------------------------------


def _order_key(x: Any) -> tuple[int, Any]:
    """A total order over ids of mixed types: numbers first (numerically), then strings."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        return (1, "" if x is None else str(x))
    return (0, x)


def _str(x: Any) -> str:
    return "" if x is None else f"{type(x).__name__}:{x}"


def _canonical_key(s: Span) -> tuple:
    return (s.start, s.end, s.stance, _str(s.speaker), s.conditions, _str(s.id), _str(s.annotator))


def condition_key(description: str) -> str:
    """When two conditions are the same one: their descriptions equal once white space is
    collapsed and case folded ("Withdraw  troops" == "withdraw troops"). The one definition,
    used by agreement, the compare page, the dashboard and the merged-gold form."""
    return " ".join(description.split()).casefold()


def conditions_key(descriptions: Iterable[str]) -> frozenset[str]:
    """A statement's conditions as a set of `condition_key`s (order does not matter)."""
    return frozenset(condition_key(d) for d in descriptions)


def _norm_conditions(s: Span) -> frozenset[str]:
    return conditions_key(s.conditions)


@dataclass(frozen=True, slots=True)
class Version:
    """One analyst's statement in an aligned unit, as far as agreeing on it is concerned."""

    start: int
    end: int
    stance: str
    speaker: Key
    addressee: Key
    conditions: frozenset[str]  # `conditions_key` of its descriptions


def unit_differences(versions: Iterable[Version], *, complete: bool) -> list[str]:
    """What the analysts' versions of one unit disagree on: 'missing' (not every analyst marked
    it: `complete` is False), 'span', 'stance', 'speaker', 'addressee', 'conditions'. Empty
    when everyone marked the same thing."""
    vs = list(versions)
    out = [] if complete else ["missing"]
    for name, values in (
        ("span", {(v.start, v.end) for v in vs}),
        ("stance", {v.stance for v in vs}),
        ("speaker", {v.speaker for v in vs}),
        ("addressee", {v.addressee for v in vs}),
        ("conditions", {v.conditions for v in vs}),
    ):
        if len(values) > 1:
            out.append(name)
    return out


def unit_is_agreed(versions: Iterable[Version], *, analysts: int, complete: bool) -> bool:
    """The agreed-unit rule: two analysts or more, and their versions do not differ at all."""
    return analysts >= 2 and not unit_differences(versions, complete=complete)


def _candidates(
    spans: Sequence[Span], group: Sequence[int], threshold: float
) -> list[tuple[float, bool, bool, int, int, int, int]]:
    """Pairs of spans of different groups (analysts) in one article with Jaccard >= threshold,
    best first: (-jaccard, stances differ, speakers differ, rank, rank, i, j), i and j indices
    into `spans` with rank[i] < rank[j]. Ranks are positions in the canonical order of the spans,
    so the order does not depend on the input order nor on which analyst comes first.

    One sweep in order of start: a span is compared only with the still-open spans (end > its
    start), i.e. with exactly the spans it overlaps."""
    order = sorted(range(len(spans)), key=lambda i: _canonical_key(spans[i]))
    out = []
    active: list[int] = []
    for rank_i, i in enumerate(order):
        s = spans[i]
        start, end, gi = s.start, s.end, group[i]
        if active:
            active = [k for k in active if spans[order[k]].end > start]
        for rank_k in active:
            k = order[rank_k]
            if group[k] == gi:
                continue
            t = spans[k]
            # t.start <= start < t.end: they overlap
            te = t.end
            jac = ((te if te < end else end) - start) / ((te if te > end else end) - t.start)
            if jac >= threshold:
                out.append((-jac, t.stance != s.stance, t.speaker != s.speaker, rank_k, rank_i, k, i))
        active.append(rank_i)
    out.sort()
    return out


def _greedy(cands: Iterable[tuple], exact: bool = False) -> list[tuple[int, int, float]]:
    used: set[int] = set()
    pairs = []
    for cand in cands:
        if exact and cand[0] != -1.0:
            break  # sorted best first: no exact pair after the first inexact one
        i, j = cand[5], cand[6]
        if i in used or j in used:
            continue
        used.add(i)
        used.add(j)
        pairs.append((i, j, -cand[0]))
    return pairs


def _check_threshold(threshold: float) -> None:
    if not 0 < threshold <= 1:
        raise ValueError(f"The Jaccard threshold must be in (0, 1], got {threshold}.")


def _by_article(spans: Iterable[Span]) -> dict[Key, list[Span]]:
    out: dict[Key, list[Span]] = defaultdict(list)
    for s in spans:
        out[s.article].append(s)
    return out


def match_spans(a: Iterable[Span], b: Iterable[Span], *, threshold: float = DEFAULT_THRESHOLD) -> Matching:
    """One-to-one matching of spans `b` against the reference spans `a`, article by article.

    Two spans can match when they are in the same article and their character Jaccard is >=
    `threshold` (1.0 means exact: same start and end). Matching is greedy: candidate pairs in
    decreasing Jaccard, and among equal Jaccard those agreeing on stance, then on speaker, first;
    remaining ties go by the canonical order of the spans (position, then labels, then ids), so
    the result does not depend on input order and is the same whichever side is `a`.

    Why greedy rather than an optimal assignment: with a threshold above 0.5 and non-overlapping
    spans per analyst, a span has at most one candidate partner (two disjoint spans cannot both
    cover more than half of a third), so greedy *is* optimal; ties (exactly 0.5) and an analyst's
    own overlapping spans are rare, and there greedy keeps the closest pairs, which is what an
    adjudicator would pair up, in O(k log k) for k candidate pairs.
    """
    _check_threshold(threshold)
    a_by, b_by = _by_article(a), _by_article(b)
    pairs: list[MatchedPair] = []
    un_a: list[Span] = []
    un_b: list[Span] = []
    for article in sorted(set(a_by) | set(b_by), key=_order_key):
        xs, ys = a_by.get(article, []), b_by.get(article, [])
        spans = xs + ys
        group = [0] * len(xs) + [1] * len(ys)
        used: set[int] = set()
        found = []
        for i, j, jac in _greedy(_candidates(spans, group, threshold)):
            if group[i] == 1:
                i, j = j, i
            used.update((i, j))
            found.append(MatchedPair(spans[i], spans[j], jac))
        found.sort(key=lambda p: (_canonical_key(p.a), _canonical_key(p.b)))
        pairs.extend(found)
        un_a.extend(sorted((s for k, s in enumerate(xs) if k not in used), key=_canonical_key))
        un_b.extend(sorted((s for k, s in enumerate(ys, len(xs)) if k not in used), key=_canonical_key))
    return Matching(pairs=tuple(pairs), unmatched_a=tuple(un_a), unmatched_b=tuple(un_b))


def match_exact(a: Iterable[Span], b: Iterable[Span]) -> Matching:
    """One-to-one matching on identical (start, end); see `match_spans`."""
    return match_spans(a, b, threshold=1.0)


def _clusters(
    spans: Sequence[Span], group: Sequence[int], cands: Iterable[tuple[Any, ...]], threshold: float
) -> list[list[int]]:
    """Agglomerate spans into units, best candidate pair first: two clusters merge when they
    share no analyst and every cross pair has Jaccard >= threshold (complete linkage), so a unit
    is a set of mutually matching spans, at most one per analyst. With two analysts this is
    exactly the greedy one-to-one matching."""
    member: list[list[int]] = [[i] for i in range(len(spans))]
    for cand in cands:
        i, j = cand[5], cand[6]
        ci, cj = member[i], member[j]
        if ci is cj:
            continue
        if len(ci) > 1 or len(cj) > 1:
            if {group[x] for x in ci} & {group[y] for y in cj}:
                continue
            if any(jaccard(spans[x], spans[y]) < threshold for x in ci for y in cj):
                continue
        ci.extend(cj)
        for y in cj:
            member[y] = ci
    seen: set[int] = set()
    out = []
    for cluster in member:
        if id(cluster) not in seen:
            seen.add(id(cluster))
            out.append(cluster)
    return out


def cluster_spans(spans: Iterable[Span], *, threshold: float = DEFAULT_THRESHOLD) -> list[tuple[Span, ...]]:
    """Align all analysts' spans into units (clusters of mutually matching spans, at most one
    per analyst; unmatched spans are clusters of one), e.g. for a side-by-side compare page.
    Clusters come in text order; the spans in a cluster in analyst order."""
    _check_threshold(threshold)
    out: list[tuple[Span, ...]] = []
    for _, items in sorted(_by_article(spans).items(), key=lambda kv: _order_key(kv[0])):
        analysts = {a: n for n, a in enumerate(sorted({s.annotator for s in items}, key=_order_key))}
        group = [analysts[s.annotator] for s in items]
        cands = _candidates(items, group, threshold)
        for cluster in _clusters(items, group, cands, threshold):
            out.append(tuple(items[k] for k in sorted(cluster, key=lambda k: group[k])))
    # ties (the same first span in two clusters, as with duplicates) are broken by the whole
    # cluster, so that the order never depends on the order of the input
    out.sort(key=lambda c: (_order_key(c[0].article), sorted(_canonical_key(s) for s in c)))
    return out


# ---- Unitizing alpha -----------------------------------------------------------------------

ANY = "*"  # the pseudo-category "any statement", for alpha_U ignoring the stance


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of overlapping intervals (one analyst's units of one category may not overlap in
    alpha_U); touching intervals stay separate units."""
    intervals.sort()
    out: list[list[int]] = []
    for s, e in intervals:
        if out and s < out[-1][1]:
            if e > out[-1][1]:
                out[-1][1] = e
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _pair_observed(u: list[tuple[int, int]], v: list[tuple[int, int]]) -> int:
    """Sum of Krippendorff's delta^2 over the segments of two analysts (one direction).

    Units that overlap: (begin difference)^2 + (end difference)^2; a unit that lies inside the
    other analyst's gap (overlaps none of their units): its length^2; everything else 0. Both
    lists are sorted and disjoint, so a two-pointer sweep finds every overlapping pair."""
    total = 0
    hit_u = [False] * len(u)
    hit_v = [False] * len(v)
    i = j = 0
    while i < len(u) and j < len(v):
        us, ue = u[i]
        vs, ve = v[j]
        if ue <= vs:
            i += 1
        elif ve <= us:
            j += 1
        else:
            total += (us - vs) ** 2 + (ue - ve) ** 2
            hit_u[i] = hit_v[j] = True
            if ue <= ve:
                i += 1
            if ve <= ue:
                j += 1
    total += sum((e - s) ** 2 for (s, e), hit in zip(u, hit_u, strict=True) if not hit)
    total += sum((e - s) ** 2 for (s, e), hit in zip(v, hit_v, strict=True) if not hit)
    return total


class _UnitizingAccumulator:
    """Sums for alpha_U of one category over a set of articles (see `unitizing_alpha`)."""

    def __init__(self) -> None:
        self.observed_by_m: Counter[int] = Counter()  # m -> sum over ordered analyst pairs
        self.units: Counter[int] = Counter()  # unit length -> count
        self.gaps: list[int] = []

    def add(self, length: int, coders: list[list[tuple[int, int]]]) -> None:
        merged = [_merge(c) for c in coders]
        m = len(merged)
        for x, y in combinations(merged, 2):
            self.observed_by_m[m] += 2 * _pair_observed(x, y)
        for units in merged:
            pos = 0
            for s, e in units:
                self.units[e - s] += 1
                if s > pos:
                    self.gaps.append(s - pos)
                pos = e
            if pos < length:
                self.gaps.append(length - pos)

    def result(self, total_length: int, coder_length: int) -> tuple[Fraction, Fraction, int]:
        """(D_o, D_e, number of units). L = total_length, M = sum of m_a L_a = coder_length."""
        n_units = sum(self.units.values())
        if n_units == 0:
            return Fraction(0), Fraction(0), 0
        observed = sum((Fraction(v, m - 1) for m, v in self.observed_by_m.items()), Fraction(0))
        d_o = observed / (coder_length * total_length)
        gaps = sorted(self.gaps)
        suffix = [0] * (len(gaps) + 1)  # suffix[k] = sum(gaps[k:])
        for k in range(len(gaps) - 1, -1, -1):
            suffix[k] = suffix[k + 1] + gaps[k]
        num = 0
        within = 0
        for ell, count in self.units.items():
            k = bisect.bisect_left(gaps, ell)
            fits = suffix[k] - (ell - 1) * (len(gaps) - k)  # sum over gaps g >= ell of (g - ell + 1)
            # (N - 1)/3 (2 l^3 - 3 l^2 + l): l (l - 1)(2 l - 1) is a multiple of 6
            num += count * ((n_units - 1) * (ell * (ell - 1) * (2 * ell - 1) // 3) + ell * ell * fits)
            within += count * ell * (ell - 1)
        d_e = Fraction(2 * num, total_length * (coder_length * (coder_length - 1) - within))
        return d_o, d_e, n_units


def _alpha_u(d_o: Fraction, d_e: Fraction, units: int) -> CategoryAlphaU:
    alpha = None if d_e == 0 else float(1 - d_o / d_e)
    return CategoryAlphaU(alpha=alpha, observed=float(d_o), expected=float(d_e), units=units)


class _Unitizing:
    def __init__(self, categories: Sequence[str]) -> None:
        self.categories = list(categories)
        self.acc = {c: _UnitizingAccumulator() for c in [*self.categories, ANY]}
        self.length = 0
        self.coder_length = 0
        self.articles = 0

    def add(self, length: int, coders: list[list[Span]]) -> None:
        if len(coders) < 2:
            return  # not pairable: one analyst alone says nothing about agreement
        self.articles += 1
        self.length += length
        self.coder_length += len(coders) * length
        for cat, acc in self.acc.items():
            acc.add(length, [[(s.start, s.end) for s in c if cat == ANY or s.stance == cat] for c in coders])

    def result(self) -> UnitizingAlpha:
        per: dict[str, CategoryAlphaU] = {}
        sum_o = sum_e = Fraction(0)
        any_ = CategoryAlphaU(alpha=None, observed=0.0, expected=0.0, units=0)
        for cat, acc in self.acc.items():
            if self.articles == 0:
                res = CategoryAlphaU(alpha=None, observed=0.0, expected=0.0, units=0)
            else:
                d_o, d_e, n = acc.result(self.length, self.coder_length)
                res = _alpha_u(d_o, d_e, n)
                if cat != ANY:
                    sum_o += d_o
                    sum_e += d_e
            if cat == ANY:
                any_ = res
            else:
                per[cat] = res
        overall = None if sum_e == 0 else float(1 - sum_o / sum_e)
        return UnitizingAlpha(
            per_category=per, overall=overall, any=any_, articles=self.articles, length=self.length
        )


def _categories(spans: Iterable[Span], categories: Sequence[str]) -> tuple[str, ...]:
    extra = {s.stance for s in spans} - set(categories)
    return (*categories, *sorted(extra))


def _coders(article: Key, items: list[Span], annotators: Mapping[Key, Collection[Key]] | None) -> list[Key]:
    if annotators is None:
        return sorted({s.annotator for s in items}, key=_order_key)
    return sorted(set(annotators.get(article, ())), key=_order_key)


def _length(lengths: Mapping[Key, int], article: Key, items: list[Span]) -> int:
    try:
        length = lengths[article]
    except KeyError:
        raise ValueError(f"No length given for article {article!r}.") from None
    if items and max(s.end for s in items) > length:
        raise ValueError(f"A span of article {article!r} ends past its length {length}.")
    return length


def unitizing_alpha(
    spans: Iterable[Span],
    *,
    lengths: Mapping[Key, int],
    annotators: Mapping[Key, Collection[Key]] | None = None,
    categories: Sequence[str] = STANCES,
) -> UnitizingAlpha:
    """Krippendorff's unitizing alpha (alpha_U; Krippendorff 1995, 2004 §12.4) over the
    character continuum [0, length) of each article, per category, overall and stance-blind.

    For a category c, each analyst's spans of c (overlapping ones merged) are units and the
    rest of the continuum gaps. With m analysts and a continuum of length L:

        D_o = sum_{i != j} sum_{g of i, h of j} delta^2(g, h) / (m (m - 1) L^2)
        delta^2 = (b_g - b_h)^2 + (e_g - e_h)^2   for overlapping units g, h
                = l_g^2                            for a unit g inside a gap h (and vice versa)
                = 0                                otherwise
        D_e = 2/L * sum_{units u} [ (N_c - 1)/3 (2 l_u^3 - 3 l_u^2 + l_u)
                                    + l_u^2 sum_{gaps g, l_g >= l_u} (l_g - l_u + 1) ]
              / (m L (m L - 1) - sum_{units u} l_u (l_u - 1))
        alpha_U(c) = 1 - D_o / D_e;  overall = 1 - sum_c D_o(c) / sum_c D_e(c)

    with N_c the number of units of c over all analysts. Several articles are pooled as one
    continuum of total length L (articles laid end to end, a gap never running across an
    article boundary); when articles have different numbers of analysts m_a, mL becomes
    M = sum m_a L_a and, as in Krippendorff's alpha for missing values, each article's pairs are
    weighted 1/(m_a - 1): D_o = sum_a S_a / (m_a - 1) / (M L). Both reduce to the formulas
    above when m is constant. Articles with fewer than two analysts are left out.

    `annotators` maps an article to its analysts (e.g. those who finished it): an analyst listed
    without spans marked nothing, spans of unlisted analysts are ignored. By default an
    article's analysts are those with spans on it. Exact arithmetic (integers, fractions).
    """
    spans = list(spans)
    cats = _categories(spans, categories)
    acc = _Unitizing(cats)
    by_article = _by_article(spans)
    keys = set(by_article) | (set(annotators) if annotators is not None else set())
    for article in sorted(keys, key=_order_key):
        items = by_article.get(article, [])
        coders = _coders(article, items, annotators)
        if len(coders) < 2:
            continue
        length = _length(lengths, article, items)
        per_coder: dict[Key, list[Span]] = {c: [] for c in coders}
        for s in items:
            if s.annotator in per_coder:
                per_coder[s.annotator].append(s)
        acc.add(length, list(per_coder.values()))
    return acc.result()


# ---- The full report -----------------------------------------------------------------------


@dataclass
class _PairAcc:
    articles: int = 0
    n_a: int = 0
    n_b: int = 0
    exact: int = 0
    overlap: int = 0
    stance: Counter = field(default_factory=Counter)
    speaker: Counter = field(default_factory=Counter)
    conditions: Counter = field(default_factory=Counter)


def _confusion(counts: Mapping[tuple[str, str], int], labels: Sequence[str]) -> Confusion:
    return Confusion(
        labels=tuple(labels), matrix=tuple(tuple(counts.get((x, y), 0) for y in labels) for x in labels)
    )


def agreement_report(
    spans: Iterable[Span],
    *,
    lengths: Mapping[Key, int],
    annotators: Mapping[Key, Collection[Key]] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    categories: Sequence[str] = STANCES,
) -> AgreementReport:
    """All agreement figures for one article or a set of articles.

    - `spans`: every analyst's spans on the articles (filter them first to narrow the analysts,
      or pass `annotators`).
    - `lengths`: article -> length of its text in code points (the alpha_U continuum).
    - `annotators`: optional article -> its analysts (e.g. assigned and finished); see
      `unitizing_alpha`. Default: the analysts with spans on the article.
    - `threshold`: the Jaccard threshold of overlap matching.

    Per pair of analysts (a before b in id order; a is the reference for precision and recall),
    over the articles both annotated: exact and overlap P/R/F1, and on the overlap-matched pairs
    the stance (raw, kappa, confusion matrix), speaker and conditions agreement; the stance
    confusion pooled over all pairs (the sum of their matrices); Krippendorff's alpha for the
    stance over units of mutually matching spans; alpha_U per stance, overall and stance-blind.
    """
    _check_threshold(threshold)
    spans = list(spans)
    cats = _categories(spans, categories)
    by_article = _by_article(spans)
    keys = set(by_article) | (set(annotators) if annotators is not None else set())
    pair_acc: dict[tuple[Key, Key], _PairAcc] = {}
    alpha_acc = _AlphaAccumulator()
    unitizing = _Unitizing(cats)
    all_coders: set[Key] = set()
    n_articles = n_spans = 0

    for article in sorted(keys, key=_order_key):
        coders = _coders(article, by_article.get(article, []), annotators)
        if not coders:
            continue
        index = {c: n for n, c in enumerate(coders)}
        items = [s for s in by_article.get(article, []) if s.annotator in index]
        length = _length(lengths, article, items)
        n_articles += 1
        n_spans += len(items)
        all_coders.update(coders)
        group = [index[s.annotator] for s in items]
        per_coder: list[list[Span]] = [[] for _ in coders]
        for s, g in zip(items, group, strict=True):
            per_coder[g].append(s)
        unitizing.add(length, per_coder)
        if len(coders) < 2:
            continue

        cands = _candidates(items, group, threshold)
        buckets: dict[tuple[int, int], list[tuple]] = defaultdict(list)
        for cand in cands:
            gi, gj = group[cand[5]], group[cand[6]]
            buckets[(gi, gj) if gi < gj else (gj, gi)].append(cand)
        for ga, gb in combinations(range(len(coders)), 2):
            acc = pair_acc.setdefault((coders[ga], coders[gb]), _PairAcc())
            acc.articles += 1
            acc.n_a += len(per_coder[ga])
            acc.n_b += len(per_coder[gb])
            bucket = buckets.get((ga, gb), [])
            acc.exact += len(_greedy(bucket, exact=True))
            matched = _greedy(bucket)
            acc.overlap += len(matched)
            for i, j, _ in matched:
                x, y = (items[i], items[j]) if group[i] == ga else (items[j], items[i])
                acc.stance[x.stance, y.stance] += 1
                acc.speaker[x.speaker, y.speaker] += 1
                acc.conditions[_norm_conditions(x), _norm_conditions(y)] += 1

        for cluster in _clusters(items, group, cands, threshold):
            if len(cluster) > 1:
                alpha_acc.add(Counter(items[k].stance for k in cluster))

    pairs = []
    pooled: Counter[tuple[str, str]] = Counter()
    for (a, b), acc in sorted(pair_acc.items(), key=lambda kv: (_order_key(kv[0][0]), _order_key(kv[0][1]))):
        pooled.update(acc.stance)
        pairs.append(
            PairAgreement(
                a=a,
                b=b,
                articles=acc.articles,
                exact=MatchScores.of(acc.exact, acc.n_a, acc.n_b),
                overlap=MatchScores.of(acc.overlap, acc.n_a, acc.n_b),
                stance=_kappa_from_counts(acc.stance),
                speaker=_kappa_from_counts(acc.speaker),
                conditions=_kappa_from_counts(acc.conditions),
                stance_confusion=_confusion(acc.stance, cats),
            )
        )
    return AgreementReport(
        articles=n_articles,
        annotators=tuple(sorted(all_coders, key=_order_key)),
        spans=n_spans,
        threshold=threshold,
        pairs=tuple(pairs),
        stance_confusion=_confusion(pooled, cats),
        stance_alpha=alpha_acc.result(cats),
        unitizing=unitizing.result(),
        categories=cats,
    )
