"""Real Chromium: search inside the article (a word; the next unannotated quotation), and the
small things of issue 10: focus outlines at 3:1 or better, the toast never over the text, the
tagger heading in view, no console errors while typing in a picker, the openTagger API."""

import pytest
from playwright.sync_api import expect

from statements import services
from statements.models import Statement
from tests.browser.annotate_tools import TEXT, drag_select, open_article
from tests.factories import ActorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def article(analyst):
    return services.article_create(user=analyst, title="Geneva talks", text=TEXT)


def _found(page):
    """The text of the current find hit (CSS highlight 'find-current')."""
    return page.evaluate(
        "() => { const h = CSS.highlights.get('find-current'); return h ? [...h][0].toString() : null; }"
    )


def _found_at(page):
    return page.evaluate(
        """() => { const h = CSS.highlights.get('find-current'); if (!h) return -1;
          const r = [...h][0]; const pre = document.createRange();
          pre.setStart(document.getElementById('article-text'), 0);
          pre.setEnd(r.startContainer, r.startOffset);
          return pre.toString().length; }"""
    )


def test_it_finds_a_word_and_steps_through_the_matches(login, analyst, article):
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    page.keyboard.press("/")  # the key goes to the find box
    find = page.get_by_role("searchbox", name="Find in the article")
    expect(find).to_be_focused()
    page.keyboard.type("agreed")
    count = page.locator("[data-find-count]")
    expect(count).to_have_text("1 of 2")
    assert _found(page) == "agreed" and _found_at(page) == TEXT.index("agreed")
    page.keyboard.press("Enter")
    expect(count).to_have_text("2 of 2")
    assert _found_at(page) == TEXT.index("agreed", TEXT.index("agreed") + 1)
    page.keyboard.press("Enter")
    expect(count).to_have_text("1 of 2")  # round again
    page.keyboard.press("Shift+Enter")
    expect(count).to_have_text("2 of 2")
    find.fill("GENEVA")  # any case
    expect(count).to_have_text("1 of 1")
    find.fill("moscow")
    expect(count).to_have_text("no match")
    page.keyboard.press("Escape")
    expect(find).to_have_value("")


def test_it_jumps_to_the_next_unannotated_quotation_and_tags_it(login, analyst, article):
    first = "We welcome the proposal and are ready to talk,"
    start = TEXT.index(first)
    services.statement_create(
        article=article, user=analyst, start=start, end=start + len(first), quote=first, stance="support"
    )
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    button = page.get_by_role("button", name="Next unannotated quotation")
    button.click()
    selected = page.evaluate("() => window.getSelection().toString()")
    assert selected == "Any ceasefire must come with guarantees,"  # the first one is annotated
    expect(page.locator("#article-text")).to_be_focused()
    button.click()
    assert (
        page.evaluate("() => window.getSelection().toString()")
        == "nothing is agreed until everything is agreed"
    )
    page.locator("#article-text").focus()
    page.keyboard.press("3")  # tags the selected quotation
    tagger = page.locator("#tagger")
    expect(tagger.locator("[data-quote]")).to_have_text("nothing is agreed until everything is agreed")
    expect(page.locator("#new-stance-demand")).to_be_checked()
    tagger.get_by_role("button", name="Save").click()
    expect(tagger).to_be_hidden()
    assert Statement.objects.filter(
        article=article, quote="nothing is agreed until everything is agreed"
    ).exists()
    button.click()
    assert (
        page.evaluate("() => window.getSelection().toString()") == "Any ceasefire must come with guarantees,"
    )


_CONTRAST = """(el) => {
  const rgb = (c) => {
    const m = c.match(/[\\d.]+/g).map(Number);
    return m.length > 3 && m[3] === 0 ? null : m.slice(0, 3);
  };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const s = getComputedStyle(el);
  const what = el.outerHTML.slice(0, 100);
  if (s.outlineStyle === "none" || parseFloat(s.outlineWidth) < 2) return { ok: false, what };
  let bg = null;
  for (let n = el.parentElement; n && !bg; n = n.parentElement) bg = rgb(getComputedStyle(n).backgroundColor);
  bg = bg || [255, 255, 255];
  const a = lum(rgb(s.outlineColor)), b = lum(bg);
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  return { ok: ratio >= 3, ratio, what };
}"""


def test_focus_outlines_have_three_to_one_contrast(login, analyst, article):
    services.statement_create(article=article, user=analyst, start=0, end=6, quote="GENEVA", stance="support")
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    page.locator("body").click(position={"x": 5, "y": 5})
    seen = 0
    for _ in range(120):  # the top bar, the article's tools, the layers, find, the text, the list
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            break  # past the last one
        result = page.evaluate(f"() => ({_CONTRAST})(document.activeElement)")
        assert result["ok"], result
        seen += 1
    drag_select(page, "Officials in Kyiv")
    trail = []
    for _ in range(8):  # inside the tagging panel: stance buttons, pickers, buttons
        page.keyboard.press("Tab")
        target = page.evaluate(
            "() => document.activeElement.matches('.stance-options input') ? 'label' : 'self'"
        )
        if target == "label":  # the radio is hidden; its label carries the outline
            result = page.evaluate(f"() => ({_CONTRAST})(document.activeElement.nextElementSibling)")
        else:
            result = page.evaluate(f"() => ({_CONTRAST})(document.activeElement)")
        assert result["ok"], (result, trail)
        trail.append(result["what"][:40])
    assert seen >= 25


def test_the_toast_never_covers_the_text_and_the_heading_stays(login, analyst, article):
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    drag_select(page, "Officials in Kyiv were more cautious")
    tagger = page.locator("#tagger")
    for _ in range(12):  # a long form: the card scrolls
        tagger.get_by_role("button", name="+ Type a condition").click()
    tagger.evaluate("(t) => { t.scrollTop = t.scrollHeight; }")
    heading = tagger.get_by_role("heading", name="New statement")
    card = tagger.bounding_box()
    head = heading.bounding_box()
    assert card["y"] - 1 <= head["y"] and head["y"] + head["height"] <= card["y"] + card["height"]
    page.locator('label[for="new-stance-support"]').click()
    tagger.get_by_role("button", name="Save").click()
    toast = page.locator("#status.shown")
    expect(toast).to_have_text("Statement saved.")
    t = toast.bounding_box()
    text = page.locator("#article-text").bounding_box()
    overlaps = not (
        t["x"] >= text["x"] + text["width"]
        or t["x"] + t["width"] <= text["x"]
        or t["y"] >= text["y"] + text["height"]
        or t["y"] + t["height"] <= text["y"]
    )
    assert not overlaps, (t, text)


def test_typing_in_a_picker_logs_no_console_error(login, analyst, article):
    ActorFactory(name="Sergei Lavrov")
    errors = []
    page = login(analyst)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_article(page, article.get_absolute_url())
    drag_select(page, "Officials in Kyiv")
    page.keyboard.press("2")
    for ch in "Sergei Lavrov":
        page.keyboard.type(ch)
    expect(page.locator("#new-speaker-options .picker-option").first).to_contain_text("Sergei Lavrov")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    page.get_by_label("Addressee").press_sequentially("xyzzy", delay=20)
    expect(page.locator("#new-addressee-options")).to_contain_text("xyzzy")
    assert errors == []


def test_other_scripts_open_the_tagger_prefilled(login, analyst, article):
    lavrov = ActorFactory(name="Sergei Lavrov")
    page = login(analyst)
    open_article(page, article.get_absolute_url())
    quote = "Any ceasefire must come with guarantees"
    start = TEXT.index(quote)
    ok = page.evaluate(
        """([start, end, id]) => window.Annotate.openTagger({start, end, stance: "demand", speaker_id: id,
            speaker_name: "Sergei Lavrov", conditions: ["Guarantees first"]})""",
        [start, start + len(quote), lavrov.pk],
    )
    assert ok is True
    tagger = page.locator("#tagger")
    expect(tagger.locator("[data-quote]")).to_have_text(quote)
    expect(page.locator("#new-stance-demand")).to_be_checked()
    tagger.get_by_role("button", name="Save").click()
    expect(tagger).to_be_hidden()
    statement = Statement.objects.get(article=article)
    assert (statement.quote, statement.stance, statement.speaker_id) == (quote, "demand", lavrov.pk)
    assert [c.description for c in statement.conditions.all()] == ["Guarantees first"]
    assert page.evaluate("() => window.Annotate.openTagger({start: 5, end: 99999})") is False
