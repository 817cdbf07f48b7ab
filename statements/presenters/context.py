"""A quote in its context (the sentence before and after), for reviewers: from a whole text, or
from the window of text `selectors.queue.with_context_window` cut in the database. No query.
"""

from __future__ import annotations

import re

from statements.models import (
    Statement,
)
from statements.selectors.queue import CONTEXT_LIMIT

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) and white space,
# or at a blank line.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+|\n\s*\n")


def quote_context(text: str, start: int, end: int, *, limit: int = 400) -> tuple[str, str]:
    """The text around a quote: from the start of the sentence before the quote's sentence up
    to the quote, and from the quote to the end of the sentence after it (each side at most
    `limit` characters, cut on a word boundary and marked with "…" where a sentence is cut), so
    a reviewer can judge the quote in context."""
    window_lo, window_hi = max(0, start - 2 * limit), min(len(text), end + 2 * limit)
    cuts = [m.end() for m in _SENTENCE_END.finditer(text, window_lo, start)]
    lo = cuts[-2] if len(cuts) >= 2 else window_lo
    ends = _SENTENCE_END.finditer(text, max(start, end - 1), window_hi)
    first, second = next(ends, None), next(ends, None)
    hi = second.end() if second else window_hi
    if first is None:
        hi = window_hi
    cut_lo, cut_hi = max(lo, start - limit), min(hi, end + limit)
    before, after = text[cut_lo:start], text[end:cut_hi].rstrip()
    # Cut inside a sentence: start and end on a word boundary, and say that text is missing.
    if cut_lo > lo:
        space = before.find(" ")
        before = "…" + (before[space + 1 :] if 0 <= space < len(before) - 1 else before)
    if cut_hi < hi:
        space = after.rfind(" ")
        after = (after[:space] if space > 0 else after) + "…"
    return before, after


def context_of(statement: Statement) -> tuple[str, str]:
    """(before, after) of a statement loaded through `with_context_window` (no query); the
    same text as `context.quote_context(article.text, start, end)`."""
    lo = statement.ctx_lo  # type: ignore[attr-defined]
    return quote_context(statement.ctx_window, statement.start - lo, statement.end - lo, limit=CONTEXT_LIMIT)  # type: ignore[attr-defined]
