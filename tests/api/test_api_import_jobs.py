"""Big article imports (#13, item 7): over 1 MB (up to 64 MB) the API hands the body to a
background job (202 with its URL); its result and errors are those of the inline import; bodies
over the limits get a 413 that says the limit, never Django's bare 400."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from statements.data.article_import_job import INLINE_MAX_BYTES
from statements.models import Article, Job, JobStatus
from tests.factories import ProjectFactory, UserFactory, default_project

pytestmark = pytest.mark.django_db

URL = "/api/articles/import/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _articles(n: int, size: int = 2000) -> list[dict]:
    return [
        {"title": f"Report {i}", "text": f"Report number {i}. " + "The talks went on. " * (size // 19)}
        for i in range(n)
    ]


def _job_of(client: APIClient, response) -> dict:
    assert response.status_code == 202, response.content[:500]
    body = response.json()
    assert body["url"].endswith(f"/api/jobs/{body['job']}/")
    job = client.get(body["url"])
    assert job.status_code == 200
    return job.json()


def test_it_imports_a_body_over_the_inline_limit_in_a_job():
    project = default_project()
    analyst = UserFactory(role="analyst", role__project=project)
    items = _articles(700)
    body = json.dumps(items).encode()
    assert len(body) > INLINE_MAX_BYTES
    client = _client(analyst)
    job = _job_of(client, client.post(f"{URL}?project={project.slug}", body, content_type="application/json"))
    assert job["status"] == JobStatus.DONE and job["kind"] == "import_articles"
    assert job["result"]["created"] == 700 and job["result"]["existing"] == 0
    assert job["done"] == job["total"] == 700
    assert Article.objects.filter(project=project).count() == 700
    stored = Job.objects.get(pk=job["id"])
    assert stored.user == analyst and stored.project == project and stored.payload is None


def test_it_imports_more_than_djangos_4_mb_form_limit():
    """The bare 400 of the issue: a 5 MB JSON body is now imported (by a job)."""
    project = default_project()
    client = _client(UserFactory(role="lead", role__project=project))
    body = json.dumps(_articles(50, size=100_000)).encode()
    assert len(body) > 4 * 1024 * 1024
    job = _job_of(client, client.post(URL, body, content_type="application/json"))
    assert job["status"] == JobStatus.DONE and job["result"]["created"] == 50


def test_it_runs_a_small_jsonl_import_in_a_job_when_asked():
    project = default_project()
    client = _client(UserFactory(role="analyst", role__project=project))
    lines = "\n".join(json.dumps(a) for a in _articles(3)) + "\n" + json.dumps(_articles(1)[0])
    job = _job_of(client, client.post(f"{URL}?background=true", lines, content_type="application/x-ndjson"))
    assert job["status"] == JobStatus.DONE
    assert (job["result"]["created"], job["result"]["existing"]) == (3, 1)
    assert job["result"] == {"created": 3, "existing": 1, "text_differs": 0, "read": 4}
    download = client.get(job["output"])
    report = json.loads(b"".join(download.streaming_content) if download.streaming else download.content)
    assert [a["item"] for a in report["articles"]] == ["line 1", "line 2", "line 3", "line 4"]
    assert report["articles"][3]["id"] == report["articles"][0]["id"]  # the same text as line 1
    assert [a["created"] for a in report["articles"]] == [True, True, True, False]


def test_it_stores_nothing_and_says_why_when_an_item_is_invalid():
    project = default_project()
    client = _client(UserFactory(role="analyst", role__project=project))
    items = _articles(600)
    items[2] = {"title": "No text"}
    items[5] = "not an object"
    job = _job_of(client, client.post(URL, json.dumps(items), content_type="application/json"))
    assert job["status"] == JobStatus.FAILED
    assert job["errors"][0].startswith("Nothing was imported: 2 of 600 items are invalid")
    assert "item 3: text: This field is required." in job["errors"]
    assert "item 6: Each article must be a JSON object." in job["errors"]
    assert not Article.objects.filter(project=project).exists()


def test_it_fails_the_job_with_a_message_for_a_body_that_is_not_json():
    project = default_project()
    client = _client(UserFactory(role="analyst", role__project=project))
    job = _job_of(client, client.post(f"{URL}?background=1", b"[{broken", content_type="application/json"))
    assert job["status"] == JobStatus.FAILED
    assert any("not a JSON array" in e for e in job["errors"])


def test_it_refuses_a_viewer_and_another_projects_member_before_queuing():
    project = default_project()
    viewer = UserFactory(role="viewer", role__project=project)
    outsider = UserFactory(role="analyst", role__project=ProjectFactory())
    body = json.dumps(_articles(600))
    assert _client(viewer).post(URL, body, content_type="application/json").status_code == 403
    response = _client(outsider).post(f"{URL}?project={project.slug}", body, content_type="application/json")
    assert response.status_code == 400  # as inline: another project's slug names no project of theirs
    assert "project" in response.json()
    assert not Job.objects.exists() and not Article.objects.exists()


def test_it_refuses_an_unsupported_media_type_for_a_job():
    client = _client(UserFactory(role="analyst", role__project=default_project()))
    response = client.post(f"{URL}?background=1", b"title,text\n", content_type="text/csv")
    assert response.status_code == 415
    assert not Job.objects.exists()


def test_it_answers_413_with_the_limit_over_64_mb():
    client = _client(UserFactory(role="analyst", role__project=default_project()))
    response = client.post(URL, b"[]", content_type="application/json", CONTENT_LENGTH=str(65 * 1024 * 1024))
    assert response.status_code == 413
    assert "limit here is 67,108,864" in response.json()["detail"]
    assert not Job.objects.exists()


def test_it_answers_413_with_a_message_for_a_form_over_djangos_limit(analyst):
    """A page's form over DATA_UPLOAD_MAX_MEMORY_SIZE: a 413 page saying the limit, before the
    CSRF check reads the body (it used to be Django's bare "Bad Request (400)")."""
    client = Client(raise_request_exception=False)
    client.force_login(analyst)
    body = "note=" + "x" * (5 * 1024 * 1024)
    response = client.post("/actors/new/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    html = response.content.decode()
    assert "The request is too large" in html and "4,194,304 bytes (4 MB)" in html
    api = APIClient()
    api.force_authenticate(analyst)
    response = api.post("/api/actors/", body, content_type="application/json")
    assert response.status_code == 413 and "limit here is 4,194,304" in response.json()["detail"]
