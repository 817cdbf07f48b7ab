"""statements/anchoring.py: spans follow an edited or replaced text, or are orphaned, never misplaced.

Pure tests: no database. Every placement is checked exactly (start, end and quote).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from statements.anchoring import (
    MIN_QUOTE_SIMILARITY,
    MIN_SCORE,
    Anchor,
    Placement,
    diff_opcodes,
    place,
    reanchor,
    remap,
)

P1 = (
    "GENEVA — The foreign minister said on Monday that the talks would resume next week. "
    "We will not accept any precondition, she told reporters outside the Palais des Nations. "
    "Officials from both delegations declined to comment on the timetable."
)
P2 = (
    "In a separate statement, the ministry said the ceasefire must hold before sanctions are eased. "
    "Diplomats expect a first draft of the agreement by the end of the month."
)
P3 = (
    "The opposition leader called the plan a betrayal. Protesters gathered in the capital on Sunday, "
    "and the police said the rally had been peaceful."
)
ARTICLE = "\n\n".join([P1, P2, P3])


def anchor(text: str, quote: str, key: object = None, nth: int = 0) -> Anchor:
    """An Anchor on the nth occurrence of `quote` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(quote, start + 1)
    return Anchor(quote if key is None else key, start, start + len(quote), quote)


def at(text: str, quote: str) -> tuple[int, int]:
    """Offsets of the only occurrence of `quote` in `text`."""
    assert text.count(quote) == 1, quote
    start = text.index(quote)
    return start, start + len(quote)


def assert_placed(p: Placement, text: str, quote: str, method: str | tuple[str, ...]) -> None:
    methods = (method,) if isinstance(method, str) else method
    start, end = at(text, quote)
    assert (p.start, p.end, p.quote, p.method) == (start, end, quote, p.method)
    assert p.method in methods, p
    assert text[p.start : p.end] == quote
    assert not p.is_orphan


def assert_orphan(p: Placement) -> None:
    assert (p.start, p.end, p.quote, p.method, p.score) == (None, None, None, "orphan", 0.0)
    assert p.is_orphan and not p.moved


# ---- Edits: the diff carries the spans -----------------------------------------------------------


def test_it_reanchors_a_span_whose_typo_was_fixed_inside_the_quote() -> None:
    old = ARTICLE.replace("any precondition", "any precondtion")
    new = ARTICLE
    a = anchor(old, "We will not accept any precondtion")
    [p] = remap(old, new, [a])
    assert_placed(p, new, "We will not accept any precondition", "diff")
    assert p.changed and p.moved and (p.start, p.end) == (a.start, a.end + 1)
    assert p.score == pytest.approx(1 - 1 / 35) and not p.needs_review
    [q] = reanchor(old, new, [a])
    assert_placed(q, new, "We will not accept any precondition", "fuzzy")
    assert q.changed and q.score >= MIN_SCORE


def test_it_moves_an_unchanged_quote_when_a_typo_before_it_is_fixed() -> None:
    old = ARTICLE.replace("foreign minister", "foriegn minster")
    new = ARTICLE
    spans = [anchor(old, "the talks would resume next week"), anchor(old, "the ceasefire must hold")]
    placements = remap(old, new, spans)
    assert_placed(placements[0], new, "the talks would resume next week", "diff")
    assert_placed(placements[1], new, "the ceasefire must hold", "diff")
    for p, a in zip(placements, spans, strict=True):
        assert not p.changed and p.moved and p.score == 1.0
        assert p.start == a.start + 1  # "foriegn minster" is one character shorter
    replaced = reanchor(old, new, spans)
    assert_placed(replaced[0], new, "the talks would resume next week", ("exact-near", "exact-context"))
    assert_placed(replaced[1], new, "the ceasefire must hold", ("exact-near", "exact-context"))


def test_it_leaves_spans_before_an_edit_unchanged() -> None:
    new = ARTICLE.replace("peaceful", "largely peaceful")
    [p] = remap(ARTICLE, new, [anchor(ARTICLE, "the talks would resume")])
    assert_placed(p, new, "the talks would resume", "unchanged")
    assert not p.moved and not p.changed and p.score == 1.0


def test_it_follows_spans_after_an_inserted_paragraph() -> None:
    inserted = "UPDATE: This article has been updated with comments from the opposition.\n\n"
    new = P1 + "\n\n" + inserted + P2 + "\n\n" + P3
    spans = [anchor(ARTICLE, q) for q in ("We will not accept", "the ceasefire must hold", "a betrayal")]
    edit = remap(ARTICLE, new, spans)
    assert edit[0].method == "unchanged" and (edit[0].start, edit[0].end) == at(new, "We will not accept")
    assert_placed(edit[1], new, "the ceasefire must hold", "diff")
    assert_placed(edit[2], new, "a betrayal", "diff")
    assert edit[2].start == spans[2].start + len(inserted)
    replaced = reanchor(ARTICLE, new, spans)
    assert replaced[0].method == "unchanged"
    assert_placed(replaced[1], new, "the ceasefire must hold", ("exact-near", "exact-context"))
    assert_placed(replaced[2], new, "a betrayal", ("exact-near", "exact-context"))
    assert all(p.score >= MIN_SCORE and not p.changed for p in replaced)


def test_it_orphans_a_quote_whose_sentence_was_deleted() -> None:
    sentence = "We will not accept any precondition, she told reporters outside the Palais des Nations. "
    new = ARTICLE.replace(sentence, "")
    spans = [anchor(ARTICLE, "We will not accept any precondition"), anchor(ARTICLE, "declined to comment")]
    for placements in (remap(ARTICLE, new, spans), reanchor(ARTICLE, new, spans)):
        assert_orphan(placements[0])
        assert not placements[0].ambiguous
        assert (placements[1].start, placements[1].end) == at(new, "declined to comment")


def test_it_moves_a_deleted_quote_to_its_other_occurrence_when_the_context_matches() -> None:
    # The quote is printed twice with the same surroundings (lede and body); one copy is deleted.
    repeated = "Asked about sanctions, the minister said: we will not negotiate under threat, and left."
    old = P1 + "\n\n" + repeated + "\n\n" + P2 + "\n\n" + repeated + "\n\n" + P3
    new = P1 + "\n\n" + P2 + "\n\n" + repeated + "\n\n" + P3
    a = anchor(old, "we will not negotiate under threat")
    for placements in (remap(old, new, [a]), reanchor(old, new, [a])):
        [p] = placements
        assert_placed(p, new, "we will not negotiate under threat", "exact-context")
        assert p.score >= MIN_SCORE and not p.changed and p.moved


def test_it_orphans_a_deleted_quote_whose_other_occurrence_has_another_context() -> None:
    old = P1 + "\n\n" + "Asked about sanctions, the minister said: we will not negotiate, and left.\n\n" + P2
    new = P1 + "\n\n" + P2 + " Rebel commanders replied that we will not negotiate was their line too."
    for placements in (
        remap(old, new, [anchor(old, "we will not negotiate")]),
        reanchor(old, new, [anchor(old, "we will not negotiate")]),
    ):
        assert_orphan(placements[0])


def test_it_follows_a_moved_paragraph_in_edit_and_replace_mode() -> None:
    new = "\n\n".join([P3, P1, P2])
    quotes = ("We will not accept any precondition", "the ceasefire must hold", "Protesters gathered")
    spans = [anchor(ARTICLE, q) for q in quotes]
    for placements in (remap(ARTICLE, new, spans), reanchor(ARTICLE, new, spans)):
        for p, q in zip(placements, quotes, strict=True):
            assert_placed(p, new, q, ("diff", "exact-near", "exact-context"))
            assert not p.changed and p.score >= MIN_SCORE and p.moved
    # In the edit the diff keeps P1 and P2 in place and sees P3 deleted and re-inserted: the span
    # in P3 is found again by its context.
    edit = remap(ARTICLE, new, spans)
    assert [p.method for p in edit] == ["diff", "diff", "exact-context"]


def test_it_follows_a_word_inserted_inside_a_span() -> None:
    new = ARTICLE.replace("We will not accept any", "We will not, under any circumstances, accept any")
    [p] = remap(ARTICLE, new, [anchor(ARTICLE, "We will not accept any precondition")])
    assert_placed(p, new, "We will not, under any circumstances, accept any precondition", "diff")
    assert p.changed and 0 < p.score < 1
    # A long clause inserted into a short span: still the diff's answer, flagged for review.
    long = ARTICLE.replace("We will not accept", "We will not, whatever the Americans may say or do, accept")
    [q] = remap(ARTICLE, long, [anchor(ARTICLE, "We will not accept")])
    assert_placed(q, long, "We will not, whatever the Americans may say or do, accept", "diff")
    assert q.changed and q.score < MIN_SCORE and q.needs_review


def test_it_does_not_pair_a_repeated_line_with_the_wrong_copy() -> None:
    old = "Talks resumed.\nTalks resumed.\nTalks resumed on Monday."
    new = "UPDATE Talks resumed.\nTalks resumed.\nUPDATE Talks resumed on Monday."
    spans = [anchor(old, "Talks resumed.", key=k, nth=k) for k in (0, 1)]
    placements = remap(old, new, spans)
    assert [(p.start, p.end, p.method) for p in placements] == [(7, 21, "diff"), (22, 36, "diff")]
    assert all(p.quote == "Talks resumed." for p in placements)


def test_it_prefers_an_alignment_that_keeps_a_span_intact() -> None:
    # "the talks " inserted before "the talks resumed" can be aligned as an insertion inside the
    # span; the alignment that leaves the span alone is as cheap, so the span keeps its quote.
    old = "GENEVA — Officials said the talks resumed on Monday."
    new = "GENEVA — Officials said the talks the talks resumed on Monday."
    [p] = remap(old, new, [anchor(old, "the talks resumed")])
    assert_placed(p, new, "the talks resumed", "diff")
    assert not p.changed and p.score == 1.0
    # Deleting one of two adjacent copies: which one went cannot be known, the other one stays.
    [q] = remap(new, old, [anchor(new, "the talks the talks")])
    assert q.is_orphan or q.quote == "the talks"
    [r] = remap(new, old, [anchor(new, "the talks", key="second", nth=1)])
    assert_placed(r, old, "the talks", "diff")


def test_it_does_not_keep_a_span_whose_words_were_all_rewritten() -> None:
    new = ARTICLE.replace(
        "the ceasefire must hold before sanctions are eased", "a truce would be welcome in principle"
    )
    [p] = remap(ARTICLE, new, [anchor(ARTICLE, "the ceasefire must hold before sanctions are eased")])
    assert_orphan(p)


# ---- Repeated phrases ----------------------------------------------------------------------------


def test_it_chooses_the_occurrence_of_a_repeated_phrase_by_its_context() -> None:
    first = "The minister said the ceasefire must hold, and the council agreed without a vote."
    second = "The rebels said the ceasefire must hold, but only if the army withdraws its tanks first."
    old = first + "\n\n" + P1 + "\n\n" + second
    new = second + "\n\n" + P1 + "\n\n" + first + "\n\n" + P3  # the two paragraphs swapped
    spans = [
        anchor(old, "the ceasefire must hold", key="first", nth=0),
        anchor(old, "the ceasefire must hold", key="second", nth=1),
    ]
    for placements in (remap(old, new, spans), reanchor(old, new, spans)):
        by_key = {p.key: p for p in placements}
        assert by_key["first"].start == new.index(first) + first.index("the ceasefire")
        assert by_key["second"].start == new.index(second) + second.index("the ceasefire")
        for p in placements:
            assert p.quote == "the ceasefire must hold" and p.end == p.start + len(p.quote)
            assert p.method in ("diff", "exact-near", "exact-context") and p.score >= MIN_SCORE


def test_it_orphans_a_repeated_phrase_when_context_cannot_decide() -> None:
    # Quote plus 32 characters each side, identical in both copies: context cannot decide.
    block = (
        "Asked about the convoy on Tuesday, the minister said: we demand an immediate ceasefire, "
        "and then she left the room without another word."
    )
    old = P1 + "\n\n" + block + "\n\n" + P2 + "\n\n" + P3
    # The new text has the same paragraph twice, both far from where the span was.
    filler = "Earlier, the envoy had visited three capitals in four days to prepare the meeting. " * 6
    new = block + "\n\n" + filler + P2 + "\n\n" + P3 + "\n\n" + filler + block
    a = anchor(old, "we demand an immediate ceasefire")
    [p] = reanchor(old, new, [a])
    assert_orphan(p)
    assert p.ambiguous
    # With one of the two copies at the expected position, the tie is broken by position.
    near = P1 + "\n\n" + block + "\n\n" + P2 + "\n\n" + P3 + "\n\n" + block
    [q] = reanchor(old, near, [a])
    assert (q.start, q.end) == (a.start, a.end) and q.method == "unchanged"


def test_it_keeps_each_copy_of_a_repeated_phrase_through_an_edit() -> None:
    block = "the minister said: we demand an immediate ceasefire"
    old = block + ". " + P1 + " " + block + "."
    new = "Breaking. " + block + ". " + P1.replace("Monday", "Tuesday") + " " + block + "."
    spans = [anchor(old, "we demand", key=k, nth=k) for k in (0, 1)]
    placements = remap(old, new, spans)
    assert [p.start for p in placements] == [
        len("Breaking. ") + block.index("we demand"),
        new.rindex("we demand"),
    ]
    assert all(p.method == "diff" and p.quote == "we demand" for p in placements)


# ---- Characters and line endings -----------------------------------------------------------------


def test_it_counts_astral_characters_as_one_code_point_each() -> None:
    new = "🇺🇦 🕊️ 𝔘𝔭𝔡𝔞𝔱𝔢 👍🏽: " + ARTICLE.replace("Monday", "Monday 🙂")
    spans = [anchor(ARTICLE, q) for q in ("The foreign minister", "We will not accept", "a betrayal")]
    prefix = len("🇺🇦 🕊️ 𝔘𝔭𝔡𝔞𝔱𝔢 👍🏽: ")
    assert prefix == 17  # flags and skin tones are two code points, the dove three (with VS16)
    edit = remap(ARTICLE, new, spans)
    assert edit[0].start == spans[0].start + prefix
    assert edit[1].start == spans[1].start + prefix + 2
    for placements in (edit, reanchor(ARTICLE, new, spans)):
        for p, a in zip(placements, spans, strict=True):
            assert_placed(p, new, a.quote, ("diff", "exact-near", "exact-context"))
            assert not p.changed


def test_it_maps_spans_exactly_when_only_line_endings_change() -> None:
    crlf = ARTICLE.replace("\n", "\r\n")
    lf = ARTICLE
    multi = "Diplomats expect a first draft of the agreement by the end of the month.\r\n\r\nThe opposition"
    spans = [
        anchor(crlf, "a betrayal"),
        anchor(crlf, multi, key="multi"),
        anchor(crlf, "The foreign minister"),
    ]
    for placements in (remap(crlf, lf, spans), reanchor(crlf, lf, spans)):
        assert_placed(placements[0], lf, "a betrayal", ("diff", "exact-near", "exact-context"))
        assert not placements[0].changed
        assert_placed(placements[1], lf, multi.replace("\r\n", "\n"), ("diff", "exact-near", "exact-context"))
        assert placements[1].changed and placements[1].score >= MIN_SCORE
        assert placements[2].method == "unchanged"
    # And back: LF to CRLF.
    back = [anchor(lf, multi.replace("\r\n", "\n"), key="multi"), anchor(lf, "a betrayal")]
    for placements in (remap(lf, crlf, back), reanchor(lf, crlf, back)):
        assert_placed(placements[0], crlf, multi, ("diff", "exact-near", "exact-context"))
        assert_placed(placements[1], crlf, "a betrayal", ("diff", "exact-near", "exact-context"))
    assert remap(lf, crlf, back)[0].score == 1.0  # similarity reads CRLF as LF


def test_it_follows_an_edit_of_a_crlf_text() -> None:
    crlf = ARTICLE.replace("\n", "\r\n")
    new = crlf.replace("on Monday", "on Tuesday").replace(
        "\r\n\r\nThe opposition", "\r\n\r\nNEW.\r\n\r\nThe opposition"
    )
    quote = "end of the month.\r\n\r\nThe opposition"
    [p, q] = remap(crlf, new, [anchor(crlf, quote), anchor(crlf, "a betrayal")])
    assert_placed(p, new, "end of the month.\r\n\r\nNEW.\r\n\r\nThe opposition", "diff")
    assert p.changed
    assert_placed(q, new, "a betrayal", "diff")


# ---- Many spans at once --------------------------------------------------------------------------


def test_it_places_condition_evidence_spans_like_statements() -> None:
    new = "Updated at 10:00.\n\n" + ARTICLE.replace("before sanctions", "before any sanctions")
    statement = anchor(ARTICLE, "the ministry said the ceasefire must hold before sanctions are eased", key=7)
    evidence = anchor(ARTICLE, "the ceasefire must hold", key=("condition", 7))
    evidence2 = anchor(ARTICLE, "before sanctions are eased", key=("condition", 8))
    placements = {p.key: p for p in place(ARTICLE, new, [statement, evidence, evidence2], mode="edit")}
    assert_placed(
        placements[7], new, "the ministry said the ceasefire must hold before any sanctions are eased", "diff"
    )
    assert placements[7].changed
    assert_placed(placements[("condition", 7)], new, "the ceasefire must hold", "diff")
    assert not placements[("condition", 7)].changed
    assert_placed(placements[("condition", 8)], new, "before any sanctions are eased", "diff")
    replaced = {p.key: p for p in place(ARTICLE, new, [statement, evidence, evidence2], mode="replace")}
    assert_placed(replaced[("condition", 7)], new, "the ceasefire must hold", ("exact-near", "exact-context"))
    assert_placed(
        replaced[7], new, "the ministry said the ceasefire must hold before any sanctions are eased", "fuzzy"
    )
    assert_placed(replaced[("condition", 8)], new, "before any sanctions are eased", "fuzzy")


def test_it_places_overlapping_and_nested_statements_independently() -> None:
    outer = "We will not accept any precondition, she told reporters"
    inner = "any precondition"
    overlapping = "she told reporters outside the Palais des Nations"
    new = ARTICLE.replace("she told reporters", "she told journalists").replace("GENEVA — ", "")
    spans = [anchor(ARTICLE, q) for q in (outer, inner, overlapping)]
    edit = remap(ARTICLE, new, spans)
    assert_placed(edit[0], new, "We will not accept any precondition, she told journalists", "diff")
    assert_placed(edit[1], new, inner, "diff")
    assert_placed(edit[2], new, "she told journalists outside the Palais des Nations", "diff")
    assert [p.changed for p in edit] == [True, False, True]
    replaced = reanchor(ARTICLE, new, spans)
    assert_placed(replaced[0], new, "We will not accept any precondition, she told journalists", "fuzzy")
    assert_placed(replaced[1], new, inner, ("exact-near", "exact-context"))
    assert_placed(replaced[2], new, "she told journalists outside the Palais des Nations", "fuzzy")


# ---- Honest failures -----------------------------------------------------------------------------


def test_it_orphans_a_span_rather_than_jump_to_a_look_alike_passage() -> None:
    # hypothesis/client#7571: with no minimum score an annotation jumps to a similar passage.
    quote = "the ministry said the ceasefire must hold before sanctions are eased"
    look_alike = "the ministry said the ceasefire might hold after the sanctions are lifted"
    old = ARTICLE
    new = P1 + "\n\n" + P3 + "\n\nOn Friday, " + look_alike + ", according to state media."
    from rapidfuzz import fuzz

    assert fuzz.partial_ratio(quote, new) > 75  # it really looks alike
    for placements in (remap(old, new, [anchor(old, quote)]), reanchor(old, new, [anchor(old, quote)])):
        assert_orphan(placements[0])
    # A genuine light edit of the same passage is accepted.
    edited = ARTICLE.replace("the ceasefire must hold", "the ceasefire must first hold")
    [p] = reanchor(old, edited, [anchor(old, quote)])
    assert_placed(
        p, edited, "the ministry said the ceasefire must first hold before sanctions are eased", "fuzzy"
    )
    assert p.score >= MIN_SCORE and p.changed


def test_it_orphans_everything_when_the_text_is_unrelated() -> None:
    other = "Weather: sunny with a chance of rain in the afternoon. Temperatures near 20 degrees. " * 5
    spans = [anchor(ARTICLE, q) for q in ("We will not accept", "the ceasefire must hold", "a betrayal")]
    for placements in (remap(ARTICLE, other, spans), reanchor(ARTICLE, other, spans)):
        for p in placements:
            assert_orphan(p)


# ---- White space and degenerate inputs -----------------------------------------------------------


def test_it_handles_whitespace_only_edits() -> None:
    old = ARTICLE.replace("We will not accept", "We  will not accept").replace("Officials", "  Officials")
    new = ARTICLE
    spans = [
        anchor(old, "We  will not accept"),
        anchor(old, "declined to comment"),
        anchor(old, "a betrayal"),
    ]
    edit = remap(old, new, spans)
    assert_placed(edit[0], new, "We will not accept", "diff")
    assert edit[0].changed and edit[0].score == pytest.approx(1 - 1 / 19)
    assert_placed(edit[1], new, "declined to comment", "diff")
    assert edit[1].start == spans[1].start - 3 and not edit[1].changed
    replaced = reanchor(old, new, spans)
    assert_placed(replaced[0], new, "We will not accept", "fuzzy")
    assert_placed(replaced[1], new, "declined to comment", ("exact-near", "exact-context"))
    assert_placed(replaced[2], new, "a betrayal", ("exact-near", "exact-context"))
    # A paragraph reflowed (line breaks inside a span become spaces).
    wrapped = ARTICLE.replace("talks would resume", "talks\nwould\nresume")
    [p] = remap(wrapped, ARTICLE, [anchor(wrapped, "the talks\nwould\nresume next week")])
    assert_placed(p, ARTICLE, "the talks would resume next week", "diff")


def test_it_never_starts_or_ends_a_placement_with_whitespace() -> None:
    a = anchor(ARTICLE, " the talks would resume ")
    for placements in (remap(ARTICLE, "X" + ARTICLE, [a]), reanchor(ARTICLE, "X" + ARTICLE, [a])):
        [p] = placements
        assert p.quote == "the talks would resume" and p.start == a.start + 2 and p.changed
    [p] = remap(ARTICLE, ARTICLE, [a])
    assert (p.start, p.end, p.quote, p.method) == (
        a.start + 1,
        a.end - 1,
        "the talks would resume",
        "unchanged",
    )


def test_it_handles_empty_texts() -> None:
    assert remap("", "", []) == [] and reanchor("", "anything", []) == []
    a = anchor(ARTICLE, "a betrayal")
    for mode in ("edit", "replace"):
        [p] = place(ARTICLE, "", [a], mode=mode)
        assert_orphan(p)
        with pytest.raises(ValueError, match="'k'"):
            place("", ARTICLE, [Anchor("k", 0, 3, "GEN")], mode=mode)
    [p] = remap("abc", "xabc", [Anchor(1, 0, 3, "abc")])
    assert (p.start, p.end, p.quote, p.method) == (1, 4, "abc", "diff")
    [p] = reanchor("abc", "abc!", [Anchor(1, 0, 3, "abc")])
    assert (p.start, p.end, p.quote, p.method) == (0, 3, "abc", "unchanged")


def test_it_rejects_an_anchor_whose_quote_does_not_match_the_old_text() -> None:
    bad = Anchor(("condition", 7), 0, 6, "Geneva")
    for mode in ("edit", "replace"):
        with pytest.raises(ValueError, match=r"\('condition', 7\)"):
            place(ARTICLE, ARTICLE, [anchor(ARTICLE, "a betrayal"), bad], mode=mode)
    with pytest.raises(ValueError, match="'s1'"):
        remap("short", "short", [Anchor("s1", 2, 9, "ort and")])
    with pytest.raises(ValueError, match="'s2'"):
        Anchor("s2", 0, 5, "abc")
    with pytest.raises(ValueError, match="'s3'"):
        Anchor("s3", 4, 4, "")
    with pytest.raises(ValueError, match="mode"):
        place(ARTICLE, ARTICLE, [], mode="merge")  # type: ignore[arg-type]


def test_it_reports_moved_and_orphan_properties() -> None:
    a = anchor(ARTICLE, "a betrayal")
    [same] = remap(ARTICLE, ARTICLE, [a])
    assert (same.method, same.moved, same.is_orphan, same.changed, same.score) == (
        "unchanged",
        False,
        False,
        False,
        1.0,
    )
    [moved] = remap(ARTICLE, "Note. " + ARTICLE, [a])
    assert moved.moved and moved.method == "diff" and (moved.old_start, moved.old_end) == (a.start, a.end)
    [gone] = remap(ARTICLE, ARTICLE.replace("a betrayal", "unwise"), [a])
    assert gone.is_orphan and not gone.moved


# ---- Properties ----------------------------------------------------------------------------------

# Inserted text has its own alphabet, without white space: if it could spell the article's words
# or spaces, an edit could have a cheaper explanation that deletes a span ("we said the " ->
# "id tsaidhe " is best explained by deleting "we sa" and "t"), and no diff can tell them apart.
# With it, the edit drawn is a cheapest one, and a diff must be able to keep every span intact.
INSERTED = ["UPDATE", "X", "42", "#", "🙃", "Ω", "-"]
WORDS = [
    "the",
    "talks",
    "minister",
    "said",
    "ceasefire",
    "we",
    "will",
    "not",
    "a",
    "of",
    "Geneva",
    "🙂",
    "\r\n",
]


Case = tuple[str, str, list[Anchor], list[tuple[int, int]], bool]


@st.composite
def edited_article(draw: st.DrawFn) -> Case:
    """A text, spans on it, and an edit (insertions and deletions) that leaves every span intact.

    Returns old, new, the anchors, for each where its text truly went in `new`, and whether the
    edit deleted anything.
    """
    words = draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=60))
    seps = draw(
        st.lists(st.sampled_from([" ", " ", ", ", ". ", "\n"]), min_size=len(words), max_size=len(words))
    )
    old = "".join(w + s for w, s in zip(words, seps, strict=True))
    spans: list[Anchor] = []
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(old) - 1))
        end = draw(st.integers(start + 1, min(len(old), start + 40)))
        while start < end and old[start].isspace():
            start += 1
        while end > start and old[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append(Anchor(len(spans), start, end, old[start:end]))
    assume(spans)
    # Points where an edit may go: not strictly inside any span.
    inside = set()
    for a in spans:
        inside.update(range(a.start + 1, a.end))
    free = [i for i in range(len(old) + 1) if i not in inside]
    covered = set()
    for a in spans:
        covered.update(range(a.start, a.end))
    edits: dict[int, tuple[int, str]] = {}  # position -> (characters deleted from there, text inserted)
    for _ in range(draw(st.integers(1, 5))):
        pos = draw(st.sampled_from(free))
        if draw(st.booleans()):
            length = 0
            while pos + length < len(old) and pos + length not in covered and length < 12:
                length += 1
            length = draw(st.integers(0, length))
            if any(pos <= q < pos + length for q in edits):
                continue
            edits[pos] = (length, edits.get(pos, (0, ""))[1])
        else:
            text = "".join(draw(st.lists(st.sampled_from(INSERTED), min_size=1, max_size=8)))
            deleted, before = edits.get(pos, (0, ""))
            edits[pos] = (deleted, before + text)
    assume(any(d or t for d, t in edits.values()))
    # Apply, keeping the true image of every old position that survives.
    pieces: list[str] = []
    image: dict[int, int] = {}
    out_len = 0
    i = 0
    while i <= len(old):
        deleted, text = edits.get(i, (0, ""))
        pieces.append(text)
        out_len += len(text)
        if deleted:
            for k in range(i, i + deleted):
                image[k] = -1
            i += deleted
            continue
        if i < len(old):
            image[i] = out_len
            pieces.append(old[i])
            out_len += 1
        i += 1
    new = "".join(pieces)
    truth = [(image[a.start], image[a.start] + (a.end - a.start)) for a in spans]
    for a, (s, e) in zip(spans, truth, strict=True):
        assert new[s:e] == a.quote
    return old, new, spans, truth, -1 in image.values()


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(edited_article())
def test_it_carries_every_span_through_edits_outside_all_spans(case: Case) -> None:
    old, new, spans, truth, deleted = case
    for p, a, (s, e) in zip(remap(old, new, spans), spans, truth, strict=True):
        assert p.method in ("diff", "unchanged"), (p, a, old, new)
        assert p.quote == a.quote and not p.changed and p.score == 1.0
        assert p.start is not None and p.end is not None
        assert new[p.start : p.end] == a.quote
        if not deleted:
            # Only insertions, of characters the text does not have: one alignment, the true one.
            assert (p.start, p.end) == (s, e)
        # A deletion next to repeated text can be aligned several ways ("the the" minus one
        # "the "): another copy of the quote that a cheapest alignment keeps is as good.


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab \r\n🙂é", max_size=40), st.text(alphabet="ab \r\n🙂é", max_size=40))
def test_it_builds_a_diff_that_covers_both_texts(old: str, new: str) -> None:
    ops = diff_opcodes(old, new)
    i = j = 0
    rebuilt = []
    for tag, i1, i2, j1, j2 in ops:
        assert (i1, j1) == (i, j)
        if tag == "equal":
            assert old[i1:i2] == new[j1:j2]
        rebuilt.append(new[j1:j2])
        i, j = i2, j2
    assert (i, j) == (len(old), len(new)) and "".join(rebuilt) == new
    assert all((a[0] == "equal") != (b[0] == "equal") for a, b in zip(ops, ops[1:], strict=False))


def test_it_documents_its_thresholds() -> None:
    import statements.anchoring as anchoring

    assert 0 < MIN_QUOTE_SIMILARITY <= 1 and 0 < MIN_SCORE <= 1
    doc = anchoring.__doc__ or ""
    for name in (
        "MIN_SCORE",
        "MIN_QUOTE_SIMILARITY",
        "MIN_RETAINED",
        "TIE_MARGIN",
        "NEAR_WINDOW",
        "CONTEXT_CHARS",
    ):
        assert f"`{name}`" in doc
