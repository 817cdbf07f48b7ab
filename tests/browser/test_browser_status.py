"""Real Chromium: the status toast (static/js/status.js). A write's HX-Trigger message is said once
in #status, on the annotate page and on the review queue, and the toast goes away after a while."""

import re

import pytest
from playwright.sync_api import Page, expect

from statements.models import Statement
from tests.browser.test_browser_annotate import drag_select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOWN = re.compile(r"\bshown\b")

# Records every text #status is given from now on: announce() replaces its text node, one
# mutation record per announcement (records that arrive together are counted one by one).
_WATCH_STATUS = """() => {
  window.announced = [];
  new MutationObserver((records) => {
    for (const r of records) if (r.addedNodes.length) window.announced.push(r.target.textContent);
  }).observe(document.getElementById("status"), { childList: true });
}"""


def announced(page: Page) -> list[str]:
    return page.evaluate("() => window.announced")


def test_a_saved_statement_is_announced_once_on_the_annotate_page(login, analyst, seeded):
    page = login(analyst)
    page.goto(seeded.get_absolute_url())
    status = page.locator("#status")
    expect(status).to_have_attribute("aria-live", "polite")
    page.evaluate(_WATCH_STATUS)

    drag_select(page, "reduced towns to rubble")
    page.keyboard.press("3")
    page.keyboard.press("Enter")

    expect(status).to_have_text("Statement saved.")
    expect(status).to_have_class(SHOWN)
    assert Statement.objects.filter(article=seeded, quote="reduced towns to rubble").count() == 1
    expect(status).not_to_have_class(SHOWN)  # the toast hides after three seconds
    assert announced(page) == ["Statement saved."]


def test_a_verdict_is_announced_once_on_the_review_queue(login, analyst, seeded):
    first, second = Statement.objects.filter(article=seeded).order_by("id")[:2]
    page = login(analyst)
    page.goto("/review/")
    status = page.locator("#status")
    page.evaluate(_WATCH_STATUS)

    page.keyboard.press("a")
    expect(page.locator(f"#item-{first.pk}")).to_contain_text("Accepted")
    expect(status).to_have_text(re.compile(r"^Accepted: “"))
    assert announced(page) == [status.text_content()]

    # No answer at all (the connection drops): said too, and nothing changes. (The next key
    # goes to the next item once the answer's swap has moved the queue on to it.)
    expect(page.locator(f"#item-{second.pk}")).to_have_class(re.compile(r"\bis-current\b"))
    page.route(f"**/statements/{second.pk}/review/", lambda route: route.abort())
    page.keyboard.press("a")
    expect(status).to_have_text(re.compile(r"^The server could not be reached\. Nothing was changed"))
    assert len(announced(page)) == 2
    second.refresh_from_db()
    assert second.status == "pending"
