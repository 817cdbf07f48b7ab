"""Real Chromium: a lead adjudicates on the compare page, with one keystroke for everything the
analysts agree on and one click for a disagreement; screenshots of the compare, agreement and
dashboard pages go to the artifacts folder."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from statements.models import Statement
from tests.browser.test_browser_annotate import wait_settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def test_a_lead_accepts_the_agreed_units_with_g_and_picks_a_version(
    login, lead, double_annotated, live_server, artifacts_dir
):
    d = double_annotated
    article = d["article"]
    page = login(lead)
    page.goto(f"{live_server.url}{reverse('article_compare', args=[article.pk])}")
    toolbar = page.locator(".compare-toolbar")
    expect(toolbar).to_contain_text("3 to decide")
    expect(toolbar).to_contain_text("2 agreed, not yet gold")
    page.screenshot(path=str(artifacts_dir / "compare-before.png"), full_page=True)

    # g: every unit on which both analysts agree becomes gold, in place (htmx).
    page.keyboard.press("g")
    expect(toolbar).to_contain_text("2 gold")
    expect(page.locator("#status")).to_have_text("2 agreed units made gold.")
    golds = Statement.objects.filter(is_gold=True)
    assert {g.quote for g in golds} == {"very promising", "Putin told reporters"}
    expect(page.locator(f"#unit-{d['agree1_a'].pk}")).to_have_class("unit st-gold")

    # The stance disagreement: use Amira's version (demand).
    unit = page.locator(f"#unit-{d['stance_a'].pk}")
    expect(unit.locator(".diff-tag")).to_have_text(["stance"])
    unit.get_by_role("button", name="Use Amira’s").click()
    expect(toolbar).to_contain_text("2 to decide")
    expect(toolbar).to_contain_text("3 gold")
    gold = Statement.objects.get(is_gold=True, quote="do the right thing")
    assert gold.stance == "demand"
    assert set(gold.adjudicated_from.all()) == {d["stance_a"], d["stance_b"]}
    unit = page.locator(f"#unit-{d['stance_a'].pk}")
    expect(unit).to_have_class("unit st-gold")

    # j moves between units; the merged form opens in place on the span disagreement.
    page.keyboard.press("j")
    expect(page.locator(".unit.is-current")).to_have_count(1)
    span_unit = page.locator(f"#unit-{d['span_a'].pk}")
    span_unit.get_by_role("link", name="Edit a merged version from it").first.click()
    expect(span_unit.locator("form[data-merged]")).to_be_visible()
    expect(span_unit.locator("[data-gold-quote]")).to_have_text(
        "We agree with the proposals to cease hostilities"
    )
    page.evaluate("window.scrollTo(0, 0)")  # the sticky toolbar at the top of the full-page shot
    page.screenshot(path=str(artifacts_dir / "compare-after.png"), full_page=True)

    page.goto(f"{live_server.url}{reverse('agreement')}")
    expect(page.locator("table.metrics").first).to_contain_text("Amira")
    page.screenshot(path=str(artifacts_dir / "agreement.png"), full_page=True)

    page.goto(f"{live_server.url}{reverse('dashboard')}")
    expect(page.get_by_role("heading", name="Waiting for adjudication")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "dashboard.png"), full_page=True)


# Viewport points inside the first and the last character of `quote` in a merged form's text.
_GOLD_POINTS = """([unit, quote]) => {
  const root = document.querySelector(`#${unit} [data-gold-text]`);
  const at = root.textContent.indexOf(quote);
  if (at < 0) throw new Error("not in the excerpt: " + quote);
  const node = root.firstChild;
  const rect = (i) => {
    const r = document.createRange();
    r.setStart(node, i);
    r.setEnd(node, i + 1);
    return r.getBoundingClientRect();
  };
  const first = rect(at), last = rect(at + quote.length - 1);
  return {
    x1: first.left + 1, y1: first.top + first.height / 2,
    x2: last.right - 1, y2: last.top + last.height / 2,
  };
}"""


def _drag_gold(page, key: int, quote: str, release_below: float = 0) -> None:
    """A real mouse drag over `quote` in unit `key`'s merged form text, released `release_below`
    pixels under its last character."""
    page.evaluate(
        f"document.querySelector('#unit-{key} [data-gold-text]').scrollIntoView({{block: 'center'}})"
    )
    points = page.evaluate(_GOLD_POINTS, [f"unit-{key}", quote])
    page.mouse.move(points["x1"], points["y1"])
    page.mouse.down()
    page.mouse.move(points["x2"], points["y2"], steps=5)
    if release_below:
        page.mouse.move(points["x2"], points["y2"] + release_below, steps=3)
    page.mouse.up()


def test_the_merged_gold_form_takes_its_span_from_a_selection_and_the_keys(
    login, lead, double_annotated, live_server, artifacts_dir
):
    d = double_annotated
    article = d["article"]
    page = login(lead)
    page.goto(f"{live_server.url}{reverse('article_compare', args=[article.pk])}")
    key = d["span_a"].pk
    unit = page.locator(f"#unit-{key}")
    unit.get_by_role("link", name="Edit a merged version from it").last.click()  # from Ben's
    wait_settled(page)
    form = unit.locator("form[data-merged]")
    quote = form.locator("[data-gold-quote]")
    expect(quote).to_have_text("We agree with the proposals")
    # no offsets to type: the text around the unit, the chosen span highlighted in it
    expect(form.get_by_label("Start")).to_have_count(0)
    assert page.evaluate("CSS.highlights.get('merged-span').size") == 1

    # a drag in the text, released below it (outside the text box, over the form's fields)
    _drag_gold(page, key, "proposals to cease", release_below=300)
    expect(quote).not_to_have_text("We agree with the proposals")
    dragged = quote.inner_text()
    assert dragged.startswith("proposals to cease") and dragged in article.text

    # the keys: the start a word back, the end back to "hostilities"
    _drag_gold(page, key, "proposals to cease")
    expect(quote).to_have_text("proposals to cease")
    quote.focus()
    page.keyboard.press("Alt+Shift+ArrowLeft")
    page.keyboard.press("Alt+Shift+ArrowLeft")
    page.keyboard.press("Alt+Shift+ArrowLeft")
    expect(quote).to_have_text("agree with the proposals to cease")
    page.keyboard.press("Shift+ArrowRight")
    expect(quote).to_have_text("agree with the proposals to cease hostilities")
    page.keyboard.press("Alt+Shift+ArrowLeft")
    expect(quote).to_have_text("We agree with the proposals to cease hostilities")
    page.screenshot(path=str(artifacts_dir / "compare-merged-span.png"), full_page=True)

    form.locator("label.stance-btn.s-caveat").click()
    form.get_by_role("button", name="Save gold statement").click()
    expect(page.locator("#status")).to_contain_text("Gold statement")
    gold = Statement.objects.get(is_gold=True)
    wanted = "We agree with the proposals to cease hostilities"
    start = article.text.index(wanted)
    assert (gold.start, gold.end, gold.quote, gold.stance) == (start, start + len(wanted), wanted, "caveat")
    assert set(gold.adjudicated_from.all()) == {d["span_a"], d["span_b"]}
