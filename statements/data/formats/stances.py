"""Label values → stance (support, caveat, demand).

Peers' files label spans with their own vocabulary ("Support", "SUPPORT", "Endorsement", "Call
for"). Labels are compared case-insensitively, with runs of spaces, underscores and hyphens read as
one space ("Call_for" = "call for" = "CALL-FOR").

Without a `stance_map`, DEFAULT_SYNONYMS apply: the three stances themselves and unambiguous
synonyms. Sentiment labels ("positive", "negative") are deliberately absent: a positive sentiment
is not necessarily support for something, and a negative one is neither a caveat nor a demand. So
is "condition": in our model a condition is attached to a statement, and a span labelled
"Condition" more likely marks the condition's wording than a statement.

A `stance_map` given by the caller replaces the synonyms (the three stance names always map to
themselves), so that a project whose "Request" label means something else is not misread.
A label that maps to nothing is an entity (a possible speaker) in the formats with relations
(Label Studio, doccano with relations, brat) and a problem in the others.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

STANCES = ("support", "caveat", "demand")

DEFAULT_SYNONYMS: dict[str, str] = {
    # support
    "supports": "support",
    "supporting": "support",
    "supportive": "support",
    "endorse": "support",
    "endorses": "support",
    "endorsement": "support",
    "approve": "support",
    "approval": "support",
    "agree": "support",
    "agreement": "support",
    "in favour": "support",
    "in favor": "support",
    "pro": "support",
    # caveat
    "caveats": "caveat",
    "reservation": "caveat",
    "reservations": "caveat",
    "qualification": "caveat",
    "qualified support": "caveat",
    "conditional": "caveat",
    "conditional support": "caveat",
    "hedge": "caveat",
    "hedging": "caveat",
    # demand
    "demands": "demand",
    "request": "demand",
    "requests": "demand",
    "call for": "demand",
    "calls for": "demand",
    "requirement": "demand",
    "insist": "demand",
    "ultimatum": "demand",
}

_SEPARATORS = re.compile(r"[\s_\-]+")


def normalise_label(label: str) -> str:
    return _SEPARATORS.sub(" ", label.casefold()).strip()


class StanceMap:
    """Resolves labels to stances (see the module docstring)."""

    def __init__(self, stance_map: Mapping[str, str] | None = None):
        given = DEFAULT_SYNONYMS if stance_map is None else stance_map
        table: dict[str, str] = {s: s for s in STANCES}
        for label, stance in given.items():
            value = normalise_label(stance)
            if value not in STANCES:
                raise ValueError(f"stance_map maps {label!r} to {stance!r}, which is not one of {STANCES}")
            table[normalise_label(label)] = value
        self._table = table
        self._seen: dict[str, str | None] = {}  # labels as written, resolved once

    def stance(self, label: str | None) -> str | None:
        if not isinstance(label, str):
            return None
        try:
            return self._seen[label]
        except KeyError:
            found = self._seen[label] = self._table.get(normalise_label(label))
            if len(self._seen) > 10_000:  # a file with ever new labels: keep the memory bounded
                self._seen.clear()
            return found

    def first(self, labels: list[str]) -> tuple[str | None, str | None, str | None]:
        """`(label, stance, conflict)` for a span carrying `labels`: the first label that maps to a
        stance, and a message when its labels map to different stances."""
        found: tuple[str, str] | None = None
        for label in labels:
            stance = self.stance(label)
            if stance is None:
                continue
            if found is None:
                found = (label, stance)
            elif found[1] != stance:
                return found[0], found[1], f"the labels {found[0]!r} and {label!r} give different stances"
        if found is None:
            return (labels[0] if labels else None), None, None
        return found[0], found[1], None


# Relation labels (brat R types, doccano relation types, Label Studio relation labels), compared
# case-insensitively without separators ("Said_By" = "saidby").
SPEAKER_RELATIONS = frozenset(
    {"speaker", "saidby", "source", "attribution", "attributedto", "quotedby", "statedby", "speakerof"}
)
ADDRESSEE_RELATIONS = frozenset({"addressee", "addressedto", "target", "recipient", "audience"})
CONDITION_RELATIONS = frozenset({"condition", "hascondition", "conditionof", "conditionedon"})


def relation_kind(label: str | None) -> str | None:
    """ "speaker", "addressee", "condition" or None (a relation we do not use)."""
    if not isinstance(label, str):
        return None
    key = re.sub(r"[\W_]+", "", label.casefold())
    if key in SPEAKER_RELATIONS:
        return "speaker"
    if key in ADDRESSEE_RELATIONS:
        return "addressee"
    if key in CONDITION_RELATIONS:
        return "condition"
    return None
