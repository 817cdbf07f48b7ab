"""Real Chromium: selections that end outside the text, one active form, and the keyboard-only
way of selecting and tagging (issue 10, bugs 1 and 2, keyboard annotation)."""

import pytest
from playwright.sync_api import Page, expect

from statements import services
from statements.models import ActorAlias, Statement
from tests.browser.annotate_tools import TEXT, drag_select, open_article, points_of, text_box, wait_settled
from tests.factories import ActorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "We welcome the proposal and are ready to talk"


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def article(analyst):
    return services.article_create(user=analyst, title="Geneva talks", text=TEXT)


def _drag_from(page: Page, quote: str, to_x: float, to_y: float) -> None:
    page.evaluate("() => window.getSelection().removeAllRanges()")
    p = points_of(page, quote)
    page.mouse.move(p["x1"], p["y1"])
    page.mouse.down()
    page.mouse.move(p["x2"], p["y2"], steps=5)
    page.mouse.move(to_x, to_y, steps=5)
    page.mouse.up()


def _tagger_span(page: Page) -> tuple[int, int, str]:
    form = page.locator("#tagger-form")
    return (
        int(form.locator('[name="start_u16"]').input_value()),
        int(form.locator('[name="end_u16"]').input_value()),
        form.locator('[name="quote"]').input_value(),
    )


@pytest.mark.parametrize("where", ["below the card", "in the gap", "over the panel"])
def test_it_opens_the_tagger_for_a_drag_that_ends_outside_the_text(login, analyst, article, where):
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    expect(page.locator("#article-text")).to_have_text(TEXT)
    box = text_box(page)
    side = page.locator("aside.side").bounding_box()
    start_at = "Any ceasefire"
    target = {
        "below the card": (box["x"] + box["width"] / 2, box["y"] + box["height"] + 30),
        "in the gap": ((box["x"] + box["width"] + side["x"]) / 2, box["y"] + box["height"] - 20),
        "over the panel": (side["x"] + side["width"] / 2, side["y"] + 120),
    }[where]
    _drag_from(page, start_at, *target)
    tagger = page.locator("#tagger")
    expect(tagger).to_be_visible()
    start, end, quote = _tagger_span(page)
    assert start == TEXT.index(start_at)  # the start is where the drag began
    assert quote == TEXT[start:end] and quote == quote.strip() and len(quote) > len(start_at)
    expect(tagger.locator("[data-quote]")).to_have_text(quote)
    # and it saves: the clamped quote is exactly the text there
    page.keyboard.press("2")
    tagger.get_by_role("button", name="Save").click()
    expect(tagger).to_be_hidden()
    statement = Statement.objects.get(article=article)
    assert article.text[statement.start : statement.end] == statement.quote == quote


def test_it_keeps_exactly_one_form_active(login, analyst, article):
    saved = services.statement_create(
        article=article,
        user=analyst,
        start=TEXT.index("Officials in Kyiv"),
        end=TEXT.index("Officials in Kyiv") + len("Officials in Kyiv"),
        quote="Officials in Kyiv",
        stance="support",
    )
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    drag_select(page, QUOTE)
    page.keyboard.press("1")
    expect(page.locator("#new-stance-support")).to_be_checked()
    # click a list entry, then Edit
    page.locator(f"#statement-{saved.pk} .statement-link").click()
    expect(page.locator("#tagger")).to_be_hidden()
    expect(page.locator("#panel")).to_contain_text("Officials in Kyiv")
    wait_settled(page)
    page.locator("#panel").get_by_role("link", name="Edit").click()
    expect(page.locator("#panel").get_by_role("heading", name="Edit statement")).to_be_visible()
    visible_forms = page.locator("form[data-annotate-form]:visible")
    expect(visible_forms).to_have_count(1)
    # the keys go to the visible form
    page.locator("#panel-heading").focus()
    page.keyboard.press("3")
    expect(page.locator("#edit-stance-demand")).to_be_checked()
    expect(page.locator("#new-stance-demand")).not_to_be_checked()
    # the tagging panel's work was not thrown away: it is offered back
    draft = page.locator("#drafts .draft")
    expect(draft).to_contain_text("new statement")
    expect(draft).to_contain_text("We welcome the proposal")


def test_it_annotates_with_the_keyboard_only(login, analyst, article):
    lavrov = ActorFactory(name="Sergei Lavrov")
    ActorAlias.objects.create(actor=lavrov, name="the foreign minister")
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    text = page.locator("#article-text")
    expect(text).to_have_attribute("tabindex", "0")
    # Tab reaches the text (after the page's links and tools)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == "article-text":
            break
    expect(text).to_be_focused()
    # the caret starts at the top; word steps to the quote, Shift extends word by word
    caret_to = TEXT.index("We welcome")
    for _ in range(200):
        at = page.evaluate(
            """() => { const s = window.getSelection(); const r = document.createRange();
              r.setStart(document.getElementById('article-text'), 0); r.setEnd(s.focusNode, s.focusOffset);
              return r.toString().length; }"""
        )
        if at >= caret_to:
            break
        page.keyboard.press("ArrowRight")
    assert at == caret_to
    expect(page.locator(".kbd-caret")).to_be_visible()
    for _ in range(4):
        page.keyboard.press("Control+Shift+ArrowRight")
    selected = page.evaluate("() => window.getSelection().toString()")
    assert selected.strip() == "We welcome the proposal"
    page.keyboard.press("2")
    tagger = page.locator("#tagger")
    expect(tagger).to_be_visible()
    expect(tagger.locator("[data-quote]")).to_have_text("We welcome the proposal")
    expect(page.locator("#new-stance-caveat")).to_be_checked()
    expect(page.get_by_label("Speaker")).to_be_focused()
    # the end moves by a word with Shift+→, in the empty speaker search too
    page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Shift+ArrowRight")
    expect(tagger.locator("[data-quote]")).to_have_text("We welcome the proposal and are")
    page.keyboard.type("foreign min")
    expect(page.locator("#new-speaker-options .picker-option").first).to_contain_text("Sergei Lavrov")
    page.keyboard.press("Enter")
    expect(page.locator("#new-speaker-choice .picker-name")).to_have_text("Sergei Lavrov")
    page.keyboard.press("Enter")
    expect(tagger).to_be_hidden()
    statement = Statement.objects.get(article=article)
    assert (statement.quote, statement.stance, statement.speaker.name) == (
        "We welcome the proposal and are",
        "caveat",
        "Sergei Lavrov",
    )
    # the highlight has a screen-reader description: stance, speaker, status
    mark = page.locator(f'#article-text mark[data-ids~="{statement.pk}"]').first
    expect(mark).to_have_accessible_description("Caveat: Sergei Lavrov, pending")
    # Enter with the caret inside a highlight opens it
    text.focus()
    page.evaluate(
        """(id) => { const m = document.querySelector(`#article-text mark[data-ids~='${id}']`);
          const r = document.createRange(); r.setStart(m.firstChild, 2); r.collapse(true);
          const s = window.getSelection(); s.removeAllRanges(); s.addRange(r); }""",
        str(statement.pk),
    )
    page.keyboard.press("Enter")
    expect(page.locator("#panel")).to_contain_text("Sergei Lavrov")
    expect(page.locator("#panel")).to_have_attribute("data-selected", str(statement.pk))
