"""Markdown to HTML for the project guidelines, safely: markdown-it-py's CommonMark with raw
HTML disabled (a `<script>` in the text comes out as text), tables and strikethrough on, and
its link check (no `javascript:`, `vbscript:`, `file:` or non-image `data:` URLs)."""

from __future__ import annotations

from functools import cache

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt


@cache
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


def render_markdown(text: str) -> SafeString:
    """The HTML of `text` (Markdown); everything the user wrote is escaped or refused."""
    return mark_safe(_renderer().render(text or ""))  # raw HTML is off: see above
