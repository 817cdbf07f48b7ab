"""Real Chromium: annotating with the mouse and the keyboard, as an analyst does all day.

Selections are made with a real mouse drag (page.mouse down/move/up) between the character
rectangles of the quote, measured with Range.getBoundingClientRect().
"""

import re

import pytest
from playwright.sync_api import Page, expect

from statements import services
from statements.models import Actor, Article, Statement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMOJI_TEXT = (
    "Talks 😀 resumed 🇺🇦 in 𝔊eneva 𠜎. "
    '"We agree with the proposals to cease hostilities," the envoy said. 🙂 Then "nothing more".'
)
ARTICLE_TEXT = (
    "BRUSSELS: The foreign ministers met on Monday.\n\n"
    '"We are ready to sign today, but only if the sanctions are lifted first," the Kremlin said in a '
    "statement. Officials in Washington called the offer a step in the right direction."
)

# Viewport-relative points just inside the first and the last character of the `nth` occurrence
# of `quote` in #article-text, after scrolling it to the middle of the window, once the page has
# settled: the page loaded, no htmx request in flight, the suggestions loaded, and the points
# the same over 100 ms and two frames (on a loaded machine a fragment that arrives late moves
# the text between the measure and the drag).
_CHARACTER_POINTS = """async ([quote, nth]) => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const busy = () =>
    document.readyState !== "complete" ||
    document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, [aria-busy='true']") !== null ||
    (document.querySelector("[data-suggest-count]")?.textContent.trim() ?? "") === "…";
  const root = document.getElementById("article-text");
  let index = -1;
  for (let i = 0; i <= nth; i++) index = root.textContent.indexOf(quote, index + 1);
  if (index < 0) throw new Error("not in the text: " + quote);
  const locate = (offset) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let pos = 0, node;
    while ((node = walker.nextNode())) {
      if (offset < pos + node.data.length) return [node, offset - pos];
      pos += node.data.length;
    }
    throw new Error("offset past the text");
  };
  const rect = (offset, length) => {
    const [node, at] = locate(offset);
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + length);
    return range.getBoundingClientRect();
  };
  const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;
  const measure = () => {
    const lastLength = quote.length > 1 && isLow(quote.charCodeAt(quote.length - 1)) ? 2 : 1;
    const first = rect(index, isLow(quote.charCodeAt(1)) ? 2 : 1);
    const last = rect(index + quote.length - lastLength, lastLength);
    return {
      x1: first.left + 1, y1: first.top + first.height / 2,
      x2: last.right - 1, y2: last.top + last.height / 2,
    };
  };
  let points = null;
  for (let tries = 0; tries < 100; tries++) {
    while (busy() && tries++ < 100) await new Promise((resolve) => setTimeout(resolve, 50));
    window.scrollBy(0, rect(index, 1).top - window.innerHeight / 2);
    points = measure();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await frame();
    await frame();
    const again = measure();
    if (!busy() && JSON.stringify(again) === JSON.stringify(points)) return points;
  }
  return points;
}"""


def wait_settled(page: Page) -> None:
    """Wait until no htmx request is in flight and no swap is settling: a click on a panel that
    an earlier click is about to replace would go to the old one."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def open_edit(page: Page, statement_id: int) -> None:
    """Open a statement from the list, then its edit form, each once its swap has settled."""
    page.locator(f"#statement-{statement_id} .statement-link").click()
    wait_settled(page)
    expect(page.locator("#panel")).to_have_attribute("data-selected", str(statement_id))
    page.locator("#panel").get_by_role("link", name="Edit").click()
    wait_settled(page)
    expect(page.locator("#panel").get_by_role("heading", name="Edit statement")).to_be_visible()


def drag_select(page: Page, quote: str, nth: int = 0) -> None:
    """Select `quote` in the article text with a real mouse drag, once the page's script listens
    (#annotate[data-ready]: on a loaded machine a drag made before would go unseen)."""
    expect(page.locator("#annotate[data-ready]")).to_have_count(1)
    page.evaluate("() => window.getSelection().removeAllRanges()")
    points = page.evaluate(_CHARACTER_POINTS, [quote, nth])
    page.mouse.move(points["x1"], points["y1"])
    page.mouse.down()
    page.mouse.move((points["x1"] + points["x2"]) / 2, (points["y1"] + points["y2"]) / 2, steps=4)
    page.mouse.move(points["x2"], points["y2"], steps=4)
    page.mouse.up()


def highlighted_text(page: Page, statement_id: int) -> str:
    """The text the browser shows highlighted for one statement (all of its marks, in order)."""
    return page.evaluate(
        "(id) => [...document.querySelectorAll(`#article-text mark[data-ids~='${id}']`)]"
        ".map((m) => m.textContent).join('')",
        str(statement_id),
    )


def contiguous(page: Page, statement_id: int) -> bool:
    """Whether a statement's marks are consecutive siblings: one unbroken run of the text."""
    return page.evaluate(
        """(id) => {
          const marks = [...document.querySelectorAll(`#article-text mark[data-ids~='${id}']`)];
          return marks.length > 0 && marks.every((m, i) => i === 0 || marks[i - 1].nextSibling === m);
        }""",
        str(statement_id),
    )


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}}


def test_an_analyst_annotates_a_new_article_end_to_end(login, analyst, seeded, live_server, artifacts_dir):
    page = login(analyst)

    # Create the article through the New article form.
    page.get_by_role("link", name="New article").click()
    page.get_by_label("Title").fill("Kremlin sets conditions")
    page.get_by_label("Source").fill("Reuters")
    page.get_by_label("Text", exact=True).fill(ARTICLE_TEXT)
    page.get_by_role("button", name="Add article").click()
    article = Article.objects.get(title="Kremlin sets conditions")
    page.wait_for_url(f"**{article.get_absolute_url()}")
    expect(page.locator("#article-text")).to_have_text(ARTICLE_TEXT)

    # Select a quote with the mouse: the tagging panel opens with it.
    quote = "We are ready to sign today, but only if the sanctions are lifted first"
    drag_select(page, quote)
    tagger = page.locator("#tagger")
    expect(tagger).to_be_visible()
    expect(tagger.locator("[data-quote]")).to_have_text(quote)

    # 2 = caveat; then the speaker by part of an alias ("the Kremlin" is Russia).
    page.keyboard.press("2")
    expect(page.locator("#new-stance-caveat")).to_be_checked()
    expect(page.get_by_label("Speaker")).to_be_focused()
    page.keyboard.type("kreml")
    expect(page.locator("#new-speaker-options .picker-option").first).to_contain_text("Russia")
    page.keyboard.press("Enter")
    expect(page.locator("#new-speaker-choice .picker-name")).to_have_text("Russia")

    # A typed condition, and one whose evidence is highlighted in the text.
    tagger.get_by_role("button", name="+ Type a condition").click()
    page.keyboard.type("Sanctions lifted first")
    tagger.get_by_role("button", name="+ Highlight its evidence").click()
    drag_select(page, "the sanctions are lifted first")
    evidence_row = tagger.locator(".condition-row").nth(1)
    expect(evidence_row.locator("[data-evidence]")).to_have_text("the sanctions are lifted first")
    page.keyboard.type("Sanctions go before signing")
    page.screenshot(path=str(artifacts_dir / "annotate-tagging-panel.png"))

    # Enter saves: the highlight and the list appear without a reload.
    page.keyboard.press("Enter")
    expect(page.locator("#tagger")).to_be_hidden()
    statement = Statement.objects.get(article=article)
    expect(page.locator(f"#statement-{statement.pk}")).to_contain_text("Sanctions lifted first")
    assert (statement.quote, statement.stance, statement.speaker.name) == (quote, "caveat", "Russia")
    assert article.text[statement.start : statement.end] == quote
    assert [(c.description, c.evidence_quote) for c in statement.conditions.all()] == [
        ("Sanctions lifted first", ""),
        ("Sanctions go before signing", "the sanctions are lifted first"),
    ]
    assert highlighted_text(page, statement.pk) == quote and contiguous(page, statement.pk)
    expect(page.locator(f'#article-text mark[data-ids~="{statement.pk}"]').first).to_have_class(
        re.compile(r"\bs-caveat\b")
    )

    # Reload: still there, exactly.
    page.reload()
    assert highlighted_text(page, statement.pk) == quote

    # Click the highlight, edit the stance with the keyboard (3 = demand), Enter saves.
    page.locator(f'#article-text mark[data-ids~="{statement.pk}"]').first.click()
    panel = page.locator("#panel")
    expect(panel).to_contain_text("Russia")
    wait_settled(page)
    panel.get_by_role("link", name="Edit").click()
    wait_settled(page)
    expect(panel.get_by_role("heading", name="Edit statement")).to_be_visible()
    page.keyboard.press("3")
    expect(page.locator("#edit-stance-demand")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.locator(f'#article-text mark[data-ids~="{statement.pk}"]').first).to_have_class(
        re.compile(r"\bs-demand\b")
    )
    statement.refresh_from_db()
    assert (statement.stance, statement.version) == ("demand", 2)
    assert statement.conditions.count() == 2  # kept, evidence included
    assert statement.conditions.get(position=1).evidence_quote == "the sanctions are lifted first"

    # Delete it (after confirming).
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#panel").get_by_role("button", name="Delete").click()
    expect(page.locator(f"#statement-{statement.pk}")).to_have_count(0)
    expect(page.locator(f'#article-text mark[data-ids~="{statement.pk}"]')).to_have_count(0)
    assert not Statement.objects.filter(pk=statement.pk).exists()


def test_escape_cancels_and_nothing_is_saved(login, analyst, seeded):
    page = login(analyst)
    page.goto(seeded.get_absolute_url())
    drag_select(page, "reduced towns to rubble")
    expect(page.locator("#tagger")).to_be_visible()
    page.keyboard.press("1")
    page.keyboard.press("Escape")
    expect(page.locator("#tagger")).to_be_hidden()
    expect(page.locator("#panel")).to_be_visible()
    assert not Statement.objects.filter(quote="reduced towns to rubble").exists()


def test_an_actor_is_created_in_place_from_the_picker(login, analyst, seeded):
    page = login(analyst)
    page.goto(seeded.get_absolute_url())
    drag_select(page, "the sharpest confrontation between Moscow and the West")
    page.keyboard.press("2")
    page.keyboard.type("Dmitry Peskov")
    options = page.locator("#new-speaker-options")
    expect(options).to_contain_text("Add “Dmitry Peskov” as")
    options.get_by_role("button", name="person").click()
    expect(page.locator("#new-speaker-choice .picker-name")).to_have_text("Dmitry Peskov")
    page.locator("#tagger").get_by_role("button", name="Save").click()
    expect(page.locator("#tagger")).to_be_hidden()
    statement = Statement.objects.get(quote="the sharpest confrontation between Moscow and the West")
    assert statement.speaker == Actor.objects.get(name="Dmitry Peskov")
    assert statement.speaker.created_by == analyst


def test_a_second_analyst_sees_it_read_only(login, analyst, other_analyst, seeded):
    quote = "reduced towns to rubble"
    start = seeded.text.index(quote)
    statement = services.statement_create(
        article=seeded, user=analyst, start=start, end=start + len(quote), quote=quote, stance="demand"
    )
    page = login(other_analyst)
    page.goto(seeded.get_absolute_url())
    page.locator(f'#article-text mark[data-ids~="{statement.pk}"]').first.click()
    panel = page.locator("#panel")
    expect(panel).to_contain_text(quote)
    expect(panel).to_contain_text("Read-only")
    expect(panel.get_by_role("link", name="Edit")).to_have_count(0)
    expect(panel.get_by_role("button", name="Delete")).to_have_count(0)
    # The keyboard path: the list entry opens the same read-only view.
    page.locator(f"#statement-{statement.pk} .statement-link").focus()
    page.keyboard.press("Enter")
    expect(panel).to_be_focused()
    expect(panel).to_contain_text("Read-only")
    statement.refresh_from_db()
    assert statement.version == 1


def test_the_emoji_article_puts_highlights_on_the_right_characters(login, analyst, artifacts_dir):
    article = services.article_create(user=analyst, title="Astral characters", text=EMOJI_TEXT)
    page = login(analyst)
    page.goto(article.get_absolute_url())
    expect(page.locator("#article-text")).to_have_text(EMOJI_TEXT)
    for quote, key in [
        ("We agree with the proposals to cease hostilities", "1"),  # after five astral characters
        ("resumed 🇺🇦 in 𝔊eneva", "3"),  # astral characters inside the quote
        ("nothing more", "2"),  # after more of them
    ]:
        drag_select(page, quote)
        expect(page.locator("#tagger [data-quote]")).to_have_text(quote)
        page.keyboard.press(key)
        page.keyboard.press("Enter")
        expect(page.locator("#tagger")).to_be_hidden()
        statement = Statement.objects.get(article=article, quote=quote)
        start = EMOJI_TEXT.index(quote)
        assert (statement.start, statement.end) == (start, start + len(quote))  # code points
        assert highlighted_text(page, statement.pk) == quote
    page.reload()
    for statement in Statement.objects.filter(article=article):
        assert highlighted_text(page, statement.pk) == statement.quote
    page.screenshot(path=str(artifacts_dir / "annotate-emoji-article.png"))


def test_screenshots_of_the_seed_article(login, analyst, seeded, artifacts_dir, page):
    """Saved on every run so a person can look at the page (test-output/)."""
    login(analyst)
    page.goto(seeded.get_absolute_url())
    marks = page.locator("#article-text mark.hl")
    expect(marks.first).to_be_visible()  # count once the text is on the page (a loaded machine is slow)
    assert marks.count() >= seeded.statements.count()
    expect(page.locator("#article-text")).to_have_text(seeded.text)
    page.screenshot(path=str(artifacts_dir / "annotate-seed-1280x800.png"))
    nested = Statement.objects.get(article=seeded, quote__startswith="who says he wants")
    page.locator(f'#article-text mark[data-ids^="{nested.pk}"]').first.click()
    expect(page.locator("#panel")).to_contain_text("Donald Trump")
    expect(page.locator("#panel")).to_contain_text("Also covering this text")
    page.screenshot(path=str(artifacts_dir / "annotate-seed-selected.png"), full_page=True)
    page.set_viewport_size({"width": 420, "height": 860})
    page.goto(seeded.get_absolute_url())
    page.screenshot(path=str(artifacts_dir / "annotate-seed-narrow.png"))
    # nothing overflows sideways on a narrow window
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    # the tagging panel opens as a sheet at the bottom, next to the selection
    drag_select(page, "reduced towns to rubble")
    tagger = page.locator("#tagger")
    expect(tagger).to_be_visible()
    box = tagger.bounding_box()
    assert box["y"] + box["height"] <= 861 and box["width"] >= 400
    page.screenshot(path=str(artifacts_dir / "annotate-seed-narrow-tagging.png"))


def test_the_article_list_filters_in_place_and_keeps_a_shareable_url(login, viewer, live_server):
    for title, text in [
        ("Grain corridor reopens", "Ships leave Odesa."),
        ("Gas price cap agreed", "Ministers met."),
        ("Talks on the grain deal", "Delegations met."),
    ]:
        services.article_create(user=None, title=title, text=text, source="Reuters")
    page = login(viewer)
    marker = page.evaluate("() => (window.__marker = Math.random())")
    page.get_by_label("Search title and text").fill("grain")
    expect(page.locator("#results tbody tr")).to_have_count(2)
    page.wait_for_url("**/articles/?q=grain**")
    assert page.evaluate("() => window.__marker") == marker  # swapped in place, no reload
    shared = page.url
    page.goto(shared)  # the pushed URL works as a plain link
    expect(page.locator("#results tbody tr")).to_have_count(2)
    expect(page.get_by_label("Search title and text")).to_have_value("grain")
