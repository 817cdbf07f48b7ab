"""The error pages (statements/views/errors.py): 400, 403 (also a refused CSRF check), 404 and
500 in the site layout with what happened and where to go, JSON under /api/; the 500 page renders
without touching the database."""

import json

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connection
from django.test import Client
from django.urls import include, path, reverse

from statements.views import errors
from tests.factories import ArticleFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a bug")


def _suspicious(request):
    raise SuspiciousOperation("bad header")


def _db_boom(request):
    connection.cursor().execute("SELECT * FROM no_such_table_at_all")


def _denied_without_reason(request):
    raise PermissionDenied


# A URL configuration for the 500 and 400 cases: the real one plus views that fail.
urlpatterns = [
    path("boom/", _boom),
    path("api/boom/", _boom),
    path("db-boom/", _db_boom),
    path("suspicious/", _suspicious),
    path("denied/", _denied_without_reason),
    path("", include("annotator.urls")),
]
handler400 = "statements.views.errors.bad_request"
handler403 = "statements.views.errors.permission_denied"
handler404 = "statements.views.errors.page_not_found"
handler500 = "statements.views.errors.server_error"


def _is_layout(page: str) -> bool:
    return '<header class="topbar">' in page and 'href="/static/css/app.css"' in page


def test_an_unknown_page_is_a_styled_404_with_where_to_go(client, analyst):
    client.force_login(analyst)
    response = client.get("/no/such/page/", headers={"referer": "http://testserver/articles/"})
    page = response.content.decode()
    assert response.status_code == 404
    assert _is_layout(page) and '<nav aria-label="Main">' in page  # the signed-in top bar
    assert '<h1 id="error-heading">Page not found</h1>' in page
    assert "belongs to a project you are not a member of" in page
    for href in (reverse("home"), reverse("article_list"), reverse("review_queue")):
        assert f'href="{href}"' in page
    assert 'href="http://testserver/articles/">Back to the previous page' in page


def test_another_projects_article_is_the_same_404(client, analyst):
    hidden = ArticleFactory(project=ProjectFactory(name="Someone else's study"))
    client.force_login(analyst)
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert hidden.title not in response.content.decode()


def test_a_signed_out_visitor_gets_a_sign_in_link_and_no_outside_back_link(client):
    response = client.get("/no/such/page/", headers={"referer": "https://evil.example/"})
    page = response.content.decode()
    assert response.status_code == 404 and _is_layout(page)
    assert f'href="{reverse("login")}?next=/no/such/page/"' in page
    assert "evil.example" not in page and '<nav aria-label="Main">' not in page


def test_a_refused_write_is_a_styled_403_with_the_reason(client, viewer):
    article = ArticleFactory()
    client.force_login(viewer)
    response = client.post(reverse("statement_create", args=[article.pk]), {"quote": "x"})
    page = response.content.decode()
    assert response.status_code == 403 and _is_layout(page)
    assert "Not allowed" in page and "Viewers cannot annotate." in page
    assert "ask a lead of the project" in page


@pytest.mark.urls(__name__)
def test_a_403_without_a_reason_says_what_a_role_allows(client, analyst):
    client.force_login(analyst)
    response = client.get("/denied/")
    page = response.content.decode()
    assert response.status_code == 403 and "your role does not allow this here" in page
    assert 'class="notice error-reason"' not in page


def test_a_refused_csrf_check_is_a_styled_403_that_says_reload(analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post(reverse("article_create"), {"title": "x"})
    page = response.content.decode()
    assert response.status_code == 403 and _is_layout(page)
    assert "security token was missing or out of date" in page and "Reload the page" in page


def test_an_unknown_api_address_answers_json(client, analyst):
    client.force_login(analyst)
    for url in ("/api/no-such-thing/", "/api/statements/99999999/"):
        response = client.get(url)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert set(json.loads(response.content)) == {"detail"}


def test_a_refused_csrf_check_under_the_api_answers_json(analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post("/api/statements/", {}, content_type="application/json")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in json.loads(response.content)
    # and Django's own refusal (before any DRF view) under /api/
    request = Client().request().wsgi_request
    request.path = "/api/whatever/"
    answer = errors.csrf_failure(request)
    assert answer.status_code == 403
    assert json.loads(answer.content)["detail"].startswith("The form's security")


@pytest.mark.urls(__name__)
def test_a_crash_is_a_styled_500_rendered_without_the_database(analyst, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    with django_assert_num_queries(0):  # the session and the user are never read for it
        response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500 and _is_layout(page)
    assert "Something went wrong on our side" in page and "may not have been saved" in page
    assert f'href="{reverse("home")}"' in page and "a bug" not in page


@pytest.mark.urls(__name__)
def test_a_database_failure_still_gets_the_500_page(analyst):
    client = Client(raise_request_exception=False)
    response = client.get("/db-boom/")
    assert response.status_code == 500 and "Something went wrong on our side" in response.content.decode()


def test_the_500_page_renders_with_the_database_blocked(rf, django_db_blocker):
    request = rf.get("/articles/1/")
    with django_db_blocker.block():
        response = errors.server_error(request)
    assert response.status_code == 500 and "Something went wrong" in response.content.decode()


@pytest.mark.urls(__name__)
def test_a_crash_under_the_api_answers_json(analyst):
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    response = client.get("/api/boom/")
    assert response.status_code == 500
    assert json.loads(response.content) == {"detail": "Internal server error."}


@pytest.mark.urls(__name__)
def test_a_suspicious_request_is_a_styled_400(client):
    response = client.get("/suspicious/")
    assert response.status_code == 400 and "Bad request" in response.content.decode()
