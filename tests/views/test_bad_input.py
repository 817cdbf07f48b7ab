"""Bad input the fuzzing found answering 500, now a 4xx with a message (pages and API, both
databases): a NUL character in any page's query or form field, JSON nested 100,000 deep (and
50,000 deep inside `conditions`, and in NDJSON and bulk uploads), time zone offsets beyond ±15:59
in created_after/updated_after (the API's filters and the export), a `next` that is a bare word
(redirect() took it for a view name)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements.models import Actor, Article, Statement
from tests.factories import ArticleFactory, StatementFactory, default_project

pytestmark = pytest.mark.django_db

DEEP = "[" * 100_000 + "]" * 100_000


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/articles/?q=a%00b",
        "/actors/?q=%00",
        "/conditions/?q=x%00",
        "/review/?stance=%00",
        "/agreement/?source=%00",
        "/?project=%00",
        "/articles/?source=Reuters&%00=1",
    ],
)
def test_a_nul_in_a_page_query_is_a_400_with_a_message(client, analyst, url):
    client.force_login(analyst)
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_a_form_field_is_a_400_and_stores_nothing(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("actor_create"), {"name": "Ivan\x00", "kind": "person"})
    assert response.status_code == 400 and "NUL character" in response.content.decode()
    assert not Actor.objects.exists()


def test_a_nul_in_an_api_query_is_a_400_in_json(analyst):
    response = _api(analyst).get("/api/statements/?q=%00")
    assert response.status_code == 400 and "NUL" in response.json()["detail"]


def test_json_nested_100000_deep_is_a_400(analyst):
    article = ArticleFactory(user=analyst)
    client = _api(analyst)
    for url in ("/api/statements/", "/api/actors/", "/api/articles/import/"):
        response = client.post(url, DEEP, content_type="application/json")
        assert response.status_code == 400, url
        assert "nested too deeply" in response.json()["detail"]
    conditions = "[" * 50_000 + "]" * 50_000
    fields = f'"article": {article.pk}, "start": 0, "end": 5, "quote": "x", "stance": "support"'
    body = f'{{{fields}, "conditions": {conditions}}}'
    response = client.post("/api/statements/", body, content_type="application/json")
    assert response.status_code == 400 and "nested too deeply" in response.json()["detail"]
    line = '{"title": "T", "text": ' + DEEP + "}\n"
    response = client.post(
        f"/api/articles/import/?project={default_project().slug}", line, content_type="application/x-ndjson"
    )
    assert response.status_code == 400
    assert not Statement.objects.exists() and Article.objects.count() == 1


def test_a_deep_bulk_upload_on_the_page_is_a_400(client, analyst):
    client.force_login(analyst)
    upload = SimpleUploadedFile("deep.json", DEEP.encode(), content_type="application/json")
    response = client.post(reverse("project_upload", args=[default_project().slug]), {"files": [upload]})
    assert 400 <= response.status_code < 500
    assert not Article.objects.exists()


@pytest.mark.parametrize("offset", ["+16:00", "-18:30", "+23:59"])
def test_time_offsets_beyond_15_59_are_read_as_the_same_instant(analyst, offset):
    statement = StatementFactory(user=analyst)
    client = _api(analyst)
    for name in ("created_after", "updated_after"):
        response = client.get("/api/statements/", {name: f"2000-01-01T00:00:00{offset}"})
        assert response.status_code == 200, response.content
        assert [r["id"] for r in response.json()["results"]] == [statement.pk]
        export = client.get(
            "/api/export/statements", {"format": "jsonl", name: f"2000-01-01T00:00:00{offset}"}
        )
        assert export.status_code == 200
        assert b"".join(export.streaming_content).count(b"\n") == 1
        future = client.get("/api/statements/", {name: f"2999-01-01T00:00:00{offset}"})
        assert future.json()["results"] == []


def test_an_offset_python_cannot_read_is_a_400(analyst):
    response = _api(analyst).get("/api/statements/", {"created_after": "2000-01-01T00:00:00+24:00"})
    assert response.status_code == 400 and "created_after" in response.json()


@pytest.mark.parametrize(
    "target", ["😀", "article_list", "logout", "javascript:alert(1)", "//evil.example/x"]
)
def test_a_next_that_is_no_path_of_this_site_is_ignored(client, analyst, target):
    article = ArticleFactory()
    statement = StatementFactory(article=article, user=analyst, quote="very promising")
    client.force_login(analyst)
    response = client.post(reverse("statement_confirm_text", args=[statement.pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()
    kept = client.post(reverse("statement_confirm_text", args=[statement.pk]), {"next": "/actors/"})
    assert kept.status_code == 302 and kept["Location"] == "/actors/"
