"""Real Chromium: a save, an edit and a delete redraw only what changed (htmx out-of-band swaps,
static/js/textpatch.js), and the text they leave is exactly what a fresh page draws: the same
marks with the same attributes, the list in text order, the same counts."""

import re

import pytest
from playwright.sync_api import Page, expect

from statements.models import Statement
from tests.browser.test_browser_annotate import drag_select, open_edit, wait_settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The text container's marks and text nodes, and the list's ids, without the selection outline
# (is-selected / is-evidence: a state of the page, not of the data).
_SNAPSHOT = """() => {
  const text = document.getElementById('article-text');
  text.normalize();
  const look = (n) => [...n.classList].filter((c) => !['is-selected', 'is-evidence'].includes(c));
  const merged = [...text.childNodes].map((n) => n.nodeType === 3 ? ['#text', n.textContent]
    : [n.tagName, look(n).sort().join(' '), n.dataset.ids || '', n.dataset.ev || '', n.textContent]);
  return {
    text: merged,
    list: [...document.querySelectorAll('#statement-items > li')].map((li) => li.id),
    counts: [...document.querySelectorAll('#stance-counts .count')].map((c) => c.textContent),
    heading: document.getElementById('list-heading').textContent,
    content: text.textContent,
  };
}"""


def snapshot(page: Page) -> dict:
    return page.evaluate(_SNAPSHOT)


def test_saves_edits_and_deletes_leave_the_page_a_fresh_load_would_draw(login, analyst, seeded, page):
    login(analyst)
    page.goto(seeded.get_absolute_url())
    responses = []
    page.on("response", lambda r: responses.append(r) if r.request.method == "POST" else None)
    before = snapshot(page)

    # a new statement overlapping others (the seed has 19)
    drag_select(page, "ceasefire proposal")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("Statement saved.")
    new = Statement.objects.get(article=seeded, quote="ceasefire proposal")
    expect(page.locator(f"#statement-{new.pk}")).to_be_visible()
    assert responses[-1].headers.get("hx-reswap") == "none"  # only the changed pieces came back
    patched = snapshot(page)
    assert patched["content"] == before["content"] == seeded.text
    page.reload()
    assert snapshot(page) == patched

    # edit it: its span grows (the list entry may move), its stance changes
    open_edit(page, new.pk)
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_contain_text("Statement updated.")
    expect(page.locator(f'#article-text mark[data-ids~="{new.pk}"]').first).to_have_class(
        re.compile(r"\bs-demand\b")
    )
    patched = snapshot(page)
    page.reload()
    assert snapshot(page) == patched

    # delete it again: the cuts at its ends disappear, the marks around them join
    other = new
    page.locator(f"#statement-{other.pk} .statement-link").click()
    wait_settled(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#panel").get_by_role("button", name="Delete").click()
    expect(page.locator(f"#statement-{other.pk}")).to_have_count(0)
    patched = snapshot(page)
    assert f"statement-{other.pk}" not in patched["list"]
    assert patched == before  # exactly the page before the first save
    page.reload()
    assert snapshot(page) == patched
