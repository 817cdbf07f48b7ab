"""HTML for the rows of the article tables (the article list and the project page's documents)
and the progress pill. Built here in Python rather than in a template loop: the loop with two
included pills per row cost about half of the project page's time (a Django template spends
tens of microseconds per variable and per include; this spends a few per row). Every piece of
text is escaped with `html.escape`; only the fixed markup below is trusted."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

from statements.selectors.projects import PROGRESS_CHOICES

_esc = html.escape
_LABELS = dict(PROGRESS_CHOICES)
_PILLS = {value: f'<span class="progress-pill p-{value}">{label}</span>' for value, label in _LABELS.items()}


def progress_pill(value: str) -> SafeString:
    """A document's progress (selectors/projects.py says when it is done) as its pill."""
    return mark_safe(_PILLS.get(value, _PILLS["not_started"]))  # noqa: S308  (fixed markup)


def article_rows(
    articles: Iterable[Any], *, show_progress: bool = False, show_mine: bool = False
) -> SafeString:
    """The table rows of `articles` (Article instances from catalog.article_rows, or the project
    page's Documents): title and dateline, source, date, the statements the user may see by
    stance and their own; with `show_progress` the team's progress (`show_mine`: the user's
    first)."""
    out = []
    for a in articles:
        dateline = f' <span class="muted">{_esc(a.dateline)}</span>' if a.dateline else ""
        mine = f"<strong>{a.n_mine}</strong>" if a.n_mine else "0"
        progress = ""
        if show_progress:
            if show_mine:
                progress = f"<td>{_PILLS[a.my_progress]}</td>"
            progress += f"<td>{_PILLS[a.team_progress]}</td>"
        out.append(
            f'<tr>\n        <td><a href="{_esc(a.get_absolute_url())}">{_esc(a.title)}</a>{dateline}</td>\n'
            f"        <td>{_esc(a.source) if a.source else '—'}</td>\n"
            f'        <td class="nowrap">{a.published.isoformat() if a.published else "—"}</td>\n'
            f'        <td class="num">{a.n_statements}</td>\n'
            f'        <td class="num">{a.n_support}</td>\n'
            f'        <td class="num">{a.n_caveat}</td>\n'
            f'        <td class="num">{a.n_demand}</td>\n'
            f'        <td class="num">{mine}</td>\n'
            f"        {progress}\n      </tr>\n"
        )
    return mark_safe("".join(out))  # noqa: S308  (every value above is escaped or a number)
