"""Real Chromium: a lead adjudicates on the compare page, with one keystroke for everything the
analysts agree on and one click for a disagreement; screenshots of the compare, agreement and
dashboard pages go to the artifacts folder."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from statements.models import Statement

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
    expect(span_unit.get_by_label("Quote")).to_have_value("We agree with the proposals to cease hostilities")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky toolbar at the top of the full-page shot
    page.screenshot(path=str(artifacts_dir / "compare-after.png"), full_page=True)

    page.goto(f"{live_server.url}{reverse('agreement')}")
    expect(page.locator("table.metrics").first).to_contain_text("Amira")
    page.screenshot(path=str(artifacts_dir / "agreement.png"), full_page=True)

    page.goto(f"{live_server.url}{reverse('dashboard')}")
    expect(page.get_by_role("heading", name="Waiting for adjudication")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "dashboard.png"), full_page=True)
