"""Real Chromium (issue 14): the article's creator edits its text, previews what happens to each
statement, saves; the orphan shows on the article page and is re-attached by choosing a match."""

import pytest
from playwright.sync_api import expect

from statements import services
from statements.models import AnchorState, Article, Statement
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = (
    "Peskov said on Monday that Moscow welcomed the talks.\n\n"
    "Lavrov added that talks would resume in Geneva next week.\n\n"
    "The ministry said the ceasefire must hold before any talks."
)


def _tag(article, user, quote):
    start = article.text.index(quote)
    return services.statement_create(
        article=article, user=user, start=start, end=start + len(quote), quote=quote, stance="support"
    )


def test_it_edits_previews_saves_and_reattaches_an_orphan(login, analyst, artifacts_dir):
    article = ArticleFactory(text=TEXT, user=analyst, title="Geneva talks")
    moved = _tag(article, analyst, "talks would resume in Geneva")
    gone = _tag(article, analyst, "the ceasefire must hold")
    page = login(analyst)
    page.goto(article.get_absolute_url())
    page.get_by_role("navigation", name="This article").get_by_role("link", name="Edit the text").click()
    expect(page.locator("h1")).to_have_text("Edit the text")

    box = page.locator("#article-text")
    expect(box).to_have_value(TEXT)  # the textarea keeps the text exactly (first newline included)
    new = "Breaking.\n\n" + TEXT.replace(
        "The ministry said the ceasefire must hold before any talks.", "Kyiv did not comment."
    )
    box.fill(new)
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#text-edit-preview")
    expect(preview.locator(f'[data-statement="{moved.pk}"]')).to_have_attribute("data-outcome", "moved")
    expect(preview.locator(f'[data-statement="{gone.pk}"]')).to_have_attribute("data-outcome", "orphaned")
    page.screenshot(path=str(artifacts_dir / "text-edit-preview.png"), full_page=True)
    assert Article.objects.get(pk=article.pk).text == TEXT  # the preview saved nothing

    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Text saved")
    moved.refresh_from_db()
    assert moved.start == new.index("talks would resume in Geneva")
    orphans = page.locator("#anchor-issues [data-orphan]")
    expect(orphans).to_have_count(1)
    expect(orphans.first).to_contain_text("the ceasefire must hold")

    orphans.first.get_by_role("link", name="Re-attach").click()
    expect(page.locator("[data-old-quote]")).to_have_text("the ceasefire must hold")
    page.locator("#reattach-q").fill("did not comment")
    page.get_by_role("button", name="Search").click()
    start = new.index("did not comment")
    match = page.locator(f'[data-match="{start}"]')
    expect(match).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "text-edit-reattach.png"), full_page=True)
    match.get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text("Re-attached")
    expect(page.locator("#anchor-issues [data-orphan]")).to_have_count(0)
    gone = Statement.objects.get(pk=gone.pk)
    assert (gone.start, gone.quote, gone.anchor_state) == (start, "did not comment", AnchorState.ANCHORED)
