"""HTML for the two parts of the annotate page that grow with the number of statements: the
highlighted article text and the side list of statements.

They are built here in Python, not in a template loop, on purpose: a Django template costs about
a hundred microseconds per list entry, which alone would put a 500-statement page over its 50 ms
budget; these functions cost a few microseconds per statement (bench/bench_annotate.py). The rest
of the page (panel, forms, pickers) stays in statements/article_detail.html. Every piece of text is
escaped with `html.escape`; only the fixed markup below is trusted.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from statements.presenters.highlight import Segment, segments
from statements.selectors.workspace import StatementRow

_esc = html.escape
# Review outcomes drawn on the highlight itself (pending and accepted are the plain look).
_FLAGGED = frozenset({"rejected", "changes_requested"})


@dataclass(frozen=True, slots=True)
class _Span:
    """A statement, or the evidence of one of its conditions, as a span for `segments()`."""

    pk: tuple[int, int]  # (0, statement id) or (1, condition id): unique across both kinds
    start: int
    end: int
    row: StatementRow
    evidence: bool


def _innermost_first(m: _Span) -> tuple[int, bool, int]:
    """The order of a segment's statements: innermost first; where spans coincide, gold first."""
    return (m.end - m.start, not m.row.is_gold, m.row.pk)


def highlighted_text(
    text: str, rows: Iterable[StatementRow], region: tuple[int, int] | None = None
) -> SafeString:
    """The article text with one <mark> per segment covered by statements or by evidence.

    Only text and <mark> elements: the container's textContent stays exactly `text`, which is
    what the browser measures selections against. A mark carries `data-ids` (the statements
    covering it, innermost first; where spans coincide, gold first), `data-ev` (the statements
    whose condition evidence covers it), the colour of its innermost statement's stance, `gold`
    and its review status (`st-rejected`, `st-changes_requested`: drawn on the highlight itself),
    `hl-start` where a statement begins, so adjacent spans stay distinguishable, and an
    `aria-description` (stance, speaker, status) for screen readers. Overlapping and nested
    spans never cross tags because every boundary cuts the text into segments
    (statements/highlight.py).

    With `region` (code points [start, end)), only that part of the text, cut exactly at its
    ends (what a save redraws: `rows` then need only be the statements overlapping it). A cut
    inside a segment is no statement's start, so the piece after it is not `hl-start`.
    """
    spans: list[_Span] = []
    for row in rows:
        spans.append(_Span((0, row.pk), row.start, row.end, row, False))
        for c in row.conditions:
            # orphaned evidence (issue 14) has its old text's offsets: not drawn on the current one
            if (
                c.evidence_start is not None
                and c.evidence_end is not None
                and c.evidence_orphan_of_id is None
            ):
                spans.append(_Span((1, c.pk), c.evidence_start, c.evidence_end, row, True))
    described: dict[int, str] = {}  # a statement's description, once per page (it has many segments)

    def describe(row: StatementRow) -> str:
        if (found := described.get(row.pk)) is None:
            found = described[row.pk] = _esc(
                f"{'Gold ' if row.is_gold else ''}{row.stance_label}: "
                f"{row.speaker_name or 'unknown speaker'}, {row.status_label.lower()}"
            )
        return found

    out: list[str] = []
    opened: dict[tuple[int, bool], str] = {}  # (statement, starts here): its opening tag
    for seg in segments(text, spans):  # type: ignore[arg-type]
        if region is not None:
            lo, hi = max(seg.start, region[0]), min(seg.end, region[1])
            if lo >= hi:
                continue
            if (lo, hi) != (seg.start, seg.end):
                seg = Segment(lo, hi, text[lo:hi], seg.spans)
        body = _esc(seg.text, quote=False)
        if not seg.spans:
            out.append(body)
            continue
        if len(seg.spans) == 1:  # the common case: one statement or one evidence span
            only = seg.spans[0]
            if not only.evidence:  # one statement: its opening tag is the same on every segment
                key = (only.row.pk, only.start == seg.start)
                head = opened.get(key)
                if head is None:
                    head = opened[key] = _mark_open([only], seg.start, "", describe)
                out.append(f"{head}{body}</mark>")
                continue
            covering, evidence_of = [], [only.row.pk]
        else:
            covering = sorted((m for m in seg.spans if not m.evidence), key=_innermost_first)
            evidence_of = sorted({m.row.pk for m in seg.spans if m.evidence})
        ev_attr = f' data-ev="{" ".join(map(str, evidence_of))}"' if evidence_of else ""
        if not covering:
            out.append(f'<mark class="ev"{ev_attr}>{body}</mark>')
            continue
        out.append(f"{_mark_open(covering, seg.start, ev_attr, describe)}{body}</mark>")
    return mark_safe("".join(out))  # every piece of text above is escaped


def _mark_open(
    covering: Sequence[_Span], start: int, ev_attr: str, describe: Callable[[StatementRow], str]
) -> str:
    """The opening <mark> of a segment starting at `start` covered by `covering` (innermost
    first): the innermost statement's stance, depth, hl-start, review outcome and gold; the ids
    and descriptions of all."""
    top = covering[0].row
    classes = f"hl s-{top.stance}"
    if len(covering) > 1:
        classes += " d2" if len(covering) == 2 else " d3"
    if any(m.start == start for m in covering):
        classes += " hl-start"
    if top.status in _FLAGGED:
        classes += f" st-{top.status}"
    if top.is_gold:
        classes += " gold"
    ids = " ".join(str(m.row.pk) for m in covering)
    title = "; ".join(describe(m.row) for m in covering)
    return f'<mark class="{classes}" data-ids="{ids}"{ev_attr} title="{title}" aria-description="{title}">'


def statement_items(rows: Sequence[StatementRow], *, article_url: str, show: str, user_id: int) -> SafeString:
    """The <li> entries of the side list: quote (a link that opens the statement in the panel,
    and works as a plain link), speaker → addressee, stance, status, annotator, conditions (one
    whose evidence is orphaned by a text edit, issue 14, says so)."""
    mine = "&amp;show=mine" if show == "mine" else ""
    base = _esc(article_url)
    out: list[str] = []
    for row in rows:
        pk = row.pk
        url = f"{base}?statement={pk}{mine}"
        addressee = f" → {_esc(row.addressee_name)}" if row.addressee_name else ""
        by = "yours" if row.annotator_id == user_id else _esc(row.annotator_name)
        conditions = ""
        if row.conditions:
            items = "".join(
                f"<li>{_esc(c.description)}"
                + (
                    f' <span class="evidence orphaned" data-orphan-evidence="{c.pk}">orphaned evidence</span>'
                    if c.evidence_orphan_of_id is not None
                    else ""
                )
                + "</li>"
                for c in row.conditions
            )
            conditions = f'<ul class="conditions">{items}</ul>'
        speaker = _esc(row.speaker_name)
        gold = " · gold" if row.is_gold else ""
        out.append(
            f'<li id="statement-{pk}" class="statement s-{row.stance}" data-statement="{pk}"'
            f' data-start="{row.start}" data-end="{row.end}" data-stance="{row.stance}"'
            f' data-status="{row.status}" data-speaker="{speaker}"'
            f' data-mine="{1 if row.annotator_id == user_id else 0}">'
            f'<a class="statement-link" href="{url}#statement-{pk}" hx-get="{url}" hx-target="#panel"'
            f' hx-swap="outerHTML" data-statement="{pk}"><q>{_esc(row.quote)}</q></a>'
            f'<p class="who"><strong>{_esc(row.speaker_name or "Unknown speaker")}</strong>{addressee}</p>'
            f'<p class="tags"><span class="badge s-{row.stance}">{row.stance_label}</span>'
            f' <span class="status st-{row.status}">{row.status_label}</span>{gold}'
            f' <span class="by">{by}</span></p>{conditions}</li>\n'
        )
    return mark_safe("".join(out))  # every piece of text above is escaped
