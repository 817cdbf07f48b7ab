"""Quotation marks, paragraphs and sentences (codebook 2.1-2.4).

`scan_quotes` pairs opening and closing marks per paragraph: curly “ ” ‘ ’, straight " ', low „
and guillemets « ». A mark of the other family inside a quotation is nested (the inner ‘guarantees’
of a statement). An apostrophe inside a word (don't, Sant'Anna) is never a mark; a possessive
after a plural (ministers’ quarrel) does not close a single quotation when a later mark can.
A paragraph that ends inside a quotation and a next paragraph that reopens with a mark of the same
family make one quotation whose span contains the line break and the reopening mark.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .cues import words

_MARK_RE = re.compile(r"[\"“”„«»‘’'‹›]|\n[ \t\r\n]*")
_DOUBLE = frozenset('"“”„«»')
_OPEN_PUNCT = frozenset("([{—–-/‘'“\"„«‹:")
_DOUBLE_OPENERS = frozenset('“"„«')
_SINGLE_OPENERS = frozenset("‘'‹")


@dataclass(slots=True)
class Quote:
    open: int  # index of the opening mark
    close: int  # index of the closing mark; -1 when the paragraph ended first
    start: int  # first character of the inner text (whitespace trimmed)
    end: int  # end of the inner text, exclusive
    double: bool
    reopens: tuple[int, ...] = ()  # indices of reopening marks in later paragraphs

    @property
    def outer_end(self) -> int:
        """Index just after the closing mark (or the inner end when unclosed)."""
        return self.close + 1 if self.close >= 0 else self.end


def _alnum(c: str | None) -> bool:
    return c is not None and (c.isalnum())


def _roles(text: str, i: int) -> tuple[bool, bool]:
    """(can_open, can_close) of the mark at i."""
    ch = text[i]
    prev = text[i - 1] if i > 0 else None
    nxt = text[i + 1] if i + 1 < len(text) else None
    if ch in "„«‹‘":
        return (nxt is not None and not nxt.isspace()), False
    if ch == "“":  # opens; closes only „…“ (German) or a mistyped closer (“We accept,“ she said)
        return (nxt is not None and not nxt.isspace()), (
            prev is not None
            and not prev.isspace()
            and not _alnum(nxt)
            and (nxt is None or nxt.isspace() or nxt in ",.;:!?")
        )
    if ch in "”»›":
        return False, True
    if ch == "’":
        if _alnum(prev) and _alnum(nxt):
            return False, False  # don’t
        return False, prev is not None and not prev.isspace() and not _alnum(nxt)
    # straight marks
    open_ok = (
        (prev is None or prev.isspace() or prev in _OPEN_PUNCT) and nxt is not None and not nxt.isspace()
    )
    close_ok = prev is not None and not prev.isspace() and not _alnum(nxt)
    if ch == "'":
        if _alnum(prev) and _alnum(nxt):
            return False, False  # Sant'Elia, don't
        return open_ok, close_ok
    if not open_ok and not close_ok and prev is not None and not prev.isspace():
        return True, True  # said"We — ambiguous, let the state decide
    return open_ok, close_ok


def _weak_single_close(text: str, i: int, para_end: int) -> bool:
    """A single closing mark after a letter, followed by a lower-case word (ministers’ quarrel),
    is an apostrophe when another single closing mark follows later in the paragraph."""
    prev = text[i - 1] if i > 0 else ""
    if not prev.isalpha():
        return False
    j = i + 1
    if j >= len(text) or text[j] != " " or j + 1 >= len(text) or not text[j + 1].islower():
        return False
    for k in range(j, para_end):
        c = text[k]
        if c in "’'":
            o, cl = _roles(text, k)
            if o and not cl:
                return False
            if cl:
                return True
        elif c == "‘":
            return False
    return False


def _has_single_close(text: str, i: int, para_end: int) -> bool:
    """A single opening mark counts only if a single closing mark follows in its paragraph."""
    return any(text[k] in "’'" and _roles(text, k)[1] for k in range(i + 1, para_end))


def scan_quotes(text: str) -> list[Quote]:
    out: list[Quote] = []
    n = len(text)
    top: list = []  # [double, open_idx, reopens]
    inner: bool | None = None  # family of the nested quotation, if any
    skip = -1
    para_end_cache: dict[int, int] = {}

    def para_end(i: int) -> int:
        pe = para_end_cache.get(i)
        if pe is None:
            pe = text.find("\n", i)
            pe = n if pe < 0 else pe
            para_end_cache[i] = pe
        return pe

    def emit(open_idx: int, close_idx: int, end_idx: int, double: bool, reopens: list[int]) -> None:
        s, e = open_idx + 1, end_idx
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(Quote(open_idx, close_idx, s, e, double, tuple(reopens)))

    for m in _MARK_RE.finditer(text):
        i = m.start()
        ch = text[i]
        if ch == "\n":
            if top:
                j = m.end()
                c = text[j] if j < n else ""
                if (top[0] and c in _DOUBLE_OPENERS) or (not top[0] and c in _SINGLE_OPENERS):
                    top[2].append(j)
                    skip = j
                else:
                    if top[0]:
                        emit(top[1], -1, i, True, top[2])
                    top = []
            inner = None
            continue
        if i == skip:
            continue
        double = ch in _DOUBLE
        can_open, can_close = _roles(text, i)
        if not top:
            if can_open and (double or _has_single_close(text, i, para_end(i))):
                top = [double, i, []]
                inner = None
            continue
        if double == top[0]:
            if can_close:
                if not double and _weak_single_close(text, i, para_end(i)):
                    continue
                emit(top[1], i, i, double, top[2])
                top = []
                inner = None
            continue
        # the other family: nested
        if inner is None:
            if can_open and not can_close or can_open and can_close and ch == '"':
                inner = double
        elif can_close:
            if not double and _weak_single_close(text, i, para_end(i)):
                continue
            inner = None
    if top and top[0]:
        emit(top[1], -1, n, True, top[2])
    return out


_ABBREV = words(
    "mr mrs ms dr prof gen col lt sgt capt cpt adm gov sen rep st jr sr no nos vs etc inc ltd co corp "
    "jan feb mar apr jun jul aug sep sept oct nov dec mt ft approx dept est fig vol"
)
_SENT_END_RE = re.compile(r"[.!?…]+[”’\"'»)\]]*(?=\s|$)")


def paragraph_starts(text: str) -> list[int]:
    starts = [0]
    for m in re.finditer(r"\n[ \t\r\n]*", text):
        starts.append(m.end())
    return starts


# a wire dateline: "LINDGRAD, March 3 — ", "HOLLIN, May 12 (Wire) - ", "MOSCOW (Reuters) - ", "ΑΘΗΝΑ — "
DATELINE_RE = re.compile(
    r"\s*(?P<place>[^\W\d_][^\W\d_'’. -]*(?:[ '’.-]+[^\W\d_]+)*)(?:,[^\n—–]{0,40}?)?(?:\s*\([^)\n]{1,40}\))?"
    r"\s*(?:[—–]|-{1,2}|:)\s+"
)


def dateline_end(text: str) -> int:
    m = DATELINE_RE.match(text, 0, 120)
    if not m:
        return 0
    letters = [c for c in m.group("place") if c.isalpha()]
    return m.end() if len(letters) >= 3 and all(c.isupper() for c in letters) else 0


def sentence_spans(text: str, quotes: list[Quote]) -> list[tuple[int, int]]:
    """Sentences as (start, end) with end after the final punctuation; boundaries inside a
    quotation do not count, so a multi-sentence (or multi-paragraph) quotation stays in one."""
    opens = [q.open for q in quotes]
    ends = [q.outer_end for q in quotes]

    def inside(p: int) -> bool:
        k = bisect.bisect_right(opens, p - 1) - 1
        return k >= 0 and opens[k] < p < ends[k]

    cuts: list[int] = []
    for m in _SENT_END_RE.finditer(text):
        e = m.end()
        if inside(e):
            continue
        p = m.start()
        if text[p] == ".":
            w = p
            while w > 0 and (text[w - 1].isalpha() or text[w - 1] == "."):
                w -= 1
            word = text[w:p]
            if word.casefold().rstrip(".") in _ABBREV or (len(word) == 1 and word.isupper()):
                continue
            if "." in word and len(word) <= 5:  # U.S. / e.g.
                continue
        j = e
        while j < len(text) and text[j] in " \t":
            j += 1
        if j < len(text) and text[j] != "\n":
            c = text[j]
            if c.islower():
                continue
        cuts.append(e)
    for m in re.finditer(r"\n[ \t\r\n]*", text):
        if not inside(m.start()):
            cuts.append(m.start())
    d = dateline_end(text)
    if d:
        cuts.append(d)
    cuts = sorted(set(cuts))
    spans: list[tuple[int, int]] = []
    last = 0
    for cut in [*cuts, len(text)]:
        lo, hi = last, cut
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        if hi > lo:
            spans.append((lo, hi))
        last = cut
    return spans
