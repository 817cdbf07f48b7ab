"""The upload page hands more than article_import_job.INLINE_MAX_BYTES of files to a background
job (#13, item 7) and sends the browser to the job's page, which shows the outcome per file."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from statements.data.article_import_job import INLINE_MAX_BYTES
from statements.models import Article, Job, JobStatus
from tests.factories import UserFactory, default_project

pytestmark = pytest.mark.django_db

PARAGRAPH = "The delegations met again in Geneva and talked until late. " * 20


def _upload_url(project):
    return reverse("project_upload", args=[project.slug])


def test_it_imports_a_big_json_lines_file_in_a_job(client):
    project = default_project()
    analyst = UserFactory(role="analyst", role__project=project)
    lines = "\n".join(json.dumps({"title": f"Report {i}", "text": f"{i}. {PARAGRAPH}"}) for i in range(1000))
    assert len(lines.encode()) > INLINE_MAX_BYTES
    client.force_login(analyst)
    response = client.post(_upload_url(project), {"files": [SimpleUploadedFile("big.jsonl", lines.encode())]})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.DONE and job.kind == "import_articles" and job.payload_name == "big.jsonl"
    assert job.result["created"] == 1000
    assert Article.objects.filter(project=project).count() == 1000
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200


def test_it_names_the_text_files_in_the_jobs_result_and_errors(client):
    project = default_project()
    analyst = UserFactory(role="analyst", role__project=project)
    big = (PARAGRAPH * 60).encode()  # ~70 KB each, 16 of them
    files = [SimpleUploadedFile(f"talks_day_{i}.txt", big + str(i).encode()) for i in range(16)]
    files.append(SimpleUploadedFile("blank.txt", b"   "))
    client.force_login(analyst)
    response = client.post(_upload_url(project), {"files": files}, headers={"HX-Request": "true"})
    job = Job.objects.get()
    assert response["HX-Redirect"] == job.get_absolute_url()
    assert job.status == JobStatus.FAILED
    assert any(e.startswith("blank.txt: text:") for e in job.errors), job.errors
    assert not Article.objects.filter(project=project).exists()

    files.pop()
    for f in files:
        f.seek(0)
    client.post(_upload_url(project), {"files": files})
    job = Job.objects.latest("pk")
    assert job.status == JobStatus.DONE and job.result["created"] == 16
    report = json.loads(bytes(job.output))
    assert report["articles"][0]["item"] == "talks_day_0.txt" and job.output_name == "import-report.json"
    assert Article.objects.filter(project=project, title="talks day 3").exists()


def test_it_keeps_small_uploads_inline_and_refuses_viewers(client):
    project = default_project()
    viewer = UserFactory(role="viewer", role__project=project)
    analyst = UserFactory(role="analyst", role__project=project)
    client.force_login(analyst)
    response = client.post(_upload_url(project), {"files": [SimpleUploadedFile("a.txt", b"Short text.")]})
    assert response.status_code == 200 and not Job.objects.exists()
    client.force_login(viewer)
    big = SimpleUploadedFile("big.json", json.dumps([{"title": "t", "text": PARAGRAPH * 1000}]).encode())
    assert client.post(_upload_url(project), {"files": [big]}).status_code == 403
    assert not Job.objects.exists()
