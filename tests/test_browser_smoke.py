"""Real Chromium: sign in and read the seed article with its highlights."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_signs_in_and_shows_the_seed_article(login, viewer, seeded, live_server, artifacts_dir):
    page = login(viewer)
    page.get_by_role("link", name=seeded.title).click()
    marks = page.locator("#article-text mark")
    assert marks.count() >= seeded.statements.count()
    assert page.locator("#article-text").inner_text().startswith("President Vladimir Putin said")
    page.screenshot(path=str(artifacts_dir / "seed-article-readonly.png"), full_page=True)
