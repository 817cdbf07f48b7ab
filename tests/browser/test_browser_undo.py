"""Real Chromium: Undo in the status toast brings a deleted statement back (same id, its verdict
and comment still there) and takes an edit back; Alt+Z presses it from the keyboard."""

import re

import pytest
from playwright.sync_api import expect

from statements import services
from statements.models import Comment, Review, Statement
from tests.browser.test_browser_annotate import wait_settled
from tests.factories import StatementFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUOTE = "We agree with the proposals to cease hostilities"


def _mark(page, pk):
    return page.locator(f'#article-text mark[data-ids~="{pk}"]')


def test_undo_brings_a_deleted_statement_back(login, analyst, other_analyst, page, artifacts_dir):
    statement = StatementFactory(user=analyst, quote=QUOTE, stance="caveat")
    services.statement_review(statement=statement, reviewer=other_analyst, verdict="accept")
    services.comment_add(statement=statement, author=other_analyst, body="Well spotted.")
    login(analyst)
    page.goto(statement.article.get_absolute_url())
    expect(page.locator("#annotate[data-ready]")).to_have_count(1)  # the page script listens
    _mark(page, statement.pk).first.click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#panel").get_by_role("button", name="Delete").click()
    expect(_mark(page, statement.pk)).to_have_count(0)
    status = page.locator("#status")
    expect(status).to_contain_text("Statement deleted.")
    undo = status.get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "undo-toast.png"))

    undo.click()

    expect(status).to_have_text("Statement restored.")
    expect(_mark(page, statement.pk).first).to_be_visible()
    expect(page.locator(f"#statement-{statement.pk}")).to_contain_text("Accepted")
    expect(page.locator("#panel")).to_contain_text("Well spotted.")
    restored = Statement.objects.get(pk=statement.pk)
    assert restored.status == "accepted" and Review.objects.filter(statement=restored).count() == 1
    assert Comment.objects.get().statement_id == statement.pk


def test_alt_z_takes_an_edit_back(login, analyst, page):
    statement = StatementFactory(user=analyst, quote=QUOTE, stance="caveat")
    login(analyst)
    page.goto(statement.article.get_absolute_url())
    expect(page.locator("#annotate[data-ready]")).to_have_count(1)  # the page script listens
    _mark(page, statement.pk).first.click()
    wait_settled(page)
    panel = page.locator("#panel")
    panel.get_by_role("link", name="Edit").click()
    wait_settled(page)
    expect(panel.get_by_role("heading", name="Edit statement")).to_be_visible()
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    expect(_mark(page, statement.pk).first).to_have_class(re.compile(r"\bs-demand\b"))
    expect(page.locator("#status").get_by_role("button", name="Undo")).to_be_visible()

    page.keyboard.press("Alt+z")

    expect(page.locator("#status")).to_have_text("Edit undone.")
    expect(_mark(page, statement.pk).first).to_have_class(re.compile(r"\bs-caveat\b"))
    assert Statement.objects.get(pk=statement.pk).stance == "caveat"


def test_an_undo_that_cannot_be_done_says_why(login, analyst, other_analyst, page):
    statement = StatementFactory(user=analyst, quote=QUOTE, stance="caveat")
    login(analyst)
    page.goto(statement.article.get_absolute_url())
    expect(page.locator("#annotate[data-ready]")).to_have_count(1)  # the page script listens
    _mark(page, statement.pk).first.click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#panel").get_by_role("button", name="Delete").click()
    undo = page.locator("#status").get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    # meanwhile the statement came back by another way (another tab's Undo)
    from statements.services.undo import statement_restore

    statement_restore(ref=statement.pk, user=analyst)
    undo.click()
    expect(page.locator("#status")).to_have_text(re.compile(r"nothing to restore"))
    assert Statement.objects.filter(pk=statement.pk).count() == 1
