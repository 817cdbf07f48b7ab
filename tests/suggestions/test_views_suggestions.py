"""Suggestions on the Annotate page (#11): the bar (for whom, with what), accepting through the
tagging form (as is, changed, refused), the page's query count with the bar."""

from __future__ import annotations

import pytest
from django.urls import reverse

from statements.models import Decision, Role, Statement, SuggestionDecision
from tests.factories import ProjectFactory, UserFactory
from tests.suggestions.helpers import MUST, OLSEN, WELCOME, article, registry, sid

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true", "HX-Target": "tagger-form"}


@pytest.fixture
def world():
    actors = registry()
    return {"doc": article(), **actors}


def tagger_post(doc, quote, stance, *, speaker="", addressee="", conditions=(), **extra):
    start = doc.text.index(quote)  # the helpers' text is in the Basic Multilingual Plane: u16 == code points
    return {
        "start_u16": start,
        "end_u16": start + len(quote),
        "quote": quote,
        "stance": stance,
        "speaker": speaker,
        "addressee": addressee,
        "note": "",
        "condition": [c[0] for c in conditions],
        "condition_id": ["" for _ in conditions],
        "condition_ev_start": [c[1] for c in conditions],
        "condition_ev_end": [c[2] for c in conditions],
        "condition_ev_quote": [c[3] for c in conditions],
        **extra,
    }


def must_conditions(doc):
    out = []
    for description, evidence in (
        ("Pull back its fleet before any meeting", "pull back its fleet before any meeting"),
        ("Before any meeting", "before any meeting"),
    ):
        start = doc.text.index(evidence)
        out.append((description, str(start), str(start + len(evidence)), evidence))
    return out


def test_it_shows_the_suggestions_bar_with_the_rights_of_each_role(client, world, analyst, viewer, lead):
    url = world["doc"].get_absolute_url()
    client.force_login(analyst)
    page = client.get(url).content.decode()
    assert 'id="suggestions"' in page and "data-can-decide" in page and "data-suggest-accept-all" not in page
    assert reverse("api-suggestions", args=[world["doc"].pk]) in page and "js/suggest.js" in page
    client.force_login(viewer)
    page = client.get(url).content.decode()
    assert 'id="suggestions"' in page and "data-can-decide" not in page and "data-suggest-accept" not in page
    client.force_login(lead)
    assert "data-suggest-accept-all" in client.get(url).content.decode()


def test_it_accepts_a_suggestion_unchanged_through_the_tagging_form(client, world, analyst):
    doc = world["doc"]
    client.force_login(analyst)
    payload = tagger_post(
        doc,
        MUST,
        "demand",
        speaker=world["kovac"].pk,
        addressee=world["kestria"].pk,
        conditions=must_conditions(doc),
        suggestion=sid(MUST),
    )
    response = client.post(reverse("statement_create", args=[doc.pk]), payload, headers=HX)
    assert response.status_code == 200
    assert "Suggestion accepted." in response.headers["HX-Trigger"]
    statement = Statement.objects.get()
    assert statement.suggestion_decision.decision == Decision.ACCEPTED


def test_it_records_a_change_made_in_the_tagging_form(client, world, analyst):
    doc = world["doc"]
    client.force_login(analyst)
    payload = tagger_post(doc, WELCOME, "caveat", speaker=world["kovac"].pk, suggestion=sid(WELCOME))
    assert client.post(reverse("statement_create", args=[doc.pk]), payload, headers=HX).status_code == 200
    assert Statement.objects.get().suggestion_decision.decision == Decision.CHANGED


def test_it_creates_the_new_speaker_from_the_tagging_form(client, world, analyst):
    doc = world["doc"]
    client.force_login(analyst)
    ev = doc.text.index("only if the blockade ends")
    conditions = [("Only if the blockade ends", str(ev), str(ev + 25), "only if the blockade ends")]
    payload = tagger_post(
        doc, OLSEN, "caveat", conditions=conditions, suggestion=sid(OLSEN), create_speaker="1"
    )
    assert client.post(reverse("statement_create", args=[doc.pk]), payload, headers=HX).status_code == 200
    statement = Statement.objects.get()
    assert statement.speaker.name == "Marta Olsen"
    assert statement.suggestion_decision.decision == Decision.ACCEPTED


def test_it_refuses_a_suggestion_no_longer_offered_with_the_form_and_a_message(client, world, analyst):
    doc = world["doc"]
    client.force_login(analyst)
    payload = tagger_post(doc, WELCOME, "support", speaker=world["kovac"].pk, suggestion=sid(WELCOME))
    assert client.post(reverse("statement_create", args=[doc.pk]), payload, headers=HX).status_code == 200
    again = client.post(reverse("statement_create", args=[doc.pk]), payload, headers=HX)
    assert again.status_code == 422
    assert "not offered any more" in again.content.decode()
    assert Statement.objects.count() == 1 and SuggestionDecision.objects.count() == 1
    invented = client.post(
        reverse("statement_create", args=[doc.pk]), {**payload, "suggestion": "1-2"}, headers=HX
    )
    assert invented.status_code == 422 and Statement.objects.count() == 1


def test_it_refuses_viewers_and_analysts_of_other_projects(client, world, viewer):
    doc = world["doc"]
    payload = tagger_post(doc, WELCOME, "support", suggestion=sid(WELCOME))
    client.force_login(viewer)
    assert client.post(reverse("statement_create", args=[doc.pk]), payload, headers=HX).status_code == 403
    client.force_login(UserFactory(role=Role.ANALYST, role__project=ProjectFactory()))
    assert client.post(reverse("statement_create", args=[doc.pk]), payload, headers=HX).status_code == 404
    assert not SuggestionDecision.objects.exists()
