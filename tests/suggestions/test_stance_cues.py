"""Stance cues added after the engine (#11), each straight from the codebook (section 5): a
directive in the passive at another party is a demand (*I expect X to* → *X is expected to*);
*look forward to* (working with X) states the intent to cooperate, support. Pure: no database."""

from __future__ import annotations

import pytest

from statements.suggestions.stance import classify


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Kestria is expected to pull back its ships by Monday", "demand"),
        ("The envoys are required to hand over the lists", "demand"),
        ("We look forward to working with the new government", "support"),
        ("We look forward to the talks, but Kestria must first withdraw", "demand"),  # demand > support
        ("Nobody should expect us to give up the port", "caveat"),  # the codebook's own example
    ],
)
def test_it_follows_the_codebooks_stance_cues(text, stance):
    assert classify(text)[0] == stance


@pytest.mark.parametrize("text", ["We are expected to attend the summit", "It is expected to rain"])
def test_it_takes_no_passive_of_the_speaker_or_of_it_for_a_directive(text):
    assert classify(text)[0] != "demand"  # the speaker's own duty, or nobody's: codebook tie-break 2
