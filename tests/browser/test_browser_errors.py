"""Real Chromium: the styled error pages keep the site's top bar and lead somewhere."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_404_page_shows_the_top_bar_and_its_links_lead_on(login, analyst, page, live_server, artifacts_dir):
    login(analyst)
    page.goto("/articles/")
    with page.expect_navigation() as navigation:  # as a followed link, with a Referer
        page.evaluate("() => { location.href = '/articles/99999999/'; }")
    assert navigation.value.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "error-404.png"), full_page=True)

    where = page.get_by_role("navigation", name="Where to go")
    where.get_by_role("link", name="Back to the previous page").click()
    expect(page).to_have_url(f"{live_server.url}/articles/")
    page.go_back()
    page.get_by_role("navigation", name="Where to go").get_by_role("link", name="Your projects").click()
    expect(page).to_have_url(f"{live_server.url}/")


def test_a_403_page_says_why_and_links_to_the_projects(login, viewer, page, live_server):
    login(viewer)
    response = page.goto("/dashboard/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(page.locator(".error-page")).to_contain_text(re.compile("role", re.I))
    page.get_by_role("navigation", name="Where to go").get_by_role("link", name="Articles").click()
    expect(page).to_have_url(f"{live_server.url}/articles/")


def test_a_signed_out_404_offers_to_sign_in_and_returns(analyst, page, live_server):
    page.goto("/no/such/page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    page.get_by_role("link", name="Sign in").click()
    page.get_by_label("Username").fill(analyst.username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/no/such/page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
