"""Real Chromium: the API token page's Copy button puts the token on the clipboard and says so."""

import re

import pytest
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_copies_the_token_to_the_clipboard(login, analyst, page, context, live_server):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    token = Token.objects.create(user=analyst)
    login(analyst)
    page.goto("/account/api-token/")
    page.evaluate("() => navigator.clipboard.writeText('something else')")

    page.get_by_role("button", name="Copy").click()

    expect(page.locator("#status")).to_have_text("Token copied to the clipboard.")
    assert page.evaluate("() => navigator.clipboard.readText()") == token.key


def test_without_clipboard_permission_the_token_is_selected_for_ctrl_c(login, analyst, page, context):
    context.clear_permissions()
    token = Token.objects.create(user=analyst)
    login(analyst)
    page.goto("/account/api-token/")
    # The asynchronous Clipboard API refuses (as in an insecure origin); the fallback still copies
    # or at least leaves the whole token selected, and the toast says which.
    page.evaluate("() => { navigator.clipboard.writeText = () => Promise.reject(new Error('denied')); }")

    page.get_by_role("button", name="Copy").click()

    expect(page.locator("#status")).to_have_text(
        re.compile(r"^Token (copied to the clipboard|is selected: press Ctrl\+C to copy it)\.$")
    )
    selected = page.evaluate(
        "() => { const f = document.getElementById('token-key');"
        " return f.value.slice(f.selectionStart, f.selectionEnd); }"
    )
    assert selected == token.key
