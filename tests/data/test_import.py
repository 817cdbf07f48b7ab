"""Bulk import of articles through the API and `manage.py import_articles`: JSON array or JSONL,
all or nothing, no duplicates on re-import (articles are unique by their normalized text)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements.models import Article
from tests.factories import default_project

pytestmark = pytest.mark.django_db

ITEMS = [
    {"title": "One", "text": "First text.\r\nSecond line.", "source": "Reuters", "published": "2025-03-14"},
    {"title": "Two 😀", "text": "Another text 😀", "annotations": [{"ignored": True}]},
]


def client_for(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def test_an_analyst_imports_a_json_array_and_importing_it_again_adds_nothing(analyst):
    client = client_for(analyst)
    first = client.post("/api/articles/import/", ITEMS, format="json")
    assert first.status_code == 201, first.json()
    assert first.json()["created"] == 2 and first.json()["existing"] == 0
    one = Article.objects.get(title="One")
    assert one.text == "First text.\nSecond line." and one.created_by == analyst
    again = client.post("/api/articles/import/", ITEMS, format="json")
    assert again.status_code == 200
    assert again.json()["existing"] == 2 and [a["id"] for a in again.json()["articles"]] == [
        a["id"] for a in first.json()["articles"]
    ]
    assert Article.objects.count() == 2


def test_it_imports_jsonl_and_the_same_text_twice_in_one_file_once(analyst):
    body = "\n".join(json.dumps(item) for item in [*ITEMS, ITEMS[0]]) + "\n\n"
    response = client_for(analyst).post(
        "/api/articles/import/", body.encode(), content_type="application/x-ndjson"
    )
    assert response.status_code == 201, response.json()
    assert [a["created"] for a in response.json()["articles"]] == [True, True, False]
    assert Article.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "content_type", "where"),
    [
        ([ITEMS[0], {"title": "No text"}], "application/json", "1"),
        ([ITEMS[0], {"title": "", "text": "x"}], "application/json", "1"),
        ([ITEMS[0], "just a string"], "application/json", "1"),
        ([ITEMS[0], {"title": "T", "text": "x", "published": "someday"}], "application/json", "1"),
    ],
)
def test_one_bad_item_refuses_the_whole_import_with_messages_per_item(analyst, body, content_type, where):
    response = client_for(analyst).post("/api/articles/import/", body, format="json")
    assert response.status_code == 400
    assert where in response.json()["items"], response.json()
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b'{"title": "T", "text": "x"}\nnot json\n', "application/x-ndjson"),
        (b"\xff\xfe not utf-8", "application/x-ndjson"),
        (b"[1, 2", "application/json"),
        (b'{"title": "T", "text": "x"}', "application/json"),
    ],
)
def test_malformed_bodies_are_a_400_not_a_500(analyst, raw, content_type):
    response = client_for(analyst).post("/api/articles/import/", raw, content_type=content_type)
    assert response.status_code == 400
    assert Article.objects.count() == 0


def test_a_viewer_cannot_import_and_an_oversized_body_is_refused(viewer, analyst, settings):
    assert client_for(viewer).post("/api/articles/import/", ITEMS, format="json").status_code == 403
    big = {"title": "Big", "text": "x" * (5 * 1024 * 1024)}
    assert client_for(analyst).post("/api/articles/", big, format="json").status_code == 413
    assert Article.objects.count() == 0


def test_the_command_imports_jsonl_with_line_numbers_in_errors(tmp_path, analyst):
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in ITEMS) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_articles", str(path), "--user", "amira", stdout=out)
    assert "Imported 2 new article(s); 0 already existed." in out.getvalue()
    assert Article.objects.filter(created_by=analyst).count() == 2
    call_command("import_articles", str(path), stdout=out)
    assert "Imported 0 new article(s); 2 already existed." in out.getvalue()
    assert Article.objects.count() == 2

    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"title": "New", "text": "New text."}) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 2: non_field_errors: This line is not a JSON document"):
        call_command("import_articles", str(bad))
    assert Article.objects.count() == 2


def test_the_command_imports_a_json_array_and_the_workload_format(tmp_path):
    default_project()  # the one open project: the import lands there without --project
    workload = [
        {"title": "W", "text": "Workload text.", "annotations": [{"start": 0, "end": 8, "label": "x"}]}
    ]
    path = tmp_path / "articles.json"
    path.write_text(json.dumps(workload), encoding="utf-8")
    call_command("import_articles", str(path), stdout=io.StringIO())
    assert Article.objects.get().title == "W"
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_articles", str(tmp_path / "missing.jsonl"))


def test_the_command_names_the_line_or_item_of_each_error(tmp_path):
    default_project()
    jsonl = tmp_path / "blank-lines-first.jsonl"
    jsonl.write_text('\n\n{"title": "A", "text": "a"}\n{"title": ""}\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"line 4: title: .*; text: This field is required"):
        call_command("import_articles", str(jsonl))
    array = tmp_path / "array.json"
    array.write_text('[{"title": "A", "text": "a"}, {"title": "B"}]', encoding="utf-8")
    with pytest.raises(CommandError, match=r"item 2: text"):
        call_command("import_articles", str(array))
    assert Article.objects.count() == 0


def test_the_command_imports_into_the_project_it_names(tmp_path, analyst):
    from tests.factories import ProjectFactory

    other = ProjectFactory(name="Other study", slug="other")
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in ITEMS) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="--project"):  # two open projects: which one?
        call_command("import_articles", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_articles", str(path), "--project", "other", stdout=out)
    assert "Imported 2 new article(s); 0 already existed." in out.getvalue()
    assert Article.objects.filter(project=other).count() == 2
    # the same texts are new in another project; an analyst may write only in their own
    call_command("import_articles", str(path), "--project", str(default_project().pk), stdout=out)
    assert Article.objects.count() == 4
    with pytest.raises(CommandError, match="analysts and leads"):
        call_command("import_articles", str(path), "--project", "other", "--user", "amira", stdout=out)
    with pytest.raises(CommandError, match="no project 'nope'"):
        call_command("import_articles", str(path), "--project", "nope")
