"""Re-importing an article (issue 14): an item whose URL is an existing article's, with another
text, is offered as a text replacement (API, command, upload page), or replaces the text through
the text-edit service with `replace_text`; never a silent duplicate, never a silent replacement."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from rest_framework.test import APIClient

from statements import services
from statements.models import AnchorState, Article, ArticleTextRevision
from tests.factories import ArticleFactory, default_project

pytestmark = pytest.mark.django_db

URL = "https://example.org/news/talks"
OLD = "Lavrov said that talks would resume in Geneva next week. The ministry confirmed it."
NEW = "Updated: Lavrov said that talks would resume in Geneva next week. The ministry confirmed it on Monday."


@pytest.fixture
def annotated(analyst):
    article = ArticleFactory(text=OLD, url=URL, user=analyst, title="Talks")
    quote = "talks would resume in Geneva"
    start = OLD.index(quote)
    statement = services.statement_create(
        article=article, user=analyst, start=start, end=start + len(quote), quote=quote, stance="support"
    )
    return article, statement


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


ITEMS = [{"title": "Talks (v2)", "text": NEW, "url": URL}, {"title": "Other", "text": "Unrelated text."}]


def test_the_api_import_offers_the_replacement_and_changes_nothing_of_the_article(analyst, annotated):
    article, statement = annotated
    response = _api(analyst).post("/api/articles/import/", ITEMS, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["created"] == 1 and [a["index"] for a in body["articles"]] == [1]
    assert body["text_differs"] == [
        {
            "index": 0,
            "article": article.pk,
            "replaced": False,
            "counts": None,
            "edit": f"/articles/{article.pk}/text/",
        }
    ]
    assert Article.objects.filter(url=URL).count() == 1
    article.refresh_from_db()
    assert article.text == OLD and not ArticleTextRevision.objects.exists()


def test_replace_text_goes_through_the_text_edit_service(analyst, annotated):
    article, statement = annotated
    response = _api(analyst).post("/api/articles/import/?replace_text=true", ITEMS, format="json")
    assert response.status_code == 201
    (differs,) = response.json()["text_differs"]
    assert differs["replaced"] is True and differs["counts"]["moved"] == 1
    article.refresh_from_db()
    statement.refresh_from_db()
    assert article.text == NEW and ArticleTextRevision.objects.get().change == "replace"
    assert (
        statement.start == NEW.index("talks would resume") and statement.anchor_state == AnchorState.ANCHORED
    )


def test_only_who_may_edit_the_article_may_replace_it_and_then_nothing_is_imported(other_analyst, annotated):
    article, _ = annotated
    response = _api(other_analyst).post("/api/articles/import/?replace_text=true", ITEMS, format="json")
    assert response.status_code == 400
    assert "0" in response.json()["items"]
    assert Article.objects.count() == 1 and Article.objects.get().text == OLD


def test_the_same_text_again_is_existing_as_before(analyst, annotated):
    article, _ = annotated
    response = _api(analyst).post(
        "/api/articles/import/", [{"title": "T", "text": OLD, "url": URL}], format="json"
    )
    body = response.json()
    assert body["existing"] == 1 and body["text_differs"] == [] and body["articles"][0]["id"] == article.pk


def test_the_command_lists_or_replaces(tmp_path, analyst, annotated):
    article, _ = annotated
    path = tmp_path / "again.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in ITEMS) + "\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_articles", str(path), "--user", analyst.username, stdout=out)
    assert f"line 1: #{article.pk} “Talks” has this URL and another text: not imported" in out.getvalue()
    with pytest.raises(CommandError, match="needs a user"):
        call_command("import_articles", str(path), "--replace-text", stdout=io.StringIO())
    out = io.StringIO()
    call_command("import_articles", str(path), "--user", analyst.username, "--replace-text", stdout=out)
    assert f"line 1: replaced the text of #{article.pk} (1 moved)." in out.getvalue()
    article.refresh_from_db()
    assert article.text == NEW


def test_the_upload_page_offers_the_editors_preview(client, analyst, annotated):
    article, _ = annotated
    client.force_login(analyst)
    upload = SimpleUploadedFile("again.json", json.dumps(ITEMS).encode(), content_type="application/json")
    page = client.post(
        reverse("project_upload", args=[default_project().slug]), {"files": [upload]}
    ).content.decode()
    assert "A new version of an existing article" in page
    assert f'action="{reverse("article_text_edit", args=[article.pk])}"' in page
    article.refresh_from_db()
    assert article.text == OLD


def test_it_lists_text_differs_in_the_background_import_jobs_result_and_report(analyst, annotated):
    """The job (a big body, or `?background=true`) reports the offer as the inline import does."""
    article, statement = annotated
    client = _api(analyst)
    response = client.post("/api/articles/import/?background=true", ITEMS, format="json")
    assert response.status_code == 202, response.content[:300]
    job = client.get(response.json()["url"]).json()
    assert job["status"] == "done", job
    assert job["result"] == {"created": 1, "existing": 0, "text_differs": 1, "read": 2}
    download = client.get(job["output"])
    report = json.loads(b"".join(download.streaming_content) if download.streaming else download.content)
    assert report["text_differs"] == [
        {
            "item": "item 1",
            "index": 0,
            "article": article.pk,
            "replaced": False,
            "counts": None,
            "edit": f"/articles/{article.pk}/text/",
        }
    ]
    assert [a["index"] for a in report["articles"]] == [1]
    article.refresh_from_db()
    assert article.text == OLD and Article.objects.filter(url=URL).count() == 1
