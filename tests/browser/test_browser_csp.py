"""Real Chromium under the Content-Security-Policy (no inline script or style): the main pages,
the htmx swaps on them and the API docs raise no CSP violation."""

import pytest

from tests.browser.test_browser_annotate import drag_select

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every violation the page reports, recorded from before its first script runs.
_RECORD = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
});
"""


def test_the_main_pages_raise_no_csp_violation(login, lead, seeded, live_server):
    page = login(lead)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(_RECORD)
    article = seeded.get_absolute_url()
    visited = {}
    for path in [
        "/",
        "/articles/",
        article,
        f"/articles/{seeded.pk}/compare/",
        f"/articles/{seeded.pk}/history/",
        "/actors/",
        "/conditions/",
        "/review/",
        "/feedback/",
        "/agreement/",
        "/dashboard/",
        "/account/api-token/",
        "/api/docs/",
    ]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
        if path == article:  # the tagging panel, the speaker picker (htmx swaps)
            drag_select(page, "reduced towns to rubble")
            page.keyboard.press("3")
            page.keyboard.type("Putin")
            page.wait_for_load_state("networkidle")
        if path == "/api/docs/":
            page.locator(".swagger-ui .opblock").first.wait_for()
        visited[path] = page.evaluate("() => window.__csp")
    assert {p: v for p, v in visited.items() if v} == {}
    assert console == []
