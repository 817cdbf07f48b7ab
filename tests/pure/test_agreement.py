"""statements/agreement.py: published values, span matching, degenerate cases and properties.

Pure tests: no database, no Django request cycle; they run in well under a few seconds.
"""

import json
import random
from fractions import Fraction
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statements.agreement import (
    STANCES,
    MatchScores,
    Span,
    agreement_report,
    cluster_spans,
    cohen_kappa,
    jaccard,
    krippendorff_alpha,
    label_agreement,
    match_exact,
    match_spans,
    unitizing_alpha,
)

# ---- Published values ------------------------------------------------------------------------

COHEN_1960 = [[88, 14, 18], [10, 40, 10], [2, 6, 12]]
ARTSTEIN_POESIO_2008 = [[46, 0, 0], [6, 32, 6], [0, 0, 10]]

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 observers, 12 units.
KRIPPENDORFF_2011 = [
    "1 2 3 3 2 1 4 1 2 . . .",
    "1 2 3 3 2 2 4 1 2 5 . 3",
    ". 3 3 3 2 3 4 2 2 5 1 .",
    "1 2 3 3 2 4 4 1 2 5 1 .",
]

# Krippendorff (2004, p. 254): continuum 150..450, two coders, (coder, begin, length, category).
KRIPPENDORFF_2004_UNITS = [
    (1, 225, 70, "c"),
    (1, 370, 30, "c"),
    (2, 220, 80, "c"),
    (2, 355, 20, "c"),
    (2, 400, 20, "c"),
    (1, 180, 60, "k"),
    (1, 300, 50, "k"),
    (2, 180, 60, "k"),
    (2, 300, 50, "k"),
]


def krippendorff_2004_spans(offset=150):
    # Our continuum starts at 0: shifting every position by the same amount changes nothing,
    # since alpha_U depends only on lengths and differences of positions.
    return [
        Span(coder, "ex", b - offset, b - offset + n, cat) for coder, b, n, cat in KRIPPENDORFF_2004_UNITS
    ]


def table_to_pairs(table):
    return [(i, j) for i, row in enumerate(table) for j, n in enumerate(row) for _ in range(n)]


def test_it_reproduces_cohen_1960_kappa():
    assert cohen_kappa(COHEN_1960) == pytest.approx(0.492, abs=5e-4)
    assert cohen_kappa(COHEN_1960) == pytest.approx(float(Fraction(29, 59)), rel=1e-12)  # (.70-.41)/.59


def test_it_reproduces_artstein_poesio_2008_kappa():
    assert cohen_kappa(ARTSTEIN_POESIO_2008) == pytest.approx(0.801, abs=5e-4)
    assert cohen_kappa(ARTSTEIN_POESIO_2008) == pytest.approx(float(Fraction(121, 151)), rel=1e-12)


def test_it_gives_the_same_kappa_from_label_pairs_as_from_the_table():
    result = label_agreement(table_to_pairs(COHEN_1960))
    assert result.n == 200
    assert result.raw == pytest.approx(0.70)
    assert result.kappa == pytest.approx(cohen_kappa(COHEN_1960), rel=1e-12)


def test_it_reproduces_krippendorff_2011_alpha_with_missing_values():
    rows = [[None if v == "." else int(v) for v in row.split()] for row in KRIPPENDORFF_2011]
    result = krippendorff_alpha(zip(*rows, strict=True))
    assert result.alpha == pytest.approx(0.743, abs=5e-4)
    assert result.alpha == pytest.approx(113 / 152, rel=1e-12)
    assert result.units == 11  # the last unit has a single value: not pairable
    assert result.values == 40


def test_it_reproduces_krippendorff_2004_unitizing_alpha():
    result = unitizing_alpha(krippendorff_2004_spans(), lengths={"ex": 300}, categories=("c", "k"))
    c, k = result.per_category["c"], result.per_category["k"]
    assert c.observed == pytest.approx(0.0144, abs=5e-5)
    assert c.observed == pytest.approx(1300 / 90000, rel=1e-12)  # (50 + 850 + 400) / 300^2
    assert c.expected == pytest.approx(0.0532, abs=5e-5)
    assert c.alpha == pytest.approx(0.7286, abs=5e-5)
    assert k.observed == 0
    assert k.expected == pytest.approx(0.0490, abs=5e-5)
    assert k.alpha == 1.0
    assert result.overall == pytest.approx(0.859, abs=5e-4)
    assert result.overall == pytest.approx(0.8587, abs=5e-5)
    assert (c.units, k.units, result.articles, result.length) == (5, 4, 1, 300)


def test_it_reports_the_krippendorff_2004_values_in_the_full_report():
    report = agreement_report(krippendorff_2004_spans(), lengths={"ex": 300}, categories=("c", "k"))
    assert report.unitizing.per_category["c"].alpha == pytest.approx(0.7286, abs=5e-5)
    assert report.unitizing.overall == pytest.approx(0.8587, abs=5e-5)
    (pair,) = report.pairs
    assert (pair.a, pair.b) == (1, 2)
    assert pair.exact.matched == 2  # the two k units
    assert pair.overlap.matched == 3  # and c 225-295 / 220-300 (Jaccard 70/80)


# ---- A literal transcription of the alpha_U formulas, to check the fast version against ----


def reference_alpha_u(articles, m):
    """D_o and D_e by the book: every pair of segments (units and gaps) of every ordered pair of
    coders, articles laid end to end with the gaps cut at article boundaries."""
    segments = [[] for _ in range(m)]  # (begin, end, is_unit)
    offset = 0
    for length, coders in articles:
        for i, units in enumerate(coders):
            pos = 0
            merged = []
            for b, e in sorted(units):
                if merged and b < merged[-1][1]:
                    merged[-1][1] = max(merged[-1][1], e)
                else:
                    merged.append([b, e])
            for b, e in merged:
                if b > pos:
                    segments[i].append((offset + pos, offset + b, False))
                segments[i].append((offset + b, offset + e, True))
                pos = e
            if pos < length:
                segments[i].append((offset + pos, offset + length, False))
        offset += length
    big_l = offset

    def delta2(g, h):
        (bg, eg, ug), (bh, eh, uh) = g, h
        if ug and uh and bg < eh and bh < eg:
            return (bg - bh) ** 2 + (eg - eh) ** 2
        if ug and not uh and bh <= bg and eg <= eh:
            return (eg - bg) ** 2
        if uh and not ug and bg <= bh and eh <= eg:
            return (eh - bh) ** 2
        return 0

    observed = sum(
        delta2(g, h) for i in range(m) for j in range(m) if i != j for g in segments[i] for h in segments[j]
    )
    d_o = Fraction(observed, m * (m - 1) * big_l**2)
    units = [e - b for segs in segments for b, e, u in segs if u]
    gaps = [e - b for segs in segments for b, e, u in segs if not u]
    n = len(units)
    num = sum(
        Fraction(n - 1, 3) * (2 * x**3 - 3 * x**2 + x) + x * x * sum(g - x + 1 for g in gaps if g >= x)
        for x in units
    )
    den = m * big_l * (m * big_l - 1) - sum(x * (x - 1) for x in units)
    return d_o, Fraction(2, big_l) * num / den


@st.composite
def unitizing_data(draw):
    m = draw(st.integers(2, 3))
    articles = []
    for _ in range(draw(st.integers(1, 3))):
        length = draw(st.integers(1, 40))
        coders = []
        for _ in range(m):
            units = []
            for _ in range(draw(st.integers(0, 4))):
                b = draw(st.integers(0, length - 1))
                units.append((b, draw(st.integers(b + 1, length))))
            coders.append(units)
        articles.append((length, coders))
    return m, articles


@settings(max_examples=150, deadline=None)
@given(unitizing_data())
def test_it_computes_alpha_u_exactly_as_the_formula_by_the_book(data):
    m, articles = data
    spans = [
        Span(f"coder{i}", art, b, e, "support")
        for art, (_, coders) in enumerate(articles)
        for i, units in enumerate(coders)
        for b, e in units
    ]
    lengths = {art: length for art, (length, _) in enumerate(articles)}
    annotators = {art: [f"coder{i}" for i in range(m)] for art in lengths}
    result = unitizing_alpha(spans, lengths=lengths, annotators=annotators).per_category["support"]
    d_o, d_e = reference_alpha_u(articles, m)
    assert result.observed == pytest.approx(float(d_o), rel=1e-12, abs=1e-15)
    assert result.expected == pytest.approx(float(d_e), rel=1e-12, abs=1e-15)
    if d_e:
        assert result.alpha == pytest.approx(float(1 - d_o / d_e), rel=1e-9, abs=1e-12)
    else:
        assert result.alpha is None


# ---- Span matching ---------------------------------------------------------------------------


def span(annotator, start, end, stance="support", article=1, speaker=None, **kw):
    return Span(annotator, article, start, end, stance, speaker, **kw)


def test_it_matches_exactly_only_identical_offsets():
    a = [span("a", 0, 10), span("a", 20, 30)]
    b = [span("b", 0, 10), span("b", 20, 31)]
    result = match_exact(a, b)
    assert [(p.a.start, p.b.start) for p in result.pairs] == [(0, 0)]
    assert result.unmatched_a == (a[1],)
    assert result.unmatched_b == (b[1],)
    assert result.scores == MatchScores.of(1, 2, 2)


def test_it_matches_exact_duplicates_one_to_one():
    a = [span("a", 0, 10), span("a", 0, 10, "demand")]
    b = [span("b", 0, 10, "demand")]
    result = match_exact(a, b)
    assert len(result.pairs) == 1
    assert result.pairs[0].a.stance == "demand"  # on a tie, the pair that agrees on the stance
    assert result.unmatched_a == (a[0],)


def test_it_matches_at_a_jaccard_of_exactly_the_threshold():
    a, b = [span("a", 0, 10)], [span("b", 5, 15)]  # 5 / 15
    assert jaccard(a[0], b[0]) == pytest.approx(1 / 3)
    a, b = [span("a", 0, 10)], [span("b", 0, 5)]  # 5 / 10 = 0.5
    assert len(match_spans(a, b).pairs) == 1
    assert len(match_spans(a, b, threshold=0.51).pairs) == 0
    a, b = [span("a", 0, 5)], [span("b", 0, 3)]  # 3 / 5 = 0.6
    assert len(match_spans(a, b, threshold=0.6).pairs) == 1
    assert len(match_spans(a, b, threshold=0.61).pairs) == 0


def test_it_never_matches_spans_that_only_touch_or_are_in_other_articles():
    assert match_spans([span("a", 0, 10)], [span("b", 10, 20)]).pairs == ()
    assert match_spans([span("a", 0, 10)], [span("b", 0, 10, article=2)]).pairs == ()
    assert jaccard(span("a", 0, 10), span("b", 0, 10, article=2)) == 0.0


def test_it_matches_one_to_one_best_jaccard_first():
    a = [span("a", 0, 10)]
    b = [span("b", 0, 9), span("b", 0, 8), span("b", 1, 10)]  # 0.9, 0.8, 0.9
    result = match_spans(a, b)
    assert len(result.pairs) == 1
    # two candidates at 0.9: the tie goes to the canonical order (earlier start first)
    assert (result.pairs[0].b.start, result.pairs[0].b.end) == (0, 9)
    assert result.pairs[0].jaccard == pytest.approx(0.9)
    assert len(result.unmatched_b) == 2


def test_it_prefers_the_pair_that_agrees_on_the_stance_when_jaccard_ties():
    a = [span("a", 0, 10, "caveat")]
    b = [span("b", 0, 9, "support"), span("b", 1, 10, "caveat")]
    assert match_spans(a, b).pairs[0].b.stance == "caveat"


def test_it_lets_the_second_best_candidate_match_something_else():
    a = [span("a", 0, 10), span("a", 2, 12)]
    b = [span("b", 1, 11)]  # 9/11 with both: a tie, the first in canonical order wins
    result = match_spans(a, b)
    assert [(p.a.start, p.b.start) for p in result.pairs] == [(0, 1)]
    a = [span("a", 0, 10), span("a", 0, 20)]
    b = [span("b", 0, 10), span("b", 0, 18)]
    result = match_spans(a, b)
    assert sorted((p.a.end, p.b.end) for p in result.pairs) == [(10, 10), (20, 18)]


def test_it_refuses_a_threshold_outside_zero_to_one():
    for bad in (0, -0.1, 1.01):
        with pytest.raises(ValueError, match="threshold"):
            match_spans([], [], threshold=bad)


def test_it_refuses_an_empty_or_reversed_span():
    with pytest.raises(ValueError, match="start < end"):
        span("a", 5, 5)
    with pytest.raises(ValueError, match="start < end"):
        span("a", -1, 5)


def test_it_computes_precision_recall_and_f1_against_the_reference():
    scores = MatchScores.of(matched=3, n_a=4, n_b=6)
    assert (scores.precision, scores.recall, scores.f1) == (0.5, 0.75, 0.6)
    assert MatchScores.of(0, 0, 0) == MatchScores(0, 0, 0, None, None, None)
    nothing_by_b = MatchScores.of(0, 5, 0)
    assert (nothing_by_b.precision, nothing_by_b.recall, nothing_by_b.f1) == (None, 0.0, 0.0)


def test_it_pools_precision_and_recall_over_articles_by_adding_counts():
    spans = [
        span("a", 0, 10, article=1),
        span("b", 0, 10, article=1),
        span("a", 0, 10, article=2),
        span("a", 20, 30, article=2),
        span("a", 40, 50, article=2),
        span("b", 40, 50, article=2),
    ]
    report = agreement_report(spans, lengths={1: 60, 2: 60})
    (pair,) = report.pairs
    assert pair.articles == 2
    assert (pair.exact.matched, pair.exact.n_a, pair.exact.n_b) == (2, 4, 2)
    assert (pair.exact.precision, pair.exact.recall) == (1.0, 0.5)  # not the mean of 1.0 and 0.33


def test_it_clusters_only_mutually_matching_spans_one_per_analyst():
    spans = [span("a", 0, 10), span("b", 3, 13), span("c", 6, 16), span("a", 30, 40), span("b", 30, 40)]
    clusters = cluster_spans(spans)
    # a-b and b-c match (7/13), a-c do not (4/16): the chain is cut, a-b comes first
    assert [[(s.annotator, s.start) for s in c] for c in clusters] == [
        [("a", 0), ("b", 3)],
        [("c", 6)],
        [("a", 30), ("b", 30)],
    ]
    three = cluster_spans([span("a", 0, 10), span("b", 0, 10), span("c", 1, 10), span("c", 0, 10)])
    assert [[(s.annotator, s.start) for s in c] for c in three] == [
        [("a", 0), ("b", 0), ("c", 0)],
        [("c", 1)],
    ]


def test_it_computes_stance_alpha_over_units_with_missing_analysts():
    spans = [
        span("a", 0, 10, "support"),
        span("b", 0, 10, "support"),
        span("c", 0, 10, "caveat"),
        span("a", 20, 30, "demand"),
        span("b", 20, 30, "demand"),  # c missing on this unit
        span("c", 50, 60, "demand"),  # alone: not pairable
    ]
    report = agreement_report(spans, lengths={1: 100})
    expected = krippendorff_alpha(
        [["support", "support", "caveat"], ["demand", "demand", None]], labels=STANCES
    )
    assert report.stance_alpha == expected
    assert report.stance_alpha.units == 2


def test_it_reports_speaker_and_condition_agreement_on_matched_spans():
    spans = [
        span("a", 0, 10, speaker=1, conditions=("Root causes  addressed",)),
        span("b", 0, 10, speaker=1, conditions=("root causes addressed",)),
        span("a", 20, 30, speaker=2),
        span("b", 20, 30, speaker=None, conditions=("a truce first",)),
    ]
    (pair,) = agreement_report(spans, lengths={1: 40}).pairs
    assert (pair.speaker.n, pair.speaker.raw) == (2, 0.5)
    assert pair.conditions.raw == 0.5  # case and white space do not count


def test_it_builds_the_stance_confusion_matrix_per_pair_and_pooled():
    spans = [
        span("a", 0, 10, "support"),
        span("b", 0, 10, "caveat"),
        span("c", 0, 10, "caveat"),
        span("a", 20, 30, "demand"),
        span("b", 20, 30, "demand"),
    ]
    report = agreement_report(spans, lengths={1: 40})
    by_pair = {(p.a, p.b): p for p in report.pairs}
    assert by_pair["a", "b"].stance_confusion.labels == STANCES
    assert by_pair["a", "b"].stance_confusion.matrix == ((0, 1, 0), (0, 0, 0), (0, 0, 1))
    assert by_pair["b", "c"].stance_confusion.matrix == ((0, 0, 0), (0, 1, 0), (0, 0, 0))
    assert report.stance_confusion.matrix == ((0, 2, 0), (0, 1, 0), (0, 0, 1))


# ---- Degenerate cases ------------------------------------------------------------------------


def test_it_leaves_kappa_undefined_when_everyone_used_one_category():
    assert label_agreement([("support", "support")] * 5).kappa is None
    assert label_agreement([("support", "support")] * 5).raw == 1.0
    assert label_agreement([]) == label_agreement([])
    assert label_agreement([]).raw is None
    assert cohen_kappa([[0, 0], [0, 0]]) is None
    assert cohen_kappa([[3, 0], [0, 2]]) == 1.0
    with pytest.raises(ValueError, match="square"):
        cohen_kappa([[1, 2]])


def test_it_leaves_alpha_undefined_without_variation_or_pairable_values():
    assert krippendorff_alpha([["x", "x"], ["x", "x", None]]).alpha is None
    assert krippendorff_alpha([["x", None], [None, "y"]]).alpha is None
    assert krippendorff_alpha([]).alpha is None
    assert krippendorff_alpha([["x", "x"], ["y", "y"]]).alpha == 1.0


def test_it_handles_no_spans_at_all():
    report = agreement_report([], lengths={})
    assert (report.articles, report.spans, report.pairs) == (0, 0, ())
    assert report.stance_alpha.alpha is None
    assert report.unitizing.overall is None
    assert report.unitizing.per_category["support"].alpha is None
    json.dumps(report.to_dict(), allow_nan=False)


def test_it_handles_a_single_analyst():
    report = agreement_report([span("a", 0, 10), span("a", 5, 20, "demand")], lengths={1: 30})
    assert report.annotators == ("a",)
    assert report.pairs == ()
    assert report.stance_alpha.alpha is None
    assert report.unitizing.articles == 0
    assert report.unitizing.overall is None


def test_it_counts_an_assigned_analyst_without_spans_as_marking_nothing():
    spans = [span("a", 0, 10), span("x", 0, 10)]
    report = agreement_report(spans, lengths={1: 30}, annotators={1: ["a", "b"]})
    (pair,) = report.pairs
    assert (pair.a, pair.b) == ("a", "b")  # x is not listed: left out
    assert (pair.overlap.n_a, pair.overlap.n_b, pair.overlap.recall, pair.overlap.f1) == (1, 0, 0.0, 0.0)
    support = report.unitizing.per_category["support"]
    assert support.alpha is not None and support.alpha < 0
    assert report.unitizing.per_category["demand"].alpha is None  # no unit of it anywhere


def test_it_refuses_spans_past_the_article_or_without_a_length():
    with pytest.raises(ValueError, match="past its length"):
        agreement_report([span("a", 0, 10), span("b", 0, 11)], lengths={1: 10})
    with pytest.raises(ValueError, match="No length"):
        unitizing_alpha([span("a", 0, 10), span("b", 0, 10)], lengths={})


def test_it_returns_json_ready_results():
    spans = [span("a", 0, 10, speaker=1), span("b", 0, 10, "caveat"), span(2, 20, 30, article="x")]
    report = agreement_report(spans, lengths={1: 40, "x": 30})
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["pairs"][0]["stance_confusion"]["labels"] == ["support", "caveat", "demand"]
    assert set(data["unitizing"]["per_category"]) == set(STANCES)
    assert data["stance_alpha"]["alpha"] == 0.0  # one unit, two different values
    assert data["pairs"][0]["conditions"]["kappa"] is None  # undefined (p_e = 1): null, never NaN


def test_it_keeps_the_stances_in_step_with_the_model():
    from statements.models import Stance

    assert tuple(Stance.values) == STANCES


def test_it_builds_a_span_from_a_statement_without_touching_relations():
    statement = SimpleNamespace(
        pk=7, annotator_id=3, article_id=2, start=4, end=9, stance="demand", speaker_id=None
    )
    assert Span.from_statement(statement, conditions=["truce"]) == Span(
        3, 2, 4, 9, "demand", None, ("truce",), 7
    )


# ---- Properties ------------------------------------------------------------------------------

ANALYSTS = ("ann_a", "ann_b", "ann_c")


@st.composite
def annotations(draw, min_analysts=2, max_analysts=3):
    n_analysts = draw(st.integers(min_analysts, max_analysts))
    lengths = {art: draw(st.integers(5, 60)) for art in range(draw(st.integers(1, 3)))}
    spans = []
    for analyst in ANALYSTS[:n_analysts]:
        for art, length in lengths.items():
            for _ in range(draw(st.integers(0, 5))):
                b = draw(st.integers(0, length - 1))
                e = draw(st.integers(b + 1, min(length, b + 25)))
                stance = draw(st.sampled_from(STANCES))
                speaker = draw(st.sampled_from([None, 1, 2]))
                spans.append(Span(analyst, art, b, e, stance, speaker))
    return spans, lengths


def coefficients(report):
    """Everything that must not depend on who is called a and who b (exact arithmetic: equal)."""
    pairs = [
        (p.exact.f1, p.overlap.f1, p.overlap.matched, p.stance.kappa, p.stance.raw, p.speaker.kappa)
        for p in report.pairs
    ]
    return (
        report.stance_alpha.alpha,
        report.unitizing.to_dict(),
        sorted(pairs, key=repr),
    )


@settings(max_examples=100, deadline=None)
@given(annotations(min_analysts=1, max_analysts=1), st.integers(2, 3))
def test_it_gives_one_for_identical_annotations(data, copies):
    spans, lengths = data
    spans = [
        Span(analyst, s.article, s.start, s.end, s.stance, s.speaker)
        for analyst in ANALYSTS[:copies]
        for s in spans
    ]
    report = agreement_report(spans, lengths=lengths)
    for pair in report.pairs:
        assert pair.exact.f1 in (1.0, None)
        assert pair.overlap.f1 in (1.0, None)
        assert pair.stance.kappa in (1.0, None)
        assert pair.stance.raw in (1.0, None)
        assert pair.speaker.raw in (1.0, None)
    assert report.stance_alpha.alpha in (1.0, None)
    for result in [*report.unitizing.per_category.values(), report.unitizing.any]:
        assert result.observed == 0
        assert result.alpha in (1.0, None)
    assert report.unitizing.overall in (1.0, None)


@settings(max_examples=100, deadline=None)
@given(annotations(), st.randoms(use_true_random=False))
def test_it_does_not_depend_on_input_order(data, rnd):
    spans, lengths = data
    shuffled = list(spans)
    rnd.shuffle(shuffled)
    expected = agreement_report(spans, lengths=lengths).to_dict()
    assert agreement_report(shuffled, lengths=lengths).to_dict() == expected
    assert cluster_spans(shuffled) == cluster_spans(spans)


@settings(max_examples=100, deadline=None)
@given(annotations(), st.permutations(ANALYSTS))
def test_it_is_symmetric_in_the_analysts(data, renaming):
    spans, lengths = data
    rename = dict(zip(ANALYSTS, renaming, strict=True))
    renamed = [Span(rename[s.annotator], s.article, s.start, s.end, s.stance, s.speaker) for s in spans]
    original, swapped = agreement_report(spans, lengths=lengths), agreement_report(renamed, lengths=lengths)
    assert coefficients(swapped) == coefficients(original)
    for pair in original.pairs:
        (other,) = [p for p in swapped.pairs if {p.a, p.b} == {rename[pair.a], rename[pair.b]}]
        if other.a == rename[pair.a]:
            assert other.overlap == pair.overlap
        else:  # a and b swapped places: precision and recall swap, the confusion matrix transposes
            assert (other.overlap.precision, other.overlap.recall) == (
                pair.overlap.recall,
                pair.overlap.precision,
            )
            assert other.stance_confusion.matrix == tuple(zip(*pair.stance_confusion.matrix, strict=True))
        assert other.stance == pair.stance


@settings(max_examples=100, deadline=None)
@given(annotations(min_analysts=2, max_analysts=2), st.sampled_from([0.3, 0.5, 0.8, 1.0]))
def test_it_matches_one_to_one_above_the_threshold_and_leaves_no_matchable_pair(data, threshold):
    spans, _ = data
    a = [s for s in spans if s.annotator == "ann_a"]
    b = [s for s in spans if s.annotator == "ann_b"]
    result = match_spans(a, b, threshold=threshold)
    assert len({id(p.a) for p in result.pairs}) == len(result.pairs) == len({id(p.b) for p in result.pairs})
    assert all(p.jaccard >= threshold and p.jaccard == jaccard(p.a, p.b) for p in result.pairs)
    assert sorted(map(repr, [p.a for p in result.pairs] + list(result.unmatched_a))) == sorted(map(repr, a))
    assert sorted(map(repr, [p.b for p in result.pairs] + list(result.unmatched_b))) == sorted(map(repr, b))
    # maximal: no two leftover spans could still be paired
    assert not any(jaccard(x, y) >= threshold for x in result.unmatched_a for y in result.unmatched_b)
    # the same pairs whichever side is the reference
    mirrored = match_spans(b, a, threshold=threshold)
    assert sorted((repr(p.b), repr(p.a)) for p in mirrored.pairs) == sorted(
        (repr(p.a), repr(p.b)) for p in result.pairs
    )


@settings(max_examples=100, deadline=None)
@given(annotations(min_analysts=2, max_analysts=2))
def test_it_uses_the_pairwise_matching_as_units_for_two_analysts(data):
    spans, lengths = data
    report = agreement_report(spans, lengths=lengths)
    matched = match_spans(
        [s for s in spans if s.annotator == "ann_a"], [s for s in spans if s.annotator == "ann_b"]
    )
    units = [[p.a.stance, p.b.stance] for p in matched.pairs]
    assert report.stance_alpha == krippendorff_alpha(units, labels=STANCES)
    if report.pairs:
        assert report.pairs[0].overlap.matched == len(matched.pairs)


def test_it_gives_the_same_report_for_a_large_random_input_in_any_order():
    rnd = random.Random(5)
    spans = []
    for art in range(20):
        for analyst in ANALYSTS:
            for _ in range(30):
                b = rnd.randrange(0, 900)
                spans.append(
                    Span(analyst, art, b, b + rnd.randint(1, 100), rnd.choice(STANCES), rnd.randint(1, 4))
                )
    lengths = dict.fromkeys(range(20), 1000)
    expected = agreement_report(spans, lengths=lengths).to_dict()
    rnd.shuffle(spans)
    assert agreement_report(spans, lengths=lengths).to_dict() == expected
