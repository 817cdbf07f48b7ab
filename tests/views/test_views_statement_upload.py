"""The project's statement upload page: the form, the job it starts (run at once by the
immediate backend in tests) and its page with the result or the problems; who may use it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from statements.models import Actor, Job, JobStatus, Role, Statement
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "formats"  # copies of ../shared/formats


@pytest.fixture
def project():
    return ProjectFactory(name="Uploads")


def url(project):
    return reverse("project_statement_upload", args=[project.slug])


def test_it_shows_the_form_to_analysts_and_links_it_from_the_article_upload(client, project):
    client.force_login(UserFactory(username="ana", role=Role.ANALYST, role__project=project))
    page = client.get(url(project)).content.decode()
    assert 'name="file"' in page and "label-studio" in page and 'name="unknown_speakers"' in page
    assert url(project) in client.get(reverse("project_upload", args=[project.slug])).content.decode()


def test_it_imports_through_a_job_and_shows_its_result(client, project):
    analyst = UserFactory(username="ana", role=Role.ANALYST, role__project=project)
    client.force_login(analyst)
    upload = SimpleUploadedFile("ls.json", (EXAMPLES / "label_studio_export.json").read_bytes())
    response = client.post(url(project), {"file": upload, "format": "", "unknown_speakers": "create"})
    job = Job.objects.get(kind="import_statements")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == JobStatus.DONE and job.result["statements"] == 3
    assert job.user == analyst and job.project == project
    assert Statement.objects.filter(article__project=project).count() == 3
    assert Actor.objects.filter(name="Ana Díaz").exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "statements" in page


def test_it_lists_the_problems_on_the_job_page_and_stores_nothing(client, project):
    client.force_login(UserFactory(username="ana", role=Role.ANALYST, role__project=project))
    bad = json.dumps({"text": "short <b>text</b>", "label": [[0, 99, "support"]]}).encode()
    client.post(url(project), {"file": SimpleUploadedFile("bad.jsonl", bad), "format": "doccano"})
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and any("line 1" in e for e in job.errors)
    assert Statement.objects.count() == 0
    page = client.get(job.get_absolute_url()).content.decode()
    assert "line 1" in page and "<b>text</b>" not in page


def test_it_refuses_bad_choices_with_422_and_no_job(client, project):
    client.force_login(UserFactory(username="ana", role=Role.ANALYST, role__project=project))
    upload = SimpleUploadedFile("x.json", b"[]")
    for data in (
        {"format": "conll", "file": upload},
        {"unknown_speakers": "maybe", "file": SimpleUploadedFile("x.json", b"[]")},
        {"stance_map": "Pro=positive", "file": SimpleUploadedFile("x.json", b"[]")},
        {},
    ):
        response = client.post(url(project), data)
        assert response.status_code == 422 and "Nothing was imported" in response.content.decode()
    assert Job.objects.count() == 0


def test_it_is_for_analysts_and_leads_of_the_project_only(client, project):
    viewer = UserFactory(username="vi", role=Role.VIEWER, role__project=project)
    outsider = UserFactory(username="out", role=Role.LEAD)
    upload = (EXAMPLES / "doccano_sequence_labeling.jsonl").read_bytes()
    client.force_login(viewer)
    assert client.get(url(project)).status_code == 403
    assert client.post(url(project), {"file": SimpleUploadedFile("d.jsonl", upload)}).status_code == 403
    client.force_login(outsider)
    assert client.get(url(project)).status_code == 404
    assert client.post(url(project), {"file": SimpleUploadedFile("d.jsonl", upload)}).status_code == 404
    assert Job.objects.count() == 0 and Statement.objects.count() == 0
    client.logout()
    assert "/accounts/login/" in client.get(url(project))["Location"]


def test_it_refuses_an_archived_project(client, project):
    client.force_login(UserFactory(username="lead", role=Role.LEAD, role__project=project))
    project.archived = True
    project.save()
    assert "archived" in client.get(url(project)).content.decode()
    upload = SimpleUploadedFile("d.jsonl", (EXAMPLES / "doccano_sequence_labeling.jsonl").read_bytes())
    response = client.post(url(project), {"file": upload})
    assert response.status_code == 422 and Job.objects.count() == 0
