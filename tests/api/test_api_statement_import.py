"""POST /api/statements/import/: the file as the body, ?project=, the format guessed or named;
201 with the summary, 400 with every problem (nothing stored), 202 with a job for big files or
background=true; only analysts and leads of the project (viewers 403 whatever the body)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from statements.models import Article, Job, JobStatus, Membership, Role, Statement
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "formats"  # copies of ../shared/formats
URL = reverse("api-statement-import")


@pytest.fixture
def project():
    return ProjectFactory(name="Imports")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client, body: bytes | str, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    data = body.encode() if isinstance(body, str) else body
    return client.post(f"{URL}?{query}", data=data, content_type="application/octet-stream")


def doccano_line() -> str:
    text = "The minister said: we agree. The envoy said: we demand a vote."
    a, b = "we agree", "we demand a vote"
    return json.dumps(
        {
            "text": text,
            "label": [
                [text.index(a), text.index(a) + len(a), "support"],
                [text.index(b), text.index(b) + len(b), "demand"],
            ],
        }
    )


def test_it_imports_a_file_given_as_the_body(project):
    analyst = UserFactory(username="ana", role=Role.ANALYST, role__project=project)
    response = post(client_for(analyst), doccano_line(), project=project.slug)
    assert response.status_code == 201, response.content
    assert response.json()["statements"] == 2 and response.json()["articles_created"] == 1
    assert Statement.objects.filter(article__project=project, annotator=analyst).count() == 2


def test_it_imports_the_label_studio_example_with_speakers_created(project):
    lead = UserFactory(username="lead", role=Role.LEAD, role__project=project)
    body = (EXAMPLES / "label_studio_export.json").read_bytes()
    response = post(
        client_for(lead), body, project=project.pk, format="label-studio", unknown_speakers="create"
    )
    assert response.status_code == 201, response.content
    assert "Ana Díaz" in response.json()["speakers_created"]


def test_it_answers_every_problem_with_400_and_stores_nothing(project):
    analyst = UserFactory(username="ana", role=Role.ANALYST, role__project=project)
    bad = json.dumps({"text": "short", "label": [[0, 50, "support"], [3, 1, "demand"]]})
    response = post(
        client_for(analyst), doccano_line() + "\n" + bad + "\n", project=project.slug, format="doccano"
    )
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert len(problems) == 2 and all(p["location"].startswith("line 2") for p in problems)
    assert {"location", "field", "message"} <= set(problems[0])
    assert Statement.objects.count() == 0 and not Article.objects.filter(project=project).exists()
    unknown = post(
        client_for(analyst), (EXAMPLES / "label_studio_export.json").read_bytes(), project=project.slug
    )
    assert unknown.status_code == 400 and "Ana Díaz" in unknown.json()["unknown_speakers"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "conll"}, "format"),
        ({"unknown_speakers": "maybe"}, "unknown_speakers"),
        ({"stance_map": "nonsense"}, "stance_map"),
        ({"stance_map": "Pro=positive"}, "stance_map"),
        ({"background": "perhaps"}, "background"),
    ],
)
def test_it_refuses_bad_parameters_with_400(project, params, field):
    analyst = UserFactory(username="ana", role=Role.ANALYST, role__project=project)
    response = post(client_for(analyst), doccano_line(), project=project.slug, **params)
    assert response.status_code == 400 and field in response.json(), response.content
    assert Statement.objects.count() == 0


def test_it_refuses_an_empty_body_or_no_project(project):
    analyst = UserFactory(username="ana", role=Role.ANALYST, role__project=project)
    assert post(client_for(analyst), "", project=project.slug).status_code == 400
    assert "project" in post(client_for(analyst), doccano_line()).json()


def test_it_refuses_viewers_and_outsiders_whatever_the_body(project):
    viewer = UserFactory(username="vi", role=Role.VIEWER, role__project=project)
    outsider = UserFactory(username="out", role=Role.LEAD)  # leads another project
    for body in (doccano_line(), b"\x00\xff garbage", ""):
        assert post(client_for(viewer), body, project=project.slug).status_code == 403
        assert post(client_for(viewer), body, project=project.slug, background="true").status_code == 403
        response = post(client_for(outsider), body, project=project.slug)
        assert response.status_code == 400 and "There is no project" in response.json()["project"][0]
    assert Statement.objects.count() == 0 and Job.objects.count() == 0
    assert (
        APIClient().post(f"{URL}?project={project.slug}", data=b"x", content_type="text/plain").status_code
        == 401
    )


def test_it_refuses_an_archived_project(project):
    analyst = UserFactory(username="ana", role=Role.ANALYST, role__project=project)
    project.archived = True
    project.save()
    response = post(client_for(analyst), doccano_line(), project=project.slug)
    assert response.status_code == 400 and "archived" in response.json()["project"][0]


def test_it_hands_big_or_background_imports_to_a_job(project):
    analyst = UserFactory(username="ana", role=Role.ANALYST, role__project=project)
    response = post(
        client_for(analyst), doccano_line(), project=project.slug, background="true", format="doccano"
    )
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["job"])
    assert response.json()["url"].endswith(reverse("api-job-detail", args=[job.pk]))
    assert job.kind == "import_statements" and job.status == JobStatus.DONE  # the immediate backend ran it
    assert job.result["statements"] == 2 and job.payload is None
    shown = client_for(analyst).get(reverse("api-job-detail", args=[job.pk])).json()
    assert shown["status"] == "done" and shown["result"]["statements"] == 2
    # a body over the inline limit goes to a job without asking
    lines = []
    for who in ("Speaker", "Envoy", "Minister", "Aide"):
        for n in range(3500):
            text = f"{who} {n} said: we agree with plan {n}."
            lines.append(json.dumps({"text": text, "label": [[text.index("we"), len(text) - 1, "support"]]}))
    body = ("\n".join(lines) + "\n").encode()
    assert len(body) > 1024 * 1024
    response = post(client_for(analyst), body, project=project.slug)
    assert response.status_code == 202
    assert Job.objects.get(pk=response.json()["job"]).result["statements"] == 14_000


def test_it_reports_a_failed_job_with_the_problems(project):
    analyst = UserFactory(username="ana", role=Role.ANALYST, role__project=project)
    bad = json.dumps({"text": "short", "label": [[0, 50, "support"]]})
    response = post(client_for(analyst), bad, project=project.slug, background="1")
    job = Job.objects.get(pk=response.json()["job"])
    assert job.status == JobStatus.FAILED
    assert any("line 1" in e and "50" in e for e in job.errors)
    assert Statement.objects.count() == 0


def test_a_lead_of_the_project_may_import_into_it_with_a_token(project):
    lead = UserFactory(username="lead", role=Role.LEAD, role__project=project)
    from statements import services

    token, _ = services.token_issue(user=lead)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.post(
        f"{URL}?project={project.slug}", data=doccano_line().encode(), content_type="application/x-ndjson"
    )
    assert response.status_code == 201
    assert Membership.objects.filter(project=project, user=lead).exists()
