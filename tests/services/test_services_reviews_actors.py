"""Reviews, comments and actors through the services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from statements import services
from statements.models import Actor, ActorAlias, Comment, Review, Status
from statements.selectors import catalog
from tests.factories import ActorFactory, StatementFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_a_review_of_ones_own_statement(analyst):
    statement = StatementFactory(user=analyst)
    with pytest.raises(ValidationError) as exc:
        services.statement_review(statement=statement, reviewer=analyst, verdict="accept")
    assert exc.value.message_dict["statement"] == ["You cannot review your own statement."]
    assert Review.objects.count() == 0
    statement.refresh_from_db()
    assert statement.status == Status.PENDING


@pytest.mark.parametrize(
    ("verdict", "status"),
    [("accept", Status.ACCEPTED), ("reject", Status.REJECTED), ("request_changes", Status.CHANGES_REQUESTED)],
)
def test_the_status_follows_the_verdict(analyst, other_analyst, verdict, status):
    statement = StatementFactory(user=analyst)
    review = services.statement_review(
        statement=statement, reviewer=other_analyst, verdict=verdict, comment="why"
    )
    statement.refresh_from_db()
    assert statement.status == status
    assert review.statement_version == statement.version


def test_it_needs_a_comment_to_reject(analyst, other_analyst):
    statement = StatementFactory(user=analyst)
    with pytest.raises(ValidationError) as exc:
        services.statement_review(statement=statement, reviewer=other_analyst, verdict="reject")
    assert "comment" in exc.value.message_dict
    assert Review.objects.count() == 0


def test_it_rejects_an_unknown_verdict(analyst, other_analyst):
    statement = StatementFactory(user=analyst)
    with pytest.raises(ValidationError) as exc:
        services.statement_review(statement=statement, reviewer=other_analyst, verdict="maybe")
    assert "verdict" in exc.value.message_dict


def test_viewers_cannot_review(analyst, viewer):
    statement = StatementFactory(user=analyst)
    with pytest.raises(PermissionDenied):
        services.statement_review(statement=statement, reviewer=viewer, verdict="accept")
    assert Review.objects.count() == 0


def test_comments_need_a_body(analyst, other_analyst):
    statement = StatementFactory(user=analyst)
    with pytest.raises(ValidationError):
        services.comment_add(statement=statement, author=other_analyst, body="   ")
    comment = services.comment_add(statement=statement, author=other_analyst, body="Is this Putin or Peskov?")
    assert Comment.objects.get() == comment


def test_actor_names_are_unique_regardless_of_case(analyst):
    services.actor_create(user=analyst, name="Vladimir Putin", kind="person")
    with pytest.raises(ValidationError) as exc:
        services.actor_create(user=analyst, name="  vladimir   PUTIN ", kind="person")
    assert "already exists" in exc.value.message_dict["name"][0]
    assert Actor.objects.count() == 1


def test_aliases_are_cleaned_and_deduplicated(analyst):
    actor = services.actor_create(
        user=analyst, name="Russia", kind="state", aliases=["Moscow", "the  Kremlin", "moscow", "", "Russia"]
    )
    assert sorted(actor.alias_names) == ["Moscow", "the Kremlin"]


def test_it_finds_actors_by_alias(analyst):
    russia = services.actor_create(user=analyst, name="Russia", kind="state", aliases=["the Kremlin"])
    services.actor_create(user=analyst, name="Ukraine", kind="state", aliases=["Kyiv"])
    assert list(Actor.objects.search("kreml")) == [russia]
    assert catalog.actor_by_name("THE KREMLIN") == russia


def test_it_rejects_a_bad_kind_and_a_missing_affiliation(analyst):
    with pytest.raises(ValidationError) as exc:
        services.actor_create(user=analyst, name="X", kind="planet", affiliation=12345)
    assert set(exc.value.message_dict) == {"kind", "affiliation"}
    assert Actor.objects.count() == 0


def test_it_refuses_affiliation_cycles(lead):
    russia = ActorFactory(name="Russia", kind="state")
    putin = services.actor_create(user=lead, name="Putin", affiliation=russia)
    with pytest.raises(ValidationError):
        services.actor_update(actor=russia, user=lead, affiliation=putin)
    with pytest.raises(ValidationError):
        services.actor_update(actor=russia, user=lead, affiliation=russia)
    russia.refresh_from_db()
    assert russia.affiliation is None


def test_only_leads_or_creators_edit_actors(analyst, other_analyst, lead):
    actor = services.actor_create(user=analyst, name="Witkoff")
    with pytest.raises(PermissionDenied):
        services.actor_update(actor=actor, user=other_analyst, name="Steve Witkoff")
    services.actor_update(actor=actor, user=analyst, aliases=["special envoy"])
    services.actor_update(actor=actor, user=lead, name="Steve Witkoff")
    actor.refresh_from_db()
    assert actor.name == "Steve Witkoff"
    assert list(ActorAlias.objects.values_list("name", flat=True)) == ["special envoy"]


def test_it_refuses_to_delete_an_actor_named_in_statements(analyst, lead):
    actor = ActorFactory()
    StatementFactory(user=analyst, speaker=actor)
    with pytest.raises(ValidationError):
        services.actor_delete(actor=actor, user=lead)
    assert Actor.objects.filter(pk=actor.pk).exists()
