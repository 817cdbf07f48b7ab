"""Suggestions in the API (#11): GET for anyone who may read the article, accept / reject /
accept-above with their permissions, blind mode, bad input as 4xx, query counts, pre-annotation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from statements.models import ArticleAssignment, Decision, Job, Role, Statement, SuggestionDecision, User
from tests.factories import ProjectFactory, StatementFactory, UserFactory
from tests.suggestions.helpers import MUST, OLSEN, WELCOME, article, registry, sid

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc():
    registry()
    return article()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(name: str, doc) -> str:
    return reverse(name, args=[doc.pk])


def test_it_lists_suggestions_for_anyone_who_may_read_the_article(doc, analyst, viewer, lead):
    for user in (analyst, viewer, lead):
        response = client_for(user).get(url("api-suggestions", doc))
        assert response.status_code == 200
        ids = [s["id"] for s in response.json()]
        assert sid(WELCOME) in ids and sid(MUST) in ids
    first = client_for(analyst).get(url("api-suggestions", doc)).json()[0]
    assert set(first) >= {
        "id", "start", "end", "quote", "direct", "speaker", "speaker_name", "new_speaker", "anonymous",
        "speaker_mention", "addressee", "stance", "conditions", "score", "why", "rule", "engine_version",
    }  # fmt: skip


def test_it_hides_another_projects_article_and_refuses_anonymous_callers(doc):
    outsider = UserFactory(role=Role.LEAD, role__project=ProjectFactory())
    assert client_for(outsider).get(url("api-suggestions", doc)).status_code == 404
    assert (
        client_for(outsider).post(url("api-suggestion-reject", doc), {"suggestion": sid(WELCOME)}).status_code
        == 404
    )
    assert APIClient().get(url("api-suggestions", doc)).status_code == 401
    assert (
        APIClient().post(url("api-suggestion-accept", doc), {"suggestion": sid(WELCOME)}).status_code == 401
    )


def test_it_accepts_a_suggestion_through_the_api(doc, analyst):
    response = client_for(analyst).post(
        url("api-suggestion-accept", doc), {"suggestion": sid(MUST)}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["quote"] == MUST and body["stance"] == "demand" and body["speaker_name"] == "Anna Kovac"
    assert len(body["conditions"]) == 2
    statement = Statement.objects.get(pk=body["id"])
    assert statement.suggestion_decision.decision == Decision.ACCEPTED
    ids = [s["id"] for s in client_for(analyst).get(url("api-suggestions", doc)).json()]
    assert sid(MUST) not in ids


def test_it_accepts_with_edits_and_records_the_change(doc, analyst):
    start = doc.text.index("We welcome the talks")
    edits = {"start": start, "end": start + len("We welcome the talks"), "quote": "We welcome the talks"}
    response = client_for(analyst).post(
        url("api-suggestion-accept", doc), {"suggestion": sid(WELCOME), "edits": edits}, format="json"
    )
    assert response.status_code == 201, response.json()
    decision = SuggestionDecision.objects.get()
    assert decision.decision == Decision.CHANGED and decision.quote == WELCOME
    assert decision.statement.quote == "We welcome the talks"


def test_it_creates_the_new_speaker_when_asked(doc, analyst):
    response = client_for(analyst).post(
        url("api-suggestion-accept", doc), {"suggestion": sid(OLSEN), "create_speaker": True}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["speaker_name"] == "Marta Olsen"


def test_it_rejects_and_records_who_and_which_rule(doc, analyst):
    response = client_for(analyst).post(
        url("api-suggestion-reject", doc), {"suggestion": sid(WELCOME)}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {"suggestion": sid(WELCOME), "decision": "rejected", "rule": "direct"}
    decision = SuggestionDecision.objects.get()
    assert (decision.user, decision.decision, decision.quote) == (analyst, Decision.REJECTED, WELCOME)
    again = client_for(analyst).post(
        url("api-suggestion-reject", doc), {"suggestion": sid(WELCOME)}, format="json"
    )
    assert again.status_code == 400 and "not offered any more" in str(again.json())


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"suggestion": ""},
        {"suggestion": "3-4"},
        {"suggestion": "x" * 200},
        {"suggestion": "SID", "edits": {"stance": "angry"}},
        {"suggestion": "SID", "edits": {"colour": "red"}},
        {"suggestion": "SID", "edits": {"start": "soon"}},
        {"suggestion": "SID", "edits": "not an object"},
        {"suggestion": "SID", "edits": {"conditions": [{"nope": 1}]}},
    ],
)
def test_it_answers_bad_input_with_400_and_stores_nothing(doc, analyst, payload):
    payload = {k: (sid(WELCOME) if v == "SID" else v) for k, v in payload.items()}
    response = client_for(analyst).post(url("api-suggestion-accept", doc), payload, format="json")
    assert response.status_code == 400, response.content
    assert not Statement.objects.exists() and not SuggestionDecision.objects.exists()


def test_it_refuses_decisions_to_viewers(doc, viewer):
    for name in ("api-suggestion-accept", "api-suggestion-reject"):
        response = client_for(viewer).post(url(name, doc), {"suggestion": sid(WELCOME)}, format="json")
        assert response.status_code == 403
    assert not SuggestionDecision.objects.exists()


def test_it_never_reveals_another_analysts_statements_in_blind_mode(doc, analyst, other_analyst):
    ArticleAssignment.objects.create(article=doc, analyst=analyst)
    before = client_for(analyst).get(url("api-suggestions", doc)).json()
    StatementFactory(article=doc, user=other_analyst, quote="welcome the talks")
    client_for(other_analyst).post(
        url("api-suggestion-reject", doc), {"suggestion": sid(MUST)}, format="json"
    )
    assert client_for(analyst).get(url("api-suggestions", doc)).json() == before
    # the other analyst's own view does hide what they did
    theirs = [s["id"] for s in client_for(other_analyst).get(url("api-suggestions", doc)).json()]
    assert sid(WELCOME) not in theirs and sid(MUST) not in theirs


def test_it_lets_only_a_lead_accept_all_above_a_score(doc, lead, analyst):
    refused = client_for(analyst).post(
        url("api-suggestion-accept-above", doc), {"min_score": 0.8}, format="json"
    )
    assert refused.status_code == 403
    bad = client_for(lead).post(url("api-suggestion-accept-above", doc), {"min_score": 2}, format="json")
    assert bad.status_code == 400
    response = client_for(lead).post(
        url("api-suggestion-accept-above", doc), {"min_score": 0.8}, format="json"
    )
    assert response.status_code == 201
    assert sorted(s["quote"] for s in response.json()) == sorted([WELCOME, MUST, OLSEN])


def test_it_starts_a_preannotation_job_for_a_lead(doc, lead, analyst):
    project_url = reverse("api-preannotate", args=[doc.project_id])
    assert client_for(analyst).post(project_url).status_code == 403
    response = client_for(lead).post(project_url)
    assert response.status_code == 202
    job = Job.objects.get()
    assert response.json() == {"job": job.pk, "url": f"http://testserver/api/jobs/{job.pk}/"}
    assert job.kind == "preannotate" and job.status == "done" and job.result["articles"] == 1
    outsider = UserFactory(role=Role.LEAD, role__project=ProjectFactory())
    assert client_for(outsider).post(project_url).status_code == 404


def test_it_lists_suggestions_in_a_fixed_number_of_queries(
    doc, analyst, other_analyst, django_assert_num_queries
):
    for quote in ("urged Kestria", "A senior official"):
        StatementFactory(article=doc, user=analyst, quote=quote)
    client_for(other_analyst).post(
        url("api-suggestion-reject", doc), {"suggestion": sid(MUST)}, format="json"
    )
    client = client_for(User.objects.get(pk=analyst.pk))  # memberships not read yet
    # the article, the memberships, actors, aliases, the suggestion set, my spans, my decisions
    with django_assert_num_queries(7):
        response = client.get(url("api-suggestions", doc))
    assert response.status_code == 200
