"""Every route needs sign-in: walk the URL configuration and ask each one anonymously."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

# The sign-in page itself, and the one-time set-password link of an invitation (its token is the
# credential: Django's PasswordResetConfirmView refuses a wrong or used one).
PUBLIC = {"login", "password_set"}


def _routes(patterns=None, prefix=""):
    """(route, name, URL with every parameter set to 1) for each named route."""
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            if p.namespace == "admin":  # Django's admin has its own sign-in (is_staff)
                continue
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            kwargs = dict.fromkeys(p.pattern.regex.groupindex, "1")
            if "format" in kwargs:
                continue  # a format-suffix variant of a route already listed
            yield prefix + str(p.pattern), p.name, reverse(p.name, kwargs=kwargs)


ROUTES = [r for r in _routes() if r[1] not in PUBLIC]


def test_the_walk_finds_the_routes():
    names = {n for _, n, _ in ROUTES}
    for name in ("article_detail", "review_queue", "dashboard", "api-export-statements", "api-agreement"):
        assert name in names


@pytest.mark.parametrize(("route", "name", "url"), ROUTES, ids=[n for _, n, _ in ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_users_are_turned_away(client, route, name, url, method):
    response = getattr(client, method)(url)
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]
    else:
        # the API answers 401/403; a method the route does not offer may be refused first (405)
        assert response.status_code in (401, 403, 405), (url, response.status_code)
