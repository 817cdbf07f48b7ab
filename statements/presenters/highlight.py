"""Split an article text into segments for rendering overlapping and nested highlights.

Every place where a span (a statement, or a condition's evidence) starts or ends cuts the text;
each resulting segment knows which spans cover it. presenters/rendering.py renders a covered
segment as one <mark> carrying all of them, so overlapping and nested spans never produce
crossing tags. A sweep over the sorted boundaries
keeps it O((n + k) log n) for n statements and k segments.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class Span(Protocol):
    pk: Any
    start: int
    end: int


@dataclass
class Segment:
    start: int
    end: int
    text: str
    spans: list[Any] = field(default_factory=list)  # the covering spans, outermost first


def segments(text: str, spans: Iterable[Span]) -> list[Segment]:
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts: set[int] = {0, len(text)}
    starts: dict[int, list[Span]] = {}
    ends: dict[int, list[Span]] = {}
    for s in spans:
        cuts.update((s.start, s.end))
        starts.setdefault(s.start, []).append(s)
        ends.setdefault(s.end, []).append(s)
    ordered: Sequence[int] = sorted(cuts)
    active: dict[int, Span] = {}
    out: list[Segment] = []
    for a, b in zip(ordered, ordered[1:], strict=False):
        for s in ends.get(a, ()):
            active.pop(s.pk, None)
        for s in starts.get(a, ()):
            active[s.pk] = s
        covering = list(active.values())
        if len(covering) > 1:  # most segments have one span or none: nothing to order
            covering.sort(key=_outermost_first)
        out.append(Segment(a, b, text[a:b], covering))
    return out


def _outermost_first(s: Span) -> tuple[int, int, Any]:
    return (s.start, -s.end, s.pk)
