"""Real Chromium: a lead dismisses a unit on the compare page, from the keyboard (j, x, type the
reason, Enter) and with the mouse; the unit folds as dismissed and its statements leave the
review queue."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from statements.models import UnitDismissal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_dismisses_units_with_a_reason(login, lead, double_annotated, live_server, artifacts_dir):
    d = double_annotated
    page = login(lead)
    page.goto(f"{live_server.url}{reverse('article_compare', args=[d['article'].pk])}")
    toolbar = page.locator(".compare-toolbar")
    expect(toolbar).to_contain_text("3 to decide")

    # Keyboard: j to the first unit, x to its reason, type, Enter.
    page.keyboard.press("j")
    first = page.locator(".unit.is-current")
    first_id = first.get_attribute("id")
    page.keyboard.press("x")
    reason = first.get_by_label("No gold here? Dismiss the unit")
    expect(reason).to_be_focused()
    page.keyboard.type("Not a statement: the reporter's summary")
    page.keyboard.press("Enter")
    # the first unit in text order is the one only Amira marked
    expect(page.locator("#status")).to_have_text("Unit dismissed: its 1 statement left the review queue.")
    unit = page.locator(f"#{first_id}")
    expect(unit).to_have_class("unit st-dismissed")
    expect(unit.locator(".unit-state")).to_have_text("Dismissed")
    expect(toolbar).to_contain_text("1 dismissed")

    # Mouse: the stance disagreement; an empty reason is refused by the browser, nothing is sent.
    stance = page.locator(f"#unit-{d['stance_a'].pk}")
    stance.get_by_role("button", name="Dismiss unit").click()
    assert UnitDismissal.objects.count() == 1
    stance.get_by_label("No gold here? Dismiss the unit").fill("Duplicate of the headline")
    stance.get_by_role("button", name="Dismiss unit").click()
    expect(toolbar).to_contain_text("2 dismissed")
    expect(page.locator(f"#unit-{d['stance_a'].pk}")).to_contain_text("Duplicate of the headline")
    page.evaluate("window.scrollTo(0, 0)")  # the sticky toolbar at the top of the full-page shot
    page.screenshot(path=str(artifacts_dir / "compare-dismissed.png"), full_page=True)

    # The review queue no longer lists the dismissed units' statements.
    page.goto(f"{live_server.url}{reverse('review_queue')}")
    dismissed = {s.pk for dm in UnitDismissal.objects.all() for s in dm.statements.all()}
    assert len(dismissed) == 3
    for pk in dismissed:
        expect(page.locator(f"#item-{pk}")).to_have_count(0)
    expect(page.locator("#review-count")).to_have_text("6 awaiting review")
