"""Undo (statements/services/undo.py): a deleted statement comes back with its id, conditions,
verdicts, comments and links; the last edit is taken back; both refuse when something happened
since, and both are in the history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from statements import services
from statements.models import Comment, EventAction, Review, Statement, StatementEvent
from statements.services.adjudication import unit_dismiss
from statements.services.undo import statement_restore, statement_undo
from tests.factories import ActorFactory, ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(analyst, other_analyst, lead):
    """Amira's statement with a condition (with evidence), Ben's verdict and two comments."""
    putin = ActorFactory(name="Vladimir Putin")
    article = ArticleFactory()
    ev = article.text.index("cease hostilities")
    statement = StatementFactory(
        article=article,
        user=analyst,
        quote="We agree with the proposals to cease hostilities",
        stance="caveat",
        speaker=putin.pk,
        note="First try",
        conditions=[
            {"description": "Root causes"},
            {
                "description": "Hostilities cease",
                "evidence_start": ev,
                "evidence_end": ev + len("cease hostilities"),
                "evidence_quote": "cease hostilities",
            },
        ],
    )
    review = services.statement_review(
        statement=statement, reviewer=other_analyst, verdict="request_changes", comment="Speaker?"
    )
    c1 = services.comment_add(statement=statement, author=other_analyst, body="Is it Putin?")
    c2 = services.comment_add(statement=statement, author=analyst, body="Yes, he said it.")
    return {"statement": statement, "review": review, "comments": [c1, c2], "putin": putin}


def _state(statement):
    s = Statement.objects.get(pk=statement.pk)
    return (
        s.start,
        s.end,
        s.quote,
        s.stance,
        s.speaker_id,
        s.note,
        s.status,
        s.annotator_id,
        s.created_at,
        [(c.description, c.evidence_start, c.evidence_end, c.evidence_quote) for c in s.conditions.all()],
    )


def test_a_deleted_statement_comes_back_with_its_id_reviews_and_comments(analyst, reviewed):
    statement = reviewed["statement"]
    state = _state(statement)
    reviews = list(
        Review.objects.filter(statement=statement).values_list(
            "pk", "reviewer", "verdict", "comment", "created_at"
        )
    )
    comments = list(
        Comment.objects.filter(statement=statement).values_list("pk", "author", "body", "created_at")
    )
    services.statement_delete(statement=statement, user=analyst)
    assert not Statement.objects.filter(pk=statement.pk).exists() and not Review.objects.exists()

    restored = statement_restore(ref=statement.pk, user=analyst)

    assert restored.pk == statement.pk
    assert _state(restored) == state
    assert restored.version == statement.version + 1  # an edit form still open on it is stale
    assert (
        list(
            Review.objects.filter(statement=restored).values_list(
                "pk", "reviewer", "verdict", "comment", "created_at"
            )
        )
        == reviews
    )
    assert (
        list(Comment.objects.filter(statement=restored).values_list("pk", "author", "body", "created_at"))
        == comments
    )
    last = StatementEvent.objects.filter(statement_ref=statement.pk).order_by("-id").first()
    assert last.action == EventAction.CREATED and last.before["restored_from"]
    assert last.statement_id == statement.pk
    # the history keeps everything: created, reviewed, deleted, restored
    actions = list(
        StatementEvent.objects.filter(statement_ref=statement.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["created", "reviewed", "deleted", "created"]


def test_restoring_twice_or_a_live_statement_is_refused(analyst, reviewed):
    statement = reviewed["statement"]
    with pytest.raises(ValidationError, match="not deleted"):
        statement_restore(ref=statement.pk, user=analyst)
    services.statement_delete(statement=statement, user=analyst)
    statement_restore(ref=statement.pk, user=analyst)
    with pytest.raises(ValidationError, match="not deleted"):
        statement_restore(ref=statement.pk, user=analyst)
    with pytest.raises(ValidationError, match="no such statement"):
        statement_restore(ref=99_999_999, user=analyst)


def test_only_who_could_edit_it_restores_it(analyst, other_analyst, lead, viewer, reviewed):
    statement = reviewed["statement"]
    services.statement_delete(statement=statement, user=analyst)
    for user in (other_analyst, viewer):
        with pytest.raises(PermissionDenied):
            statement_restore(ref=statement.pk, user=user)
    assert statement_restore(ref=statement.pk, user=lead).annotator == analyst  # a lead may; it stays Amira's


def test_a_stale_undo_button_is_refused(analyst, reviewed):
    statement = reviewed["statement"]
    services.statement_delete(statement=statement, user=analyst)
    deletion = StatementEvent.objects.get(statement_ref=statement.pk, action="deleted")
    with pytest.raises(ValidationError, match="changed since"):
        statement_restore(ref=statement.pk, user=analyst, event=deletion.pk + 1000)
    assert statement_restore(ref=statement.pk, user=analyst, event=deletion.pk).pk == statement.pk


def test_a_restored_source_gets_its_gold_link_and_dismissal_back(lead, double_annotated):
    d = double_annotated
    gold = services.gold_accept_agreed(article=d["article"], user=lead)[0]
    source = gold.adjudicated_from.order_by("pk").first()
    services.statement_delete(statement=source, user=lead)
    assert gold.adjudicated_from.count() == 1
    statement_restore(ref=source.pk, user=lead)
    assert source.pk in set(gold.adjudicated_from.values_list("pk", flat=True))

    dismissed = unit_dismiss(
        article=d["article"], user=lead, sources=[d["alone_a"]], reason="reported speech"
    )
    services.statement_delete(statement=d["alone_a"], user=lead)
    statement_restore(ref=d["alone_a"].pk, user=lead)
    assert list(dismissed.statements.values_list("pk", flat=True)) == [d["alone_a"].pk]
    assert not Statement.objects.awaiting_review().filter(pk=d["alone_a"].pk).exists()


def test_a_statement_whose_text_changed_under_it_does_not_come_back(analyst, reviewed):
    statement = reviewed["statement"]
    services.statement_delete(statement=statement, user=analyst)
    deletion = StatementEvent.objects.get(statement_ref=statement.pk, action="deleted")
    deletion.before = {
        **deletion.before,
        "quote": "something else entirely at this place!!"[: statement.end - statement.start],
    }
    deletion.save()
    with pytest.raises(ValidationError, match="text changed"):
        statement_restore(ref=statement.pk, user=analyst)
    assert not Statement.objects.filter(pk=statement.pk).exists()


def test_the_last_edit_is_undone_with_the_status_it_reset(analyst, other_analyst, reviewed):
    statement = reviewed["statement"]
    before = _state(statement)
    assert before[6] == "changes_requested"
    trump = ActorFactory(name="Donald Trump")
    services.statement_update(
        statement=statement, user=analyst, stance="demand", speaker=trump.pk, note="Second try", conditions=[]
    )
    assert Statement.objects.get(pk=statement.pk).status == "pending"

    undone = statement_undo(statement=statement, user=analyst)

    assert _state(undone) == before  # span, stance, speaker, note, conditions and the status
    event = StatementEvent.objects.filter(statement_ref=statement.pk).order_by("-id").first()
    assert event.action == "updated" and event.after["undo_of"] and event.user == analyst
    # an undo is not undone again, and there is nothing older to undo
    with pytest.raises(ValidationError, match="Nothing to undo"):
        statement_undo(statement=undone, user=analyst)


def test_an_edit_is_not_undone_after_someone_else_acted(analyst, other_analyst, lead, reviewed):
    statement = reviewed["statement"]
    services.statement_update(statement=statement, user=analyst, note="Second try")
    services.statement_review(statement=statement, reviewer=other_analyst, verdict="accept")
    with pytest.raises(ValidationError, match="Nothing to undo"):
        statement_undo(statement=statement, user=analyst)
    services.statement_update(statement=Statement.objects.get(pk=statement.pk), user=lead, note="Lead's")
    with pytest.raises(ValidationError, match="Nothing to undo"):  # the lead's edit is the lead's to undo
        statement_undo(statement=statement, user=analyst)
    with pytest.raises(PermissionDenied):
        statement_undo(statement=statement, user=other_analyst)
    assert Statement.objects.get(pk=statement.pk).note == "Lead's"
    assert statement_undo(statement=statement, user=lead).note == "Second try"
