"""Offsets: converting other counting conventions to code points, and anchoring quotes.

Python (and our database) count code points; a browser counts UTF-16 code units, so every
character outside the Basic Multilingual Plane (emoji such as U+1F44D, some CJK, mathematical
letters) counts twice there. Tools whose offsets come from a browser (Label Studio's and doccano's
front ends, in some versions) or from Java (WebAnno TSV, UIMA CAS) count UTF-16. Some tools also
count a CRLF line break as one character (the browser's DOM normalises line breaks to LF), or the
text was given CRLF line breaks after it was annotated (a Windows checkout of a brat corpus).

Conversion happens once, at the edge, per span: `TextIndex.locate()` tries the offsets as code
points, then (only when the text has astral characters, resp. CRLF) as UTF-16 code units, as
LF-normalised offsets and as both, and keeps the first reading under which the span holds its
quote. If none fits, the quote is looked for near the offsets (the nearest occurrence within
±200 characters), then anywhere if it occurs once (or once with its prefix/suffix). Line endings
are never normalised in the text itself: offsets stay exact for CRLF texts.

The mappers are built once per text (a regular-expression scan, C speed) and answer in
O(log n) with `bisect`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
NEARBY = 200  # how far from the given offsets a misplaced quote is looked for (characters)
_MAX_OCCURRENCES = 10_000  # occurrences of a quote examined when looking for it (a cap for short quotes)


def utf16_to_codepoints(text: str) -> Callable[[int], int | None]:
    """A mapper from UTF-16 code-unit offsets of `text` to code-point offsets: None for an offset
    that falls inside a surrogate pair or outside the text. Built once per text; the identity
    (with a bounds check) when the text has no astral characters."""
    starts = [m.start() + i for i, m in enumerate(_ASTRAL.finditer(text))]  # UTF-16 offset of each pair
    limit = len(text) + len(starts)
    if not starts:
        return lambda u: u if 0 <= u <= limit else None

    def convert(u: int) -> int | None:
        if not 0 <= u <= limit:
            return None
        k = bisect_left(starts, u)  # pairs starting before u
        if k and starts[k - 1] + 1 == u:
            return None  # between the two halves of a surrogate pair
        return u - k

    return convert


def codepoints_to_utf16(text: str) -> Callable[[int], int]:
    """The inverse mapper: code-point offsets of `text` to UTF-16 code-unit offsets."""
    astral = [m.start() for m in _ASTRAL.finditer(text)]
    if not astral:
        return lambda c: c
    return lambda c: c + bisect_left(astral, c)


def lf_to_crlf(text: str) -> Callable[[int], int | None]:
    """A mapper from offsets into `text` with its CRLF line breaks counted as one character (as
    if they were LF) to offsets into `text` itself; None outside the text."""
    breaks = [m.start() - i for i, m in enumerate(re.finditer("\r\n", text))]  # LF-text offset of each
    limit = len(text) - len(breaks)
    if not breaks:
        return lambda p: p if 0 <= p <= limit else None
    return lambda p: p + bisect_left(breaks, p) if 0 <= p <= limit else None


class TextIndex:
    """One document's text and its offset mappers (built on first need), to locate spans."""

    def __init__(self, text: str):
        self.text = text
        self.has_astral = _ASTRAL.search(text) is not None
        self.has_crlf = "\r\n" in text
        self._mappers: dict[str, Callable[[int], int | None]] = {}

    def conventions(self) -> list[str]:
        """The counting conventions that can differ from code points for this text."""
        out = ["codepoints"]
        if self.has_astral:
            out.append("utf-16")
        if self.has_crlf:
            out.append("lf")
            if self.has_astral:
                out.append("lf+utf-16")
        return out

    def mapper(self, convention: str) -> Callable[[int], int | None]:
        found = self._mappers.get(convention)
        if found is None:
            if convention == "codepoints":
                n = len(self.text)

                def found(p: int) -> int | None:
                    return p if 0 <= p <= n else None
            elif convention == "utf-16":
                found = utf16_to_codepoints(self.text)
            elif convention == "lf":
                found = lf_to_crlf(self.text)
            else:  # UTF-16 units of the LF-normalised text
                from_utf16 = utf16_to_codepoints(self.text.replace("\r\n", "\n"))
                from_lf = lf_to_crlf(self.text)

                def found(p: int) -> int | None:
                    q = from_utf16(p)
                    return None if q is None else from_lf(q)

            self._mappers[convention] = found
        return found

    def convert(self, start: int, end: int, convention: str) -> tuple[int, int] | None:
        m = self.mapper(convention)
        s, e = m(start), m(end)
        if s is None or e is None:
            return None
        return s, e

    def locate(
        self,
        start: int | None,
        end: int | None,
        quote: str | None,
        *,
        prefix: str | None = None,
        suffix: str | None = None,
        convention: str | None = None,
    ) -> tuple[int, int, str | None] | str:
        """Where the span is in the text: `(start, end, anchoring)` in code points (anchoring is
        None when the offsets fitted as given, else one of records.ANCHORINGS), or a message
        saying why it cannot be placed.

        Without a quote the offsets are taken as they are (in `convention` when the document's
        other spans showed one, else code points) and only checked against the text's length."""
        text = self.text
        if quote is None:
            if start is None or end is None:
                return "the span has neither offsets nor a quote"
            placed = self.convert(start, end, convention or "codepoints")
            if placed is None or placed[0] >= placed[1]:
                return f"the offsets {start}–{end} are outside the text ({len(text)} characters) or empty"
            return placed[0], placed[1], None if convention in (None, "codepoints") else convention
        if not quote:
            return "the quote is empty"
        if start is not None and end is not None:
            for name in self.conventions():
                placed = self.convert(start, end, name)
                if placed is not None and text[placed[0] : placed[1]] == quote:
                    return placed[0], placed[1], None if name == "codepoints" else name
        found = self.find(quote, start, prefix=prefix, suffix=suffix)
        if isinstance(found, tuple):
            return found[0], found[0] + len(quote), found[1]
        if start is None or end is None:
            return f"the quote “{_short(quote)}” {found}"
        here = text[max(0, start) : max(0, end)] if 0 <= start < end else ""
        holds = f"holds “{_short(here)}”" if here else "is outside the text"
        return f"the span {start}–{end} {holds}, not the quote “{_short(quote)}”, and the quote {found}"

    def _fits(self, at: int, quote: str, prefix: str | None, suffix: str | None) -> bool:
        """Does the occurrence of `quote` at `at` have the given prefix and suffix around it?"""
        text = self.text
        return (not prefix or text.endswith(prefix, 0, at)) and (
            not suffix or text.startswith(suffix, at + len(quote))
        )

    def find(
        self, quote: str, near: int | None, *, prefix: str | None = None, suffix: str | None = None
    ) -> tuple[int, str] | str:
        """Where `quote` is, when the offsets do not fit: the nearest occurrence within ±NEARBY
        characters of `near` (among those with the given prefix/suffix, if any has them), else
        the only occurrence in the text, else the only one with the given prefix/suffix.
        `(start, anchoring)` or a message."""
        text = self.text
        if near is not None:
            lo = max(0, near - NEARBY)
            hi = min(len(text), near + NEARBY + len(quote))
            candidates: list[int] = []
            i = text.find(quote, lo, hi)
            while i != -1 and len(candidates) < _MAX_OCCURRENCES:
                candidates.append(i)
                i = text.find(quote, i + 1, hi)
            if prefix or suffix:  # the context, when given, picks among the occurrences nearby
                fitting = [i for i in candidates if self._fits(i, quote, prefix, suffix)]
                candidates = fitting or candidates
            if candidates:
                return min(candidates, key=lambda i: abs(i - near)), "nearby"
        first = text.find(quote)
        if first == -1:
            return "does not occur in the text"
        if text.find(quote, first + 1) == -1:
            return first, "unique"
        if prefix or suffix:
            matches = []
            i, seen = first, 0
            while i != -1 and seen < _MAX_OCCURRENCES:
                seen += 1
                if self._fits(i, quote, prefix, suffix):
                    matches.append(i)
                    if len(matches) > 1:
                        break
                i = text.find(quote, i + 1)
            if len(matches) == 1:
                return matches[0], "context"
        where = f" near {near}" if near is not None else ""
        return f"occurs several times in the text but not{where}, so which one is meant is unclear"


def _short(value: str, limit: int = 60) -> str:
    value = value.replace("\r", "\\r").replace("\n", "\\n")
    return value if len(value) <= limit else value[: limit - 1] + "…"
