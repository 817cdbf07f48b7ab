"""Helpers for the annotate page's browser tests (tests/browser/test_browser_annotate_*.py):
points of characters in the article text, real mouse drags, and reading what is highlighted."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.test_browser_annotate import (
    _CHARACTER_POINTS,
    drag_select,
    highlighted_text,
    open_edit,
    wait_settled,
)

__all__ = [
    "TEXT",
    "drag_select",
    "highlighted_text",
    "open_article",
    "open_edit",
    "points_of",
    "select_by_script",
    "text_box",
    "wait_settled",
]

# Short enough to be whole on a 1280 x 800 window; three quotations, the second split by a clause.
TEXT = (
    "GENEVA: Delegations met on Tuesday.\n\n"
    '"We welcome the proposal and are ready to talk," the foreign minister said. '
    "Officials in Kyiv were more cautious. "
    '"Any ceasefire must come with guarantees," an adviser told reporters, adding that '
    '"nothing is agreed until everything is agreed". The talks resume on Friday.'
)


def open_article(page: Page, url: str) -> None:
    """Go to an annotate page and wait until its script listens (a module runs after the
    document is parsed: on a loaded machine a selection made before would go unseen)."""
    page.goto(url)
    expect(page.locator("#annotate[data-ready]")).to_have_count(1)


def points_of(page: Page, quote: str, nth: int = 0) -> dict:
    """Viewport points inside the first (x1, y1) and the last (x2, y2) character of `quote`."""
    return page.evaluate(_CHARACTER_POINTS, [quote, nth])


def text_box(page: Page) -> dict:
    return page.locator("#article-text").bounding_box()


def select_by_script(page: Page, start: int, end: int) -> None:
    """Select UTF-16 offsets [start, end) of the article text as a platform would (a long press
    selecting a word, its handles moved), without a mouse."""
    page.evaluate(
        """([start, end]) => {
          const root = document.getElementById("article-text");
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          const range = document.createRange();
          let pos = 0, node, started = false;
          while ((node = walker.nextNode())) {
            const len = node.data.length;
            if (!started && start <= pos + len) { range.setStart(node, start - pos); started = true; }
            if (started && end <= pos + len) { range.setEnd(node, end - pos); break; }
            pos += len;
          }
          const sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
        }""",
        [start, end],
    )
