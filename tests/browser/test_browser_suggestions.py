"""Real Chromium: suggestions on the Annotate page (#11). An analyst opens an article, steps
through the ghost highlights with the keys, accepts one unchanged, edits one and accepts it,
rejects one; the stored statements and their provenance are checked in the database."""

import pytest
from playwright.sync_api import Page, expect

from statements.models import Decision, EventAction, Statement, StatementEvent, SuggestionDecision
from tests.suggestions.helpers import MUST, OLSEN, WELCOME, article, registry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def current_quote(page: Page) -> str:
    return page.locator("[data-suggest-quote]").inner_text()


def step_to(page: Page, quote: str) -> None:
    """Press ] until the card shows the suggestion over `quote` (at most once round)."""
    for _ in range(8):
        if current_quote(page) == quote:
            return
        page.keyboard.press("]")
    raise AssertionError(f"no suggestion over {quote!r}")


def test_an_analyst_steps_through_suggestions_accepts_edits_and_rejects(
    login, analyst, live_server, artifacts_dir
):
    actors = registry()
    doc = article()
    page = login(analyst)
    page.goto(f"{live_server.url}{doc.get_absolute_url()}")

    # Ghost highlights: a dotted outline without fill, under the text, one per suggestion line box.
    card = page.locator("[data-suggest-card]")
    expect(card).to_be_visible()
    expect(page.locator("[data-suggest-count]")).to_have_text("5 suggestions")
    ghost = page.locator(".suggest-layer .ghost").first
    expect(ghost).to_be_visible()
    assert ghost.evaluate("(g) => getComputedStyle(g).borderTopStyle") == "dotted"
    assert ghost.evaluate("(g) => getComputedStyle(g).backgroundColor") == "rgba(0, 0, 0, 0)"
    assert page.locator(".suggest-layer").evaluate(
        "(l) => Number(getComputedStyle(l).zIndex)"
        " < Number(getComputedStyle(document.getElementById('article-text')).zIndex)"
    )
    page.screenshot(path=str(artifacts_dir / "suggestions-ghosts.png"))

    # ] steps forward, [ back.
    first = current_quote(page)
    page.keyboard.press("]")
    second = current_quote(page)
    assert second != first
    page.keyboard.press("[")
    expect(page.locator("[data-suggest-quote]")).to_have_text(first)

    # a: accept the suggestion over WELCOME as it is.
    step_to(page, WELCOME)
    expect(page.locator("[data-suggest-speaker]")).to_have_text("Anna Kovac")
    page.keyboard.press("a")
    expect(page.locator("#status")).to_contain_text("Suggestion accepted.")
    expect(page.locator("[data-suggest-count]")).to_have_text("4 suggestions")
    accepted = Statement.objects.get(quote=WELCOME)
    expect(page.locator(f"#article-text mark[data-ids~='{accepted.pk}']").first).to_be_visible()

    # e: edit the suggestion over MUST in the tagging panel (stance demand -> caveat), then save.
    step_to(page, MUST)
    page.keyboard.press("e")
    tagger = page.locator("#tagger")
    expect(tagger).to_be_visible()
    expect(tagger.locator("[data-quote]")).to_have_text(MUST)
    expect(page.locator("#new-stance-demand")).to_be_checked()
    expect(page.locator("#new-speaker-choice .picker-name")).to_have_text("Anna Kovac")
    page.keyboard.press("2")  # caveat
    page.screenshot(path=str(artifacts_dir / "suggestions-edit.png"))
    tagger.get_by_role("button", name="Save").click()
    expect(tagger).to_be_hidden()
    expect(page.locator("[data-suggest-count]")).to_have_text("3 suggestions")

    # x: reject the suggestion over OLSEN.
    step_to(page, OLSEN)
    page.keyboard.press("x")
    expect(page.locator("#status")).to_contain_text("Suggestion rejected.")
    expect(page.locator("[data-suggest-count]")).to_have_text("2 suggestions")

    # What was stored, with its provenance.
    welcome = Statement.objects.get(quote=WELCOME)
    assert (welcome.annotator, welcome.stance, welcome.speaker) == (analyst, "support", actors["kovac"])
    assert welcome.suggestion_decision.decision == Decision.ACCEPTED
    must = Statement.objects.get(quote=MUST)
    assert (must.stance, must.speaker, must.addressee) == ("caveat", actors["kovac"], actors["kestria"])
    assert [c.description for c in must.conditions.all()] == [
        "Pull back its fleet before any meeting",
        "Before any meeting",
    ]
    assert must.suggestion_decision.decision == Decision.CHANGED
    rejected = SuggestionDecision.objects.get(decision=Decision.REJECTED)
    assert (rejected.quote, rejected.user, rejected.statement) == (OLSEN, analyst, None)
    assert Statement.objects.count() == 2
    created = StatementEvent.objects.get(statement=must, action=EventAction.CREATED)
    assert created.after["suggestion"]["changed"] is True

    # A reload offers only what is left; the history says where the statement came from.
    page.reload()
    expect(page.locator("[data-suggest-count]")).to_have_text("2 suggestions")
    page.goto(f"{live_server.url}/statements/{must.pk}/")
    expect(page.locator(".event-head .suggested").first).to_contain_text(
        "accepted a suggestion (score 0.85), changed before accepting"
    )


def test_a_lead_accepts_all_above_a_score_and_the_toggle_hides_the_ghosts(login, lead, live_server):
    registry()
    doc = article()
    page = login(lead)
    page.goto(f"{live_server.url}{doc.get_absolute_url()}")
    expect(page.locator("[data-suggest-count]")).to_have_text("5 suggestions")
    expect(page.locator(".suggest-layer .ghost").first).to_be_visible()

    # Show off: no ghosts, no card, and the keys rest; on again: they are back.
    page.get_by_label("Show").uncheck()
    expect(page.locator(".suggest-layer .ghost")).to_have_count(0)
    expect(page.locator("[data-suggest-card]")).to_be_hidden()
    page.locator("h1").click()  # focus out of the checkbox: the key reaches the page
    page.keyboard.press("a")
    expect(page.locator("#tagger")).to_be_hidden()
    page.get_by_label("Show").check()
    expect(page.locator(".suggest-layer .ghost").first).to_be_visible()
    assert not Statement.objects.exists()

    page.get_by_label("Accept all with a score of at least").fill("0.85")
    page.get_by_role("button", name="Accept all").click()
    expect(page.locator("#status")).to_contain_text("3 suggestions accepted.")
    expect(page.locator("[data-suggest-count]")).to_have_text("2 suggestions")
    accepted = Statement.objects.filter(annotator=lead)
    assert sorted(s.quote for s in accepted) == sorted([WELCOME, MUST, OLSEN])
    for statement in accepted:
        expect(page.locator(f"#article-text mark[data-ids~='{statement.pk}']").first).to_be_visible()
    assert SuggestionDecision.objects.filter(decision=Decision.ACCEPTED).count() == 3
    assert Statement.objects.get(quote=OLSEN).speaker.name == "Marta Olsen"  # the new speaker, added
