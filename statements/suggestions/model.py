"""The engine's input and output types: plain frozen dataclasses, no Django."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ActorInfo:
    """One actor of the registry, as the engine needs it (built from `Actor` rows by the caller).

    `kind` is any string ("person", "state", "organization", "institution", "group", …); "state"
    matters for capital metonyms, which are simply aliases of the state. `gender` is optional
    ("female"/"f"/"male"/"m"/…) and only used to resolve *he* / *she*.
    """

    id: int
    name: str
    kind: str = "person"
    aliases: tuple[str, ...] = ()
    affiliation_id: int | None = None
    gender: str | None = None


@dataclass(frozen=True, slots=True)
class SuggestedCondition:
    description: str
    start: int | None = None
    end: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"description": self.description, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A proposed statement. `quote == text[start:end]`; offsets are code points, end exclusive."""

    start: int
    end: int
    quote: str
    direct: bool
    speaker_id: int | None
    stance: str
    kind: str
    new_speaker: dict[str, str] | None = field(default=None, hash=False)
    anonymous: bool = False
    speaker_mention: str = ""
    mention_start: int | None = None
    mention_end: int | None = None
    addressee_id: int | None = None
    conditions: tuple[SuggestedCondition, ...] = ()
    score: float = 0.5
    why: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "direct": self.direct,
            "speaker": self.speaker_id,
            "new_speaker": dict(self.new_speaker) if self.new_speaker else None,
            "anonymous": self.anonymous,
            "speaker_mention": self.speaker_mention,
            "addressee": self.addressee_id,
            "stance": self.stance,
            "conditions": [c.as_dict() for c in self.conditions],
            "score": self.score,
            "why": list(self.why),
            "kind": self.kind,
        }
