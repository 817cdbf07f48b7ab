"""Real Chromium: a reviewer works through the review queue with the keyboard (a, c, r), and the
review pages are photographed for a person to look at (test-output/)."""

import re

import pytest
from playwright.sync_api import expect

from statements import services
from statements.models import ArticleAssignment, Comment, Review, Statement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 900}}


def test_a_reviewer_works_through_the_queue_with_the_keys(login, analyst, seeded, artifacts_dir):
    first, second, third = Statement.objects.filter(article=seeded).order_by("id")[:3]
    page = login(analyst)
    page.goto("/review/")
    expect(page.locator("#review-count")).to_have_text("19 awaiting review")  # the lazy nav badge
    items = page.locator("#results [data-review-item]")
    expect(items.first).to_have_id(f"item-{first.pk}")
    expect(items.first.locator("mark")).to_have_text(first.quote)  # the quote, in its context
    page.screenshot(path=str(artifacts_dir / "review-queue.png"))

    # a: the first item is accepted in place, focus moves to the next one.
    page.keyboard.press("a")
    expect(page.locator(f"#item-{first.pk}")).to_contain_text("Accepted")
    expect(page.locator(f"#item-{second.pk}")).to_be_focused()
    expect(page.locator("#queue-count")).to_have_text("18 statements awaiting your review")
    expect(page.locator("#review-count")).to_have_text("18 awaiting review")
    first.refresh_from_db()
    assert first.status == "accepted"

    # c: the comment box first (the letter does not land in it), Enter sends "request changes".
    page.keyboard.press("c")
    box = page.locator(f"#comment-{second.pk}")
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    page.keyboard.type("Is the speaker Putin here, or his spokesman?")
    page.keyboard.press("Enter")
    expect(page.locator(f"#item-{second.pk}")).to_contain_text("Changes requested")
    expect(page.locator(f"#item-{third.pk}")).to_be_focused()
    second.refresh_from_db()
    assert second.status == "changes_requested"
    assert Review.objects.get(statement=second).comment == "Is the speaker Putin here, or his spokesman?"

    # r with nothing typed: the service refuses, the error shows in the item, nothing changes;
    # the box keeps focus with "reject" still armed, so typing and Enter finish the job.
    page.keyboard.press("r")
    page.keyboard.press("Enter")
    item = page.locator(f"#item-{third.pk}")
    expect(item.locator("[data-errors]")).to_contain_text("a comment is required")
    expect(page.locator(f"#comment-{third.pk}")).to_be_focused()
    third.refresh_from_db()
    assert third.status == "pending"
    page.screenshot(path=str(artifacts_dir / "review-queue-error.png"))
    page.keyboard.type("Not a statement: this is the reporter's summary.")
    page.keyboard.press("Enter")
    expect(item).to_contain_text("Rejected")
    third.refresh_from_db()
    assert third.status == "rejected"

    # j/k move between items, with a visible focus ring.
    page.keyboard.press("k")
    expect(page.locator(f"#item-{third.pk}")).to_be_focused()
    page.keyboard.press("j")
    page.screenshot(path=str(artifacts_dir / "review-queue-after.png"))

    # Filters in place: an item's article link narrows the queue, a select then adds to that.
    page.locator("#results .review-item:not(.is-done) .item-links a").first.click()
    expect(page).to_have_url(re.compile(rf"\?article={seeded.pk}$"))
    page.get_by_label("Stance").select_option("demand")
    expect(page).to_have_url(re.compile(rf"stance=demand.*article={seeded.pk}"))
    demands = Statement.objects.filter(article=seeded, stance="demand", status="pending").count()
    expect(page.locator("#results [data-review-item]")).to_have_count(demands)
    expect(page.locator("#results .badge.s-demand")).to_have_count(demands)
    # Escape in the filter hands the keyboard back to the queue: a accepts the first demand.
    page.get_by_label("Stance").focus()
    page.keyboard.press("Escape")
    first_demand = page.locator("#results [data-review-item]").first
    expect(first_demand).to_be_focused()
    page.keyboard.press("a")
    expect(first_demand).to_contain_text("Accepted")


def test_screenshots_of_the_review_pages(login, analyst, other_analyst, lead, seeded, artifacts_dir):
    """Saved on every run so a person can look at the pages (test-output/)."""
    seed_annotator = seeded.statements.first().annotator
    mine = [
        services.statement_create(
            article=seeded,
            user=analyst,
            start=s.start,
            end=s.end,
            quote=s.quote,
            stance=s.stance,
            speaker=s.speaker_id,
            conditions=[{"description": c.description} for c in s.conditions.all()],
        )
        for s in Statement.objects.filter(article=seeded, annotator=seed_annotator).order_by("id")[:4]
    ]
    services.statement_review(statement=mine[0], reviewer=other_analyst, verdict="accept")
    services.statement_review(
        statement=mine[1],
        reviewer=other_analyst,
        verdict="request_changes",
        comment="The addressee is the United States, not Ukraine: see the sentence before.",
    )
    services.comment_add(statement=mine[1], author=analyst, body="Right, the US proposal. Fixing it.")
    services.statement_update(
        statement=mine[1],
        user=analyst,
        stance="caveat",
        note="Conditional support: caveat.",
        conditions=[{"description": "Root causes addressed"}, {"description": "Details sorted out"}],
    )
    services.statement_review(
        statement=mine[2], reviewer=lead, verdict="reject", comment="Duplicate of the reported speech above."
    )
    services.comment_add(statement=mine[2], author=other_analyst, body="Agreed with Lena.")
    services.statement_delete(statement=mine[3], user=analyst)
    ArticleAssignment.objects.create(article=seeded, analyst=other_analyst, assigned_by=lead)
    services.assignment_create(article=seeded, analyst=analyst, user=lead)
    services.assignment_finish(article=seeded, user=analyst)
    assert Comment.objects.count() == 2

    page = login(analyst)
    page.goto("/feedback/")
    expect(page.locator(".tally.t-changes_requested .n")).to_have_text("0")
    page.screenshot(path=str(artifacts_dir / "review-feedback.png"), full_page=True)
    page.goto(f"/statements/{mine[1].pk}/")
    page.get_by_label("Add to the discussion").fill("Done: stance and conditions updated.")
    page.keyboard.press("Control+Enter")
    expect(page.locator(f"#thread-{mine[1].pk} .comment")).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "review-activity.png"), full_page=True)
    page.goto(f"/articles/{seeded.pk}/history/")
    page.screenshot(path=str(artifacts_dir / "review-history.png"))
    page.goto(f"/articles/{seeded.pk}/assignments/")
    page.screenshot(path=str(artifacts_dir / "review-assignments.png"))
    page.set_viewport_size({"width": 420, "height": 860})
    page.goto("/review/")
    page.screenshot(path=str(artifacts_dir / "review-queue-narrow.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
