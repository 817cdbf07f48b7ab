"""Real Chromium with phone emulation (390 x 844, touch): a long-press selection opens the tagger,
and the top bar, the articles table and the tagger sheet stay usable (issue 10, touch)."""

import pytest
from playwright.sync_api import Page, expect

from statements import services
from statements.models import Statement
from tests.browser.annotate_tools import TEXT, open_article, points_of, select_by_script

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True, base_url=live_server.url
    )
    page = context.new_page()
    yield page
    context.close()


def _sign_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/articles/**")


def _long_press_select(page: Page, quote: str, grow_to: str | None = None) -> None:
    """A finger down on the word, the platform selects (here: the selection set as Chromium on
    Android does after a long press), the finger lifts; then, optionally, a handle is dragged."""
    p = points_of(page, quote)
    cdp = page.context.new_cdp_session(page)
    point = [{"x": p["x1"] + 2, "y": p["y1"]}]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": point})
    page.wait_for_timeout(900)  # the press is held: a long press, not a tap (a tap would click)
    start = TEXT.index(quote)
    select_by_script(page, start, start + len(quote))
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    # the selection stays after the finger lifts (emulation may clear it with the gesture's end:
    # set it as the platform leaves it), or a handle widens it
    select_by_script(page, start, start + len(grow_to or quote))
    cdp.detach()


def _in_view(page: Page, locator) -> bool:
    box = locator.bounding_box()
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= PHONE["height"]
        and box["x"] >= 0
        and (box["x"] + box["width"] <= PHONE["width"])
    )


def test_a_long_press_selection_opens_the_tagger_and_saves_on_a_phone(phone, analyst, artifacts_dir):
    article = services.article_create(user=analyst, title="Geneva talks", text=TEXT)
    _sign_in(phone, analyst)
    open_article(phone, article.get_absolute_url())
    expect(phone.locator("#article-text")).to_have_text(TEXT)
    _long_press_select(phone, "proposal")
    tagger = phone.locator("#tagger")
    expect(tagger).to_be_visible()
    expect(tagger.locator("[data-quote]")).to_have_text("proposal")
    # the handles widen the selection: the quote follows
    _long_press_select(phone, "We", grow_to="We welcome the proposal")
    expect(tagger.locator("[data-quote]")).to_have_text("We welcome the proposal")
    # the quote stays visible above the sheet
    quote_bottom = phone.evaluate(
        """() => { const root = document.getElementById("article-text");
          const i = root.textContent.indexOf("We welcome the proposal");
          const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT); let pos = 0, n;
          while ((n = w.nextNode())) { if (i < pos + n.data.length) break; pos += n.data.length; }
          const r = document.createRange(); r.setStart(n, i - pos); r.setEnd(n, i - pos + 23);
          return r.getBoundingClientRect().bottom; }"""
    )
    assert 0 < quote_bottom <= tagger.bounding_box()["y"]
    # the sheet: heading and Save in view
    expect(tagger.get_by_role("heading", name="New statement")).to_be_in_viewport()
    save = tagger.get_by_role("button", name="Save")
    assert _in_view(phone, save)
    phone.locator('label[for="new-stance-support"]').tap()
    expect(phone.locator("#new-stance-support")).to_be_checked()
    phone.screenshot(path=str(artifacts_dir / "annotate-phone-tagger.png"))
    save.tap()
    expect(tagger).to_be_hidden()
    statement = Statement.objects.get(article=article)
    assert (statement.quote, statement.stance) == ("We welcome the proposal", "support")


def test_the_pages_fit_a_390px_phone(phone, analyst, artifacts_dir):
    for n in range(3):
        services.article_create(
            user=analyst,
            title=f"A rather long article title about the talks, part {n}",
            text=f"{TEXT} ({n})",
            source="Reuters",
        )
    _sign_in(phone, analyst)
    phone.goto("/articles/")
    expect(phone.locator("#results tbody tr")).to_have_count(3)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # every top-bar link is on the screen (wrapped, not cut off)
    for link in phone.locator(".topbar a, .topbar button").all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            link.inner_text()
        )
    # the table's title column links are reachable: the first one is on screen
    assert _in_view(phone, phone.locator("#results tbody tr a").first)
    phone.screenshot(path=str(artifacts_dir / "articles-phone.png"), full_page=True)
    phone.locator("#results tbody tr a").first.tap()
    expect(phone.locator("#article-text")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(artifacts_dir / "annotate-phone.png"))
