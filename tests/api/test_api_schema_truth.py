"""The schema tells the truth: every operation documents its error answers (400, 401, 403, 404,
409, 413 where they can happen), no `format: uri` field carries "", and a viewer's bulk import is
a 403 whatever the body."""

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def _schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_every_operation_documents_its_error_answers():
    missing = []
    for path, item in _schema()["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            codes = set(operation["responses"])
            expected = {"401", "403"}
            if method in ("post", "put", "patch"):
                expected |= {"400", "409", "413"}
            if method == "delete":
                expected |= {"409"}
            if "{" in path:
                expected |= {"404"}
            if expected - codes:
                missing.append(f"{method.upper()} {path}: {sorted(expected - codes)}")
    assert missing == []


def test_a_documented_error_has_the_shape_the_api_answers(analyst):
    statements = _schema()["paths"]["/api/statements/{id}/"]["patch"]["responses"]
    ref = statements["404"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/Error")
    answer = _api(analyst).patch("/api/statements/999999/", {}, format="json")
    assert answer.status_code == 404 and set(answer.json()) == {"detail"}


def _uri_fields(schema: dict) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, component in schema["components"]["schemas"].items():
        for prop, node in component.get("properties", {}).items():
            if node.get("format") == "uri":
                out.setdefault(name, set()).add(prop)
    return out


def test_no_uri_field_holds_an_empty_string(analyst):
    ArticleFactory(user=analyst, url="")
    uri = _uri_fields(_schema())
    assert "url" not in uri.get("ArticleList", set())
    client = _api(analyst)
    rows = client.get("/api/articles/").json()["results"]
    assert rows and rows[0]["url"] == ""  # documented as text, not as a URI
    page = client.get("/api/articles/").json()
    for key in uri.get("PaginatedArticleListList", ()):
        assert page[key] is None or page[key].startswith("http"), key


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("[]", "application/json"),
        ('[{"title": "T", "text": "x"}]', "application/json"),
        ("{", "application/json"),
        ("", "application/x-ndjson"),
        ("garbage", "text/plain"),
    ],
)
def test_a_viewer_gets_403_for_the_bulk_import_whatever_the_body(viewer, body, content_type):
    response = _api(viewer).post("/api/articles/import/", body, content_type=content_type)
    assert response.status_code == 403
    assert not Article.objects.exists()
