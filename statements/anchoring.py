"""Re-anchoring of annotated spans when an article's text changes: pure functions, no Django.

A span is an `Anchor`: a key (statement id, ``("condition", 7)``, …), code-point offsets
``[start, end)`` into the old text and the quote ``old[start:end]``. Given the old and the new text,
every span gets a `Placement`: new offsets and quote, the method that found them, a score in
[0, 1], and whether the quote changed; or it is an **orphan** (``start``/``end``/``quote`` None).
A span is never moved onto text that merely looks like it: below the thresholds it is orphaned.

Two situations, two entry points (`place(old, new, spans, mode=…)` dispatches):

**Edit** (`remap`): the new text is an edit of the old one (made in the app), so the offsets go
through a diff of the two texts.

1. The diff: common prefix and suffix are trimmed; in the middle, lines (paragraphs) that occur
   exactly once in each text are matched in their longest common order (patience diff), so a
   repeated or blank line never pairs with the wrong copy; the stretches between matched lines
   are diffed token by token (longest common subsequence, `rapidfuzz.distance.Indel.opcodes` on
   the lists of words, runs of horizontal white space, line endings, single punctuation or
   symbol characters); each run of changed tokens is refined character by character when both
   sides are at most `CHAR_REFINE_LIMIT` characters and at least
   `CHAR_REFINE_MIN_SIMILARITY` alike (a corrected typo, ``\\r\\n`` -> ``\\n``, a doubled space);
   otherwise the run stays one replacement, so unrelated words do not match letter by letter.
2. A span whose characters all lie in one unchanged block moves with it: ``method="unchanged"``
   if its offsets did not change, else ``"diff"``; ``changed=False``, score 1.0. One exception,
   the *island*: LCS keeps the longest common material in place, so when paragraphs are moved or
   swapped a phrase common to two of them can stay matched against the wrong one. If the span's
   context there agrees less than `ISLAND_CONTEXT`, and its quote also occurs farther away (more
   than its length plus `CONTEXT_CHARS`) with a context at least `ISLAND_GAIN` better, either in
   text the edit inserted or as the diff's image of another old occurrence when exchanging the two
   raises their summed context agreement by `ISLAND_GAIN`, and there is only one such place, the
   span goes there (``"exact-context"``; ``"diff"`` if an alignment no worse than the diff's keeps
   it there, see 3).
3. Otherwise the span is touched. A diff is not unique (inserting ``"ab"`` before ``"ab"`` can be
   aligned two ways). If the old quote occurs intact in the local window and an alignment of the
   window that keeps it intact costs (Indel distance) no more than the diff's own, that occurrence
   is taken: ``"diff"``, ``changed=False``, score 1.0. The window runs between the nearest
   unchanged blocks of at least `RESCUE_ANCHOR` characters around the span (at most
   `RESCUE_MARGIN` characters of each, `RESCUE_LIMIT` in all); both alignments agree outside it.
   The same check moves an intact span sitting in an unchanged block shorter than `RESCUE_ANCHOR`
   to the occurrence a strictly cheaper alignment keeps (the token diff is not optimal character
   by character). So an edit that does not touch a span never changes it, unless a strictly
   cheaper explanation of the edit deletes it (a property test holds this).
4. Else, if at least `MIN_RETAINED` of the quote's non-space characters survive the edit, the span
   covers the new characters between the images of its ends (inserted text inside included), if
   the old and new quote are at least `MIN_EDIT_SIMILARITY` alike or the edit only inserted text
   inside the quote (every character kept): ``"diff"``, ``changed=True``,
   score = quote similarity (below). Such a placement may score below `MIN_SCORE` (a long clause
   inserted inside a short span): `Placement.needs_review` says so.
5. Else (the span's text was deleted or rewritten) it is searched for as in the replace case, with
   the diff's image of its start as the expected position; failing that, it is an orphan.

**Replace** (`reanchor`): the new text has unknown provenance (re-import, API PATCH), so nothing is
assumed about how it was made. Each span is searched for with its quote and its context: the
`CONTEXT_CHARS` characters before it (prefix) and after it (suffix) in the old text. The expected
position is ``start * len(new) / len(old)``. Every candidate gets

    score = WEIGHT_QUOTE * q + WEIGHT_CONTEXT * c + WEIGHT_POSITION * p

where q is the quote similarity, c the mean of the prefix and suffix similarities (old context
against the same number of characters around the candidate), and p = 1 - distance from the
expected position / len(new). Similarities are normalized Levenshtein similarities, with
``\\r\\n`` read as ``\\n``; an empty context compared to an empty one (a span at the very start or
end of both texts) is similarity 1.

a. **Exact** occurrences of the quote (also with its line endings converted, so CRLF/LF changes
   stay exact), all of them, are scored with q = 1. The one with the best context wins if its
   score is at least `MIN_SCORE`: ``"exact-near"`` when it lies within `NEAR_WINDOW` characters of
   the expected position, else ``"exact-context"``. With the values below an exact quote needs
   c >= 0.375 even at the expected position: exact text with unrelated surroundings is a repeated
   phrase, not our span. If another occurrence's context is within `TIE_MARGIN` of the best, the
   context cannot decide: the one occurrence within `NEAR_WINDOW` of the expected position is
   taken if there is exactly one, else the span is an orphan with ``ambiguous=True`` — never a guess.
b. **Approximate**: `rapidfuzz.fuzz.partial_ratio_alignment` finds the best-matching stretch, first
   within `FUZZY_WINDOW` characters of the expected position, then in the whole text; its ends are
   then moved (by up to a quarter of the quote's length) to maximize the quote similarity, never
   onto white space, and onto word boundaries where the old span had them.
   Accepted (``"fuzzy"``) only if q >= `MIN_QUOTE_SIMILARITY` and score >= `MIN_SCORE`; and, as in
   (a), an orphan with ``ambiguous=True`` if a second stretch elsewhere is as good (q and c both
   within `TIE_MARGIN`).
c. Otherwise **orphan** (``method="orphan"``, score 0.0).

Placements never start or end with white space and always lie inside the new text; overlapping
and nested spans are placed independently. Identical old and new texts leave every span
``"unchanged"``. Cost (bench/bench_anchoring.py, 50,000 characters, 500 spans): the edit diff takes
a few milliseconds on ordinary edits (prefix/suffix trimming, then LCS over lines, then tokens
only inside changed lines) and spans are located by bisection, ~20 ms in all; the replace search
scans the text once per span (`str.find`) plus up to four approximate searches for a span whose
quote is not found intact, ~70 ms; a text replaced by an unrelated one (everything orphaned) is
the worst case, about half a second.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, cast

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

Method = Literal["unchanged", "diff", "exact-near", "exact-context", "fuzzy", "orphan"]
Mode = Literal["edit", "replace"]
Tag = Literal["equal", "replace", "delete", "insert"]

# Acceptance (replace search and the edit fallback).
MIN_SCORE: Final = 0.75  # combined score a found placement needs
MIN_QUOTE_SIMILARITY: Final = 0.8  # and the quote similarity alone, for an approximate match
WEIGHT_QUOTE: Final = 0.5
WEIGHT_CONTEXT: Final = 0.4
WEIGHT_POSITION: Final = 0.1
CONTEXT_CHARS: Final = 32  # prefix and suffix length, each side
TIE_MARGIN: Final = 0.05  # candidates whose context similarities are this close: a tie
NEAR_WINDOW: Final = 64  # "near the expected position", in characters
FUZZY_WINDOW: Final = 1000  # first approximate search: this many characters either side

# Edit diff.
MIN_RETAINED: Final = 0.5  # share of a quote's non-space characters that must survive an edit
MIN_EDIT_SIMILARITY: Final = 0.5  # and similarity of the old and new quote, for a changed span
CHAR_REFINE_LIMIT: Final = 200  # changed token runs longer than this stay one replacement
CHAR_REFINE_MIN_SIMILARITY: Final = 0.5  # and so do runs less alike than this (Indel similarity)
ISLAND_CONTEXT: Final = 0.5  # an intact span whose context fell below this may have moved
ISLAND_GAIN: Final = 0.2  # and goes where its quote has a context this much better (see _island)
RESCUE_ANCHOR: Final = 32  # the realignment window ends in unchanged blocks at least this long
RESCUE_MARGIN: Final = 128  # of which it takes at most this many characters
RESCUE_LIMIT: Final = 20_000  # no local realignment over larger windows
RESCUE_CANDIDATES: Final = 16  # occurrences tried, nearest first

_TOKEN = re.compile(r"\r\n|[\r\n]|[^\S\r\n]+|\w+|[^\w\s]")
_SPACE = re.compile(r"\s+")

Op = tuple[Tag, int, int, int, int]
"""A diff block: (tag, old_start, old_end, new_start, new_end), like difflib's opcodes."""
_Refiner = Callable[[str, str, int, int, list[Op]], None]


@dataclass(frozen=True, slots=True)
class Anchor:
    """A span of the old text: ``quote == old[start:end]`` (checked against the text by `place`)."""

    key: Hashable
    start: int
    end: int
    quote: str

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end):
            raise ValueError(f"anchor {self.key!r}: needs 0 <= start < end, got [{self.start}, {self.end})")
        if len(self.quote) != self.end - self.start:
            raise ValueError(
                f"anchor {self.key!r}: quote has {len(self.quote)} characters, span [{self.start}, "
                f"{self.end}) has {self.end - self.start}"
            )


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a span landed in the new text (or nowhere: an orphan, with start/end/quote None).

    `score` is 1.0 for spans the diff carried intact, the quote similarity for spans changed by an
    edit, the combined score for searched spans, 0.0 for orphans. `changed`: the placed quote
    differs from the old one (False for orphans). `ambiguous`: orphaned because two candidates were
    equally good. `old_start`/`old_end`: the anchor's offsets.
    """

    key: Hashable
    start: int | None
    end: int | None
    quote: str | None
    method: Method
    score: float
    changed: bool
    old_start: int | None = None
    old_end: int | None = None
    ambiguous: bool = False

    @property
    def is_orphan(self) -> bool:
        return self.method == "orphan"

    @property
    def needs_review(self) -> bool:
        """Orphaned, or placed with a score below `MIN_SCORE` (a span much changed by an edit)."""
        return self.is_orphan or self.score < MIN_SCORE

    @property
    def moved(self) -> bool:
        """Placed at other offsets than the anchor's."""
        return not self.is_orphan and (self.start, self.end) != (self.old_start, self.old_end)


def place(old: str, new: str, spans: Sequence[Anchor], *, mode: Mode) -> list[Placement]:
    """Place `spans` of `old` in `new`: `remap` for an edit, `reanchor` for a replacement."""
    if mode == "edit":
        return remap(old, new, spans)
    if mode == "replace":
        return reanchor(old, new, spans)
    raise ValueError(f"mode must be 'edit' or 'replace', not {mode!r}")


def remap(old: str, new: str, spans: Sequence[Anchor]) -> list[Placement]:
    """Move `spans` through the diff from `old` to `new` (an edit); one placement per span, in order."""
    _validate(old, spans)
    if old == new:
        return [_unchanged(a) for a in spans]
    diff = _DiffMap(old, new, diff_opcodes(old, new))
    return [diff.place(a) for a in spans]


def reanchor(old: str, new: str, spans: Sequence[Anchor]) -> list[Placement]:
    """Find `spans` of `old` in `new` (a replacement of unknown provenance) by quote and context."""
    _validate(old, spans)
    if old == new:
        return [_unchanged(a) for a in spans]
    ratio = len(new) / len(old) if old else 0.0
    return [_Search(old, new, a, round(a.start * ratio)).run() for a in spans]


# --- the diff -----------------------------------------------------------------------------------


def diff_opcodes(old: str, new: str) -> list[Op]:
    """Character-level diff blocks covering both texts in order; equal and changed blocks alternate."""
    n, m = len(old), len(new)
    p = _common_prefix(old, new)
    q = _common_suffix(old, new, min(n, m) - p)
    raw: list[Op] = []
    if p:
        raw.append(("equal", 0, p, 0, p))
    _diff_lines(old[p : n - q], new[p : m - q], p, p, raw)
    if q:
        raw.append(("equal", n - q, n, m - q, m))
    return _normalize(raw)


def _common_prefix(a: str, b: str) -> int:
    n = min(len(a), len(b))
    if a[:n] == b[:n]:
        return n
    lo, hi = 0, n  # a[:lo] == b[:lo] and a[:hi] != b[:hi]; slice compares run in C
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    la, lb = len(a), len(b)
    if limit <= 0:
        return 0
    if a[la - limit :] == b[lb - limit :]:
        return limit
    lo, hi = 0, limit
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[la - mid : la - lo] == b[lb - mid : lb - lo]:
            lo = mid
        else:
            hi = mid
    return lo


def _diff_lines(a: str, b: str, oa: int, ob: int, out: list[Op]) -> None:
    """Lines that occur once in each text anchor the diff (patience diff); between them, tokens.

    Only unique lines are trusted to match line by line: a repeated line (a blank line, a
    repeated sentence) may pair with the wrong copy, so its stretch goes to the token diff.
    """
    if not a or not b:
        _emit_change(a, b, oa, ob, out)
        return
    lines_a, lines_b = a.splitlines(keepends=True), b.splitlines(keepends=True)
    starts_a, starts_b = _offsets(lines_a, oa), _offsets(lines_b, ob)
    prev_a = prev_b = 0
    for i, j in [*_unique_line_anchors(lines_a, lines_b), (len(lines_a), len(lines_b))]:
        a1, a2, b1, b2 = starts_a[prev_a], starts_a[i], starts_b[prev_b], starts_b[j]
        _diff_tokens(a[a1 - oa : a2 - oa], b[b1 - ob : b2 - ob], a1, b1, out)
        if i < len(lines_a):
            out.append(("equal", starts_a[i], starts_a[i + 1], starts_b[j], starts_b[j + 1]))
        prev_a, prev_b = i + 1, j + 1


def _unique_line_anchors(lines_a: list[str], lines_b: list[str]) -> list[tuple[int, int]]:
    """Pairs (i, j) of lines occurring exactly once in each list: the longest chain in order."""
    count: dict[str, list[int]] = {}  # line -> [count in a, index in a, count in b, index in b]
    for i, line in enumerate(lines_a):
        entry = count.setdefault(line, [0, -1, 0, -1])
        entry[0] += 1
        entry[1] = i
    for j, line in enumerate(lines_b):
        seen = count.get(line)
        if seen is not None:
            seen[2] += 1
            seen[3] = j
    pairs = sorted((e[1], e[3]) for e in count.values() if e[0] == 1 and e[2] == 1)
    # Longest increasing subsequence of j over increasing i (patience sorting, O(n log n)).
    tail_js: list[int] = []  # tail_js[k]: smallest last j of a chain of length k + 1
    tails: list[int] = []  # and the index (into pairs) of that last pair
    back: list[int] = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect.bisect_left(tail_js, j)
        if pos > 0:
            back[k] = tails[pos - 1]
        if pos == len(tails):
            tail_js.append(j)
            tails.append(k)
        else:
            tail_js[pos], tails[pos] = j, k
    chain: list[tuple[int, int]] = []
    k = tails[-1] if tails else -1
    while k != -1:
        chain.append(pairs[k])
        k = back[k]
    return chain[::-1]


def _diff_tokens(a: str, b: str, oa: int, ob: int, out: list[Op]) -> None:
    if not a or not b:
        _emit_change(a, b, oa, ob, out)
        return
    _diff_units(a, b, _TOKEN.findall(a), _TOKEN.findall(b), oa, ob, out, _refine_chars)


def _refine_chars(a: str, b: str, oa: int, ob: int, out: list[Op]) -> None:
    if (
        not a
        or not b
        or len(a) > CHAR_REFINE_LIMIT
        or len(b) > CHAR_REFINE_LIMIT
        or Indel.normalized_similarity(a, b) < CHAR_REFINE_MIN_SIMILARITY
    ):
        _emit_change(a, b, oa, ob, out)
        return
    for op in Indel.opcodes(a, b):
        out.append(
            (cast(Tag, op.tag), oa + op.src_start, oa + op.src_end, ob + op.dest_start, ob + op.dest_end)
        )


def _diff_units(
    text_a: str,
    text_b: str,
    units_a: list[str],
    units_b: list[str],
    oa: int,
    ob: int,
    out: list[Op],
    refine: _Refiner,
) -> None:
    """LCS over units (lines or tokens); each run of changed units is handed to `refine`."""
    starts_a = _offsets(units_a, oa)
    starts_b = _offsets(units_b, ob)
    run: list[int] | None = None  # [a1, a2, b1, b2] in unit indexes
    for op in Indel.opcodes(units_a, units_b):
        if op.tag == "equal":
            if run is not None:
                _flush(run, starts_a, starts_b, text_a, text_b, oa, ob, out, refine)
                run = None
            out.append(
                (
                    "equal",
                    starts_a[op.src_start],
                    starts_a[op.src_end],
                    starts_b[op.dest_start],
                    starts_b[op.dest_end],
                )
            )
        elif run is None:
            run = [op.src_start, op.src_end, op.dest_start, op.dest_end]
        else:
            run[1], run[3] = op.src_end, op.dest_end
    if run is not None:
        _flush(run, starts_a, starts_b, text_a, text_b, oa, ob, out, refine)


def _flush(
    run: list[int],
    starts_a: list[int],
    starts_b: list[int],
    text_a: str,
    text_b: str,
    oa: int,
    ob: int,
    out: list[Op],
    refine: _Refiner,
) -> None:
    a1, a2 = starts_a[run[0]], starts_a[run[1]]
    b1, b2 = starts_b[run[2]], starts_b[run[3]]
    refine(text_a[a1 - oa : a2 - oa], text_b[b1 - ob : b2 - ob], a1, b1, out)


def _offsets(units: list[str], origin: int) -> list[int]:
    starts = [origin]
    for u in units:
        starts.append(starts[-1] + len(u))
    return starts


def _emit_change(a: str, b: str, oa: int, ob: int, out: list[Op]) -> None:
    if a and b:
        out.append(("replace", oa, oa + len(a), ob, ob + len(b)))
    elif a:
        out.append(("delete", oa, oa + len(a), ob, ob))
    elif b:
        out.append(("insert", oa, oa, ob, ob + len(b)))


def _normalize(raw: list[Op]) -> list[Op]:
    """Merge neighbours: runs of equal blocks, and runs of changed blocks (one replace/delete/insert)."""
    ops: list[Op] = []
    for tag, i1, i2, j1, j2 in raw:
        if i1 == i2 and j1 == j2:
            continue
        if ops:
            ptag, pi1, pi2, pj1, pj2 = ops[-1]
            if (ptag == "equal") == (tag == "equal"):
                ops[-1] = (_change_tag(pi1, i2, pj1, j2) if tag != "equal" else "equal", pi1, i2, pj1, j2)
                continue
        ops.append((tag if tag == "equal" else _change_tag(i1, i2, j1, j2), i1, i2, j1, j2))
    return ops


def _change_tag(i1: int, i2: int, j1: int, j2: int) -> Tag:
    if i1 < i2 and j1 < j2:
        return "replace"
    return "delete" if i1 < i2 else "insert"


class _DiffMap:
    """Old offsets -> new offsets through the diff blocks."""

    def __init__(self, old: str, new: str, ops: list[Op]) -> None:
        self.old, self.new, self.ops = old, new, ops
        # Blocks that consume old characters, by start; inserts sit between them.
        self.consuming = [k for k, op in enumerate(ops) if op[2] > op[1]]
        self.starts = [ops[k][1] for k in self.consuming]
        self.new_starts = [op[3] for op in ops]
        # For each block, the nearest unchanged block of at least RESCUE_ANCHOR characters at or
        # before it (-1: the text start) and at or after it (len(ops): the text end).
        self.anchor_before: list[int] = []
        last = -1
        for k, (tag, i1, i2, _, _) in enumerate(ops):
            if tag == "equal" and i2 - i1 >= RESCUE_ANCHOR:
                last = k
            self.anchor_before.append(last)
        self.anchor_after = [len(ops)] * len(ops)
        last = len(ops)
        for k in range(len(ops) - 1, -1, -1):
            tag, i1, i2, _, _ = ops[k]
            if tag == "equal" and i2 - i1 >= RESCUE_ANCHOR:
                last = k
            self.anchor_after[k] = last

    def _locate(self, pos: int) -> int:
        """Index (into ops) of the block holding old character `pos`."""
        return self.consuming[bisect.bisect_right(self.starts, pos) - 1]

    def place(self, a: Anchor) -> Placement:
        old, new, ops = self.old, self.new, self.ops
        if not new:
            return _orphan(a)
        k1, k2 = self._locate(a.start), self._locate(a.end - 1)
        t1, i1, _, j1, _ = ops[k1]
        if k1 == k2 and t1 == "equal":
            ns = j1 + a.start - i1
            if ops[k1][2] - i1 < RESCUE_ANCHOR:
                # A short unchanged block between changes may be a mismatched copy (token LCS is
                # not optimal character by character): take the cheapest alignment keeping it.
                cheapest = self._rescue(a, k1, k1, ns)
                if cheapest is not None and cheapest != ns:
                    return _make(a, new, cheapest, cheapest + len(a.quote), "diff", 1.0)
            return self._island(a, ns) or _make(a, new, ns, ns + len(a.quote), "diff", 1.0)
        ns = j1 + a.start - i1 if t1 == "equal" else j1
        t2, i2s, _, j2s, j2e = ops[k2]
        ne = j2s + a.end - i2s if t2 == "equal" else j2e
        found = self._rescue(a, k1, k2, ns)
        if found is not None:
            return _make(a, new, found, found + len(a.quote), "diff", 1.0)
        retained = self._retained(a, k1, k2)
        if retained >= MIN_RETAINED:
            ts, te = _trim(new, ns, ne)
            similarity = _similarity(a.quote, new[ts:te])
            # Below MIN_EDIT_SIMILARITY only text inserted inside an otherwise intact quote is kept.
            if ts < te and (similarity >= MIN_EDIT_SIMILARITY or retained == 1.0):
                return _make(a, new, ts, te, "diff", similarity)
        return _Search(old, new, a, ns).run()

    def _island(self, a: Anchor, ns: int) -> Placement | None:
        """An intact span whose surroundings both changed, when its text and context were moved.

        LCS keeps the longest common material in place, so when paragraphs are moved a common
        phrase of one can stay matched against a different one. Another exact occurrence of the
        quote, farther than the quote's length plus `CONTEXT_CHARS`, is taken instead when its
        context agrees at least `ISLAND_GAIN` better and either
        it lies in text the edit inserted, or it is the diff's image of another old occurrence and
        exchanging the two improves their summed context agreement by `ISLAND_GAIN` (a crossed
        match). With two such places, or none, the diff's answer stands.
        """
        old, new = self.old, self.new
        end = ns + len(a.quote)
        here = _context(old, new, a.start, a.end, ns, end)
        if here >= ISLAND_CONTEXT:
            return None
        search = _Search(old, new, a, ns)
        moved: list[_Candidate] = []
        for c in search.exact():
            k = self._new_block(c.start, c.end)
            if abs(c.start - ns) < len(a.quote) + CONTEXT_CHARS or k is None:
                continue  # next door is realignment, not a move: the diff's answer is as good
            if c.context_sim < here + ISLAND_GAIN:
                continue
            tag, i1, _, j1, _ = self.ops[k]
            if tag == "equal":
                o2 = i1 + c.start - j1  # the old occurrence the diff put there
                o2_end = o2 + c.end - c.start
                mine = _context(old, new, o2, o2_end, c.start, c.end)
                theirs = _context(old, new, o2, o2_end, ns, end)
                if c.context_sim + theirs < here + mine + ISLAND_GAIN:
                    continue
            moved.append(c)
        if not moved:
            return None
        best = max(moved, key=lambda c: (c.context_sim, c.score))
        if best.score < MIN_SCORE or any(
            c is not best and c.context_sim >= best.context_sim - TIE_MARGIN for c in moved
        ):
            return None
        window = self._window(a, *([self._locate(a.start)] * 2))
        if window is not None and self._keeping_cost(a, window, best.start) is not None:
            return _make(a, new, best.start, best.end, "diff", 1.0)  # an alignment as good as the diff's
        return _make(a, new, best.start, best.end, "exact-context", best.score)

    def _new_block(self, start: int, end: int) -> int | None:
        """Index of the block whose new side holds all of new[start:end], if one does."""
        k = bisect.bisect_right(self.new_starts, start) - 1
        while k >= 0:
            _, _, _, j1, j2 = self.ops[k]
            if j1 <= start < j2:
                return k if end <= j2 else None
            k -= 1
        return None

    def _retained(self, a: Anchor, k1: int, k2: int) -> float:
        total = len(_SPACE.sub("", a.quote))
        if not total:
            return 0.0
        kept = 0
        for tag, i1, i2, _, _ in self.ops[k1 : k2 + 1]:
            if tag == "equal":
                kept += len(_SPACE.sub("", self.old[max(i1, a.start) : min(i2, a.end)]))
        return kept / total

    def _rescue(self, a: Anchor, k1: int, k2: int, ns: int) -> int | None:
        """An intact occurrence of the quote that an alignment no worse than the diff's would keep."""
        window = self._window(a, k1, k2)
        if window is None:
            return None
        lo_new, hi_new = window[2], window[3]
        found: list[int] = []
        p = self.new.find(a.quote, lo_new, hi_new)
        while p != -1:
            found.append(p)
            p = self.new.find(a.quote, p + 1, hi_new)
        best: tuple[int, int, int] | None = None
        for p in sorted(found, key=lambda p: abs(p - ns))[:RESCUE_CANDIDATES]:
            c = self._keeping_cost(a, window, p)
            if c is not None and (best is None or (c, abs(p - ns)) < best[:2]):
                best = (c, abs(p - ns), p)
        return None if best is None else best[2]

    def _window(self, a: Anchor, k1: int, k2: int) -> tuple[int, int, int, int, int] | None:
        """Local realignment window around the span: (lo_old, hi_old, lo_new, hi_new, diff cost).

        It runs from an unchanged block of at least `RESCUE_ANCHOR` characters (or the text start)
        before the span to one after it (or the text end), taking at most `RESCUE_MARGIN`
        characters of each: any alignment through those blocks agrees with the diff outside.
        """
        old, new, ops = self.old, self.new, self.ops
        ka, kb = self.anchor_before[k1], self.anchor_after[k2]
        if ka >= 0:
            _, i1, i2, j1, _ = ops[ka]
            lo_old = max(i1, min(a.start, i2) - RESCUE_MARGIN)
            lo_new = j1 + lo_old - i1
        else:
            lo_old = lo_new = 0
        if kb < len(ops):
            _, i1, i2, j1, _ = ops[kb]
            hi_old = min(i2, max(a.end, i1) + RESCUE_MARGIN)
            hi_new = j1 + hi_old - i1
        else:
            hi_old, hi_new = len(old), len(new)
        if (hi_old - lo_old) + (hi_new - lo_new) > RESCUE_LIMIT:
            return None
        cost = sum((i2 - i1) + (j2 - j1) for tag, i1, i2, j1, j2 in ops[ka + 1 : kb] if tag != "equal")
        return lo_old, hi_old, lo_new, hi_new, cost

    def _keeping_cost(self, a: Anchor, window: tuple[int, int, int, int, int], p: int) -> int | None:
        """Cost of the best alignment of the window that keeps the quote intact at new[p:], if it is
        no worse than the diff's."""
        lo_old, hi_old, lo_new, hi_new, cost = window
        end = p + len(a.quote)
        if not (lo_new <= p and end <= hi_new):
            return None
        before = Indel.distance(self.old[lo_old : a.start], self.new[lo_new:p], score_cutoff=cost)
        if before > cost:
            return None
        c = before + Indel.distance(self.old[a.end : hi_old], self.new[end:hi_new], score_cutoff=cost)
        return c if c <= cost else None


# --- the search (replace, and the edit fallback) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    quote_sim: float
    context_sim: float
    score: float
    near: bool


class _Search:
    """Search `new` for one anchor of `old`, around the expected position `hint`."""

    def __init__(self, old: str, new: str, a: Anchor, hint: int) -> None:
        self.new, self.a = new, a
        self.hint = min(max(hint, 0), len(new))
        self.prefix = old[max(0, a.start - CONTEXT_CHARS) : a.start]
        self.suffix = old[a.end : a.end + CONTEXT_CHARS]
        # Did the span start/end on a word boundary? Approximate matches are fitted the same way.
        self.snap = (_boundary(old, a.start), _boundary(old, a.end))

    def context(self, start: int, end: int) -> float:
        """Mean similarity of the old prefix and suffix to those around new[start:end]."""
        before = self.new[max(0, start - CONTEXT_CHARS) : start]
        after = self.new[end : end + CONTEXT_CHARS]
        return (_similarity(self.prefix, before) + _similarity(self.suffix, after)) / 2

    def candidate(self, start: int, end: int, quote_sim: float) -> _Candidate:
        context = self.context(start, end)
        distance = abs(start - self.hint)
        position = 1.0 - min(1.0, distance / max(1, len(self.new)))
        score = WEIGHT_QUOTE * quote_sim + WEIGHT_CONTEXT * context + WEIGHT_POSITION * position
        return _Candidate(start, end, quote_sim, context, score, distance <= NEAR_WINDOW)

    def exact(self) -> list[_Candidate]:
        return [
            self.candidate(p, p + len(q), 1.0)
            for q in _variants(self.a.quote, self.new)
            for p in _find_all(self.new, q)
        ]

    def run(self) -> Placement:
        a, new = self.a, self.new
        if not new:
            return _orphan(a)
        exact = self.exact()
        if exact:
            best = max(exact, key=lambda c: (c.context_sim, c.score))
            if best.score >= MIN_SCORE:
                tied = [c for c in exact if c.context_sim >= best.context_sim - TIE_MARGIN]
                if len(tied) > 1:
                    near = [c for c in tied if c.near]
                    if len(near) != 1 or near[0].score < MIN_SCORE:
                        return _orphan(a, ambiguous=True)
                    best = near[0]
                method: Method = "exact-near" if best.near else "exact-context"
                return _make(a, new, best.start, best.end, method, best.score)

        lo = max(0, self.hint - FUZZY_WINDOW)
        hi = min(len(new), self.hint + len(a.quote) + FUZZY_WINDOW)
        windows = [(lo, hi)] if (lo, hi) == (0, len(new)) else [(lo, hi), (0, len(new))]
        for wlo, whi in windows:
            found = _fuzzy(a.quote, new, wlo, whi, self.snap)
            if found is None:
                continue
            best = self.candidate(*found)
            if best.quote_sim < MIN_QUOTE_SIMILARITY or best.score < MIN_SCORE:
                continue
            masked = new[: best.start] + "\x00" * (best.end - best.start) + new[best.end :]
            second = _fuzzy(a.quote, masked, wlo, whi, self.snap)
            if second is not None:
                rival = self.candidate(*second)
                tie = (
                    rival.quote_sim >= MIN_QUOTE_SIMILARITY
                    and rival.quote_sim >= best.quote_sim - TIE_MARGIN
                    and rival.context_sim >= best.context_sim - TIE_MARGIN
                )
                if tie and not (best.near and not rival.near):
                    return _orphan(a, ambiguous=True)
            return _make(a, new, best.start, best.end, "fuzzy", best.score)
        return _orphan(a)


def _variants(quote: str, new: str) -> list[str]:
    """The quote, and the quote with its line endings converted (CRLF <-> LF), if that can matter."""
    out = [quote]
    lf = quote.replace("\r\n", "\n")
    if lf != quote:
        out.append(lf)
    if "\n" in lf and "\r\n" in new:
        crlf = lf.replace("\n", "\r\n")
        if crlf not in out:
            out.append(crlf)
    return out


def _find_all(text: str, quote: str) -> list[int]:
    found: list[int] = []
    p = text.find(quote)
    while p != -1:
        found.append(p)
        p = text.find(quote, p + 1)
    return found


def _fuzzy(quote: str, text: str, lo: int, hi: int, snap: tuple[bool, bool]) -> tuple[int, int, float] | None:
    """Best approximate stretch for `quote` in text[lo:hi]: (start, end, quote similarity)."""
    hay = text[lo:hi]
    if not hay.strip():
        return None
    if len(hay) <= len(quote):
        start, end = lo, hi
    else:
        cutoff = max(0.0, MIN_QUOTE_SIMILARITY - 0.1) * 100
        al = fuzz.partial_ratio_alignment(quote, hay, score_cutoff=cutoff)
        if al is None:
            return None
        start, end = lo + al.dest_start, lo + al.dest_end
    start, end = _fit(quote, text, lo, hi, start, end, snap)
    start, end = _trim(text, start, end)
    if start >= end or "\x00" in text[start:end]:
        return None
    return start, end, _similarity(quote, text[start:end])


def _fit(
    quote: str, text: str, lo: int, hi: int, start: int, end: int, snap: tuple[bool, bool]
) -> tuple[int, int]:
    """Move the ends of text[start:end] (each by at most a quarter of the quote) to best match `quote`.

    partial_ratio's window has the quote's length; the edited passage may be longer or shorter.
    Coordinate search, start then end, twice; ties go to the smaller move. Ends never touch white
    space, and an end that was on a word boundary in the old text stays on one (when the range has
    one): "told journalists", not "told journ".
    """
    slack = max(8, len(quote) // 4)
    s0, e0 = start, end

    def key(a: int, b: int) -> tuple[float, int]:
        return Levenshtein.normalized_similarity(quote, text[a:b]), -abs(a - s0) - abs(b - e0)

    def allowed(positions: range, side: int) -> Sequence[int]:
        # Never next to white space (it would be trimmed), on a word boundary if the old end was.
        fitting = [x for x in positions if 0 <= x - side < len(text) and not text[x - side].isspace()]
        if snap[side]:
            fitting = [x for x in fitting if _boundary(text, x)]
        return fitting or positions

    for _ in range(2):
        starts = allowed(range(max(lo, start - slack), min(end - 1, start + slack) + 1), 0)
        start = max(starts, key=lambda a: key(a, end))
        ends = allowed(range(max(start + 1, end - slack), min(hi, end + slack) + 1), 1)
        end = max(ends, key=lambda b: key(start, b))
    return start, end


def _boundary(text: str, i: int) -> bool:
    """Position i is not inside a word."""
    if i <= 0 or i >= len(text):
        return True
    return not (_is_word(text[i - 1]) and _is_word(text[i]))


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


# --- helpers --------------------------------------------------------------------------------------


def _context(old: str, new: str, start: int, end: int, new_start: int, new_end: int) -> float:
    """Context agreement of old[start:end] placed at new[new_start:new_end] (see `_Search.context`)."""
    c = CONTEXT_CHARS
    prefix = _similarity(old[max(0, start - c) : start], new[max(0, new_start - c) : new_start])
    return (prefix + _similarity(old[end : end + c], new[new_end : new_end + c])) / 2


def _similarity(a: str, b: str) -> float:
    """Normalized Levenshtein similarity, reading CRLF as LF; two empty strings are alike (1.0)."""
    if a == b:
        return 1.0
    return float(Levenshtein.normalized_similarity(a.replace("\r\n", "\n"), b.replace("\r\n", "\n")))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _make(a: Anchor, new: str, start: int, end: int, method: Method, score: float) -> Placement:
    start, end = _trim(new, start, end)
    if start >= end:
        return _orphan(a)
    quote = new[start:end]
    if method != "fuzzy" and (start, end) == (a.start, a.end) and quote == a.quote:
        method = "unchanged"
    return Placement(
        key=a.key,
        start=start,
        end=end,
        quote=quote,
        method=method,
        score=round(min(1.0, max(0.0, score)), 6),
        changed=quote != a.quote,
        old_start=a.start,
        old_end=a.end,
    )


def _unchanged(a: Anchor) -> Placement:
    start, end = _trim(a.quote, 0, len(a.quote))
    if start >= end:
        return _orphan(a)
    return Placement(
        key=a.key,
        start=a.start + start,
        end=a.start + end,
        quote=a.quote[start:end],
        method="unchanged",
        score=1.0,
        changed=(start, end) != (0, len(a.quote)),
        old_start=a.start,
        old_end=a.end,
    )


def _orphan(a: Anchor, *, ambiguous: bool = False) -> Placement:
    return Placement(
        key=a.key,
        start=None,
        end=None,
        quote=None,
        method="orphan",
        score=0.0,
        changed=False,
        old_start=a.start,
        old_end=a.end,
        ambiguous=ambiguous,
    )


def _validate(old: str, spans: Sequence[Anchor]) -> None:
    for a in spans:
        if a.end > len(old) or old[a.start : a.end] != a.quote:
            raise ValueError(f"anchor {a.key!r}: quote {a.quote!r} is not old[{a.start}:{a.end}]")
