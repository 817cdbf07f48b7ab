"""Suggestions in the product (#11), the services: accept (unchanged, changed, a new speaker),
reject, a lead's accept-above, what is hidden, provenance in the history, pre-annotation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from statements.models import (
    Actor,
    ArticleAssignment,
    Decision,
    EventAction,
    Job,
    JobStatus,
    Role,
    StatementEvent,
    SuggestionDecision,
    SuggestionSet,
)
from statements.presenters.history import describe_event
from statements.selectors import suggestions as reads
from statements.services import suggestions as svc
from statements.suggestions import ENGINE_VERSION
from tests.factories import StatementFactory, UserFactory
from tests.suggestions.helpers import MUST, OLSEN, TEXT, WELCOME, article, registry, sid

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors():
    return registry()


@pytest.fixture
def doc(actors):
    return article()


def offered_ids(doc, user):
    return [s["id"] for s in reads.offered_suggestions(doc, user)]


def test_it_offers_the_engines_suggestions_with_names(doc, analyst, actors):
    offered = reads.offered_suggestions(doc, analyst)
    welcome = next(s for s in offered if s["quote"] == WELCOME)
    assert welcome["id"] == sid(WELCOME)
    assert welcome["speaker"] == actors["kovac"].pk and welcome["speaker_name"] == "Anna Kovac"
    assert welcome["stance"] == "support" and welcome["rule"] == "direct"
    assert welcome["engine_version"] == ENGINE_VERSION
    for s in offered:
        assert TEXT[s["start"] : s["end"]] == s["quote"]


def test_it_accepts_a_suggestion_unchanged_as_a_real_statement(doc, analyst, actors):
    statement = svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(MUST))
    assert statement.quote == MUST and statement.annotator == analyst
    assert statement.stance == "demand"
    assert statement.speaker == actors["kovac"] and statement.addressee == actors["kestria"]
    assert [c.description for c in statement.conditions.all()] == [
        "Pull back its fleet before any meeting",
        "Before any meeting",
    ]
    assert statement.conditions.first().evidence_quote == "pull back its fleet before any meeting"
    decision = statement.suggestion_decision
    assert decision.decision == Decision.ACCEPTED and not decision.changed
    assert decision.rule == "direct" and decision.engine_version == ENGINE_VERSION
    assert decision.score == pytest.approx(0.85)
    assert sid(MUST) not in offered_ids(doc, analyst)


def test_it_records_a_change_made_before_accepting(doc, analyst):
    statement = svc.suggestion_accept(
        article=doc, user=analyst, suggestion=sid(WELCOME), edits={"stance": "caveat", "note": "hedged"}
    )
    assert statement.stance == "caveat" and statement.note == "hedged"
    assert statement.suggestion_decision.decision == Decision.CHANGED
    # a note alone is the analyst's own and is no change of the suggestion
    other = svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(MUST), edits={"note": "firm"})
    assert other.suggestion_decision.decision == Decision.ACCEPTED


def test_it_marks_the_history_entry_as_an_accepted_suggestion(doc, analyst):
    statement = svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(WELCOME))
    event = StatementEvent.objects.get(statement=statement, action=EventAction.CREATED)
    assert event.after["suggestion"] == {
        "origin": "suggestion",
        "rule": "direct",
        "score": 0.9,
        "engine_version": ENGINE_VERSION,
        "changed": False,
    }
    assert describe_event(event).suggestion_label == "accepted a suggestion (score 0.90)"


def test_it_creates_the_suggested_new_speaker_when_asked(doc, analyst):
    offered = {s["id"]: s for s in reads.offered_suggestions(doc, analyst)}
    assert offered[sid(OLSEN)]["new_speaker"] == {"name": "Marta Olsen", "kind": "person"}
    statement = svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(OLSEN), create_speaker=True)
    assert statement.speaker.name == "Marta Olsen" and statement.speaker.kind == "person"
    assert statement.suggestion_decision.decision == Decision.ACCEPTED
    # the registry now knows her: a second analyst is offered her as a speaker
    again = {s["id"]: s for s in reads.offered_suggestions(doc, UserFactory(role=Role.ANALYST))}
    assert again[sid(OLSEN)]["speaker"] == statement.speaker_id
    assert Actor.objects.filter(name="Marta Olsen").count() == 1


def test_it_accepts_without_creating_the_new_speaker_by_default(doc, analyst):
    statement = svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(OLSEN))
    assert statement.speaker is None
    assert not Actor.objects.filter(name="Marta Olsen").exists()


def test_it_records_a_rejection_and_never_offers_it_again(doc, analyst):
    decision = svc.suggestion_reject(article=doc, user=analyst, suggestion=sid(WELCOME))
    assert decision.decision == Decision.REJECTED and decision.statement is None
    assert decision.quote == WELCOME and decision.user == analyst and decision.rule == "direct"
    assert sid(WELCOME) not in offered_ids(doc, analyst)
    with pytest.raises(ValidationError, match="not offered any more"):
        svc.suggestion_reject(article=doc, user=analyst, suggestion=sid(WELCOME))
    with pytest.raises(ValidationError, match="not offered any more"):
        svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(WELCOME))
    assert SuggestionDecision.objects.count() == 1


def test_it_hides_suggestions_overlapping_the_users_own_statements(doc, analyst):
    StatementFactory(article=doc, user=analyst, quote="welcome the talks")
    assert sid(WELCOME) not in offered_ids(doc, analyst)
    assert sid(MUST) in offered_ids(doc, analyst)


def test_it_never_reveals_another_analysts_statements_or_decisions(doc, analyst, other_analyst):
    ArticleAssignment.objects.create(article=doc, analyst=analyst)  # blind on this article
    before = reads.offered_suggestions(doc, analyst)
    StatementFactory(article=doc, user=other_analyst, quote="welcome the talks")
    svc.suggestion_reject(article=doc, user=other_analyst, suggestion=sid(MUST))
    svc.suggestion_accept(article=doc, user=other_analyst, suggestion=sid(OLSEN))
    assert reads.offered_suggestions(doc, analyst) == before


def test_it_refuses_unknown_or_invented_suggestions(doc, analyst):
    for key in ("", "1-2", "nonsense", sid(WELCOME).replace("-", "-9")):
        with pytest.raises(ValidationError):
            svc.suggestion_accept(article=doc, user=analyst, suggestion=key)
    assert not SuggestionDecision.objects.exists()


def test_it_refuses_bad_edits_and_keeps_nothing(doc, analyst):
    with pytest.raises(ValidationError) as caught:
        svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(WELCOME), edits={"stance": "angry"})
    assert "stance" in caught.value.message_dict
    with pytest.raises(ValidationError):
        svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(WELCOME), edits={"colour": "red"})
    assert not SuggestionDecision.objects.exists()
    assert sid(WELCOME) in offered_ids(doc, analyst)


def test_it_lets_viewers_read_but_not_decide(doc, viewer):
    assert sid(WELCOME) in offered_ids(doc, viewer)
    with pytest.raises(PermissionDenied):
        svc.suggestion_accept(article=doc, user=viewer, suggestion=sid(WELCOME))
    with pytest.raises(PermissionDenied):
        svc.suggestion_reject(article=doc, user=viewer, suggestion=sid(WELCOME))


def test_it_lets_a_lead_accept_all_above_a_score(doc, lead, analyst):
    statements = svc.suggestions_accept_above(article=doc, user=lead, min_score=0.8)
    assert sorted(s.quote for s in statements) == sorted([WELCOME, MUST, OLSEN])
    assert all(
        s.annotator == lead and s.suggestion_decision.decision == Decision.ACCEPTED for s in statements
    )
    with pytest.raises(PermissionDenied):
        svc.suggestions_accept_above(article=doc, user=analyst, min_score=0.8)
    for bad in ("high", 1.5, -0.1, None):
        with pytest.raises(ValidationError):
            svc.suggestions_accept_above(article=doc, user=lead, min_score=bad)


def test_it_preannotates_a_project_in_a_background_job(
    doc, lead, analyst, actors, django_assert_max_num_queries
):
    job = svc.preannotate_start(project=doc.project, user=lead)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.errors
    assert job.result["articles"] == 1 and job.result["suggestions"] == len(reads.computed_suggestions(doc))
    stored = SuggestionSet.objects.get(article=doc)
    assert stored.engine_version == ENGINE_VERSION and stored.text_sha256 == doc.text_sha256
    # the page uses the stored set: no engine run (a stored item edited here shows through)
    stored.items[0]["why"] = ["stored"]
    stored.save()
    assert reads.computed_suggestions(doc)[0]["why"] == ["stored"]
    # a changed registry makes the stored set stale: computed afresh
    Actor.objects.create(name="Marta Olsen", kind="person")
    assert reads.computed_suggestions(doc)[0]["why"] != ["stored"]
    with pytest.raises(PermissionDenied):
        svc.preannotate_start(project=doc.project, user=analyst)
    assert Job.objects.count() == 1
