"""Rows read and written by hand-written SQL are the ORM's. Reads (models.read_by_id,
instance_from_row): every field equal and of the same type (dates, times with their zone,
booleans, nulls), saved-state instances that save and refresh like any other; missing and
impossible ids are no row; the annotate page's article read (catalog.visible_article) follows
visible_articles' rule. Writes (models.insert_new): what save() stores (defaults, auto_now times,
JSON), the ids in order, the ORM's refusal of an unsaved related object, and the ORM itself
(signals sent) when a signal is connected; models.update_saved: what save(update_fields=…)
stores, auto_now included, and an error for a row that is gone."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from statements import permissions
from statements.models import (
    Actor,
    Article,
    Condition,
    EventAction,
    Membership,
    Role,
    Statement,
    StatementEvent,
    User,
    insert_new,
    read_by_id,
    update_saved,
)
from statements.selectors import catalog
from tests.factories import ActorFactory, ArticleFactory, ProjectFactory, UserFactory


def _same(found, expected):
    assert type(found) is type(expected)
    for field in type(expected)._meta.concrete_fields:
        a, b = getattr(found, field.attname), getattr(expected, field.attname)
        assert a == b and type(a) is type(b), field.name


@pytest.mark.django_db
def test_it_builds_what_the_orm_builds():
    article = ArticleFactory(published=dt.date(2025, 3, 14), url="")
    undated = ArticleFactory(published=None)
    parent = ActorFactory(name="Russia", kind="state")
    actor = Actor.objects.create(name="Sergey Lavrov", affiliation=parent, description="Minister")
    user = UserFactory(username="reader", role__none=True)
    user.last_login = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
    user.save()
    for model, pk in ((Article, article.pk), (Article, undated.pk), (Actor, actor.pk), (Actor, parent.pk)):
        with CaptureQueriesContext(connection) as queries:
            found = read_by_id(model, pk)
        assert len(queries) == 1
        _same(found, model.objects.get(pk=pk))
    found_user = read_by_id(User, user.pk)
    _same(found_user, User.objects.get(pk=user.pk))
    assert found_user.last_login.tzinfo is not None and found_user.is_active is True


@pytest.mark.django_db
def test_its_instances_save_and_refresh_as_the_orms_do():
    actor = read_by_id(Actor, ActorFactory(name="Before").pk)
    assert actor._state.adding is False and actor._state.db == "default"
    actor.name = "After"
    actor.save()
    assert Actor.objects.get(pk=actor.pk).name == "After" and Actor.objects.count() == 1
    actor.refresh_from_db()
    assert actor.name == "After"


@pytest.mark.django_db
@pytest.mark.parametrize("pk", [0, -1, 10**9, 2**63, -(2**63) - 1, "12", None])
def test_a_missing_or_impossible_id_is_no_row(pk):
    ArticleFactory()
    assert read_by_id(Article, pk) is None


@pytest.mark.django_db
def test_the_article_read_follows_the_visibility_rule():
    project, elsewhere = ProjectFactory(), ProjectFactory()
    users = {
        "analyst": UserFactory(username="a", role__none=True),
        "viewer": UserFactory(username="v", role__none=True),
        "outsider": UserFactory(username="o", role__none=True),
        "admin": UserFactory(username="root", role__none=True, is_superuser=True),
        "retired": UserFactory(username="r", role__none=True, is_active=False),
    }
    Membership.objects.create(project=project, user=users["analyst"], role=Role.ANALYST)
    Membership.objects.create(project=project, user=users["viewer"], role=Role.VIEWER)
    Membership.objects.create(project=elsewhere, user=users["outsider"], role=Role.LEAD)
    Membership.objects.create(project=project, user=users["retired"], role=Role.LEAD)
    for user in users.values():
        permissions.forget_roles(user)
    articles = [ArticleFactory(project=project), ArticleFactory(project=elsewhere)]
    for user in [*users.values(), AnonymousUser()]:
        for article in articles:
            expected = catalog.visible_articles(user).filter(pk=article.pk).first()
            found = catalog.visible_article(user, article.pk)
            assert (found and found.pk) == (expected and expected.pk), (user, article)
        assert catalog.visible_article(user, 10**9) is None


@pytest.mark.django_db
def test_an_insert_stores_what_save_stores(analyst):
    article = ArticleFactory()
    quote = "very promising"
    start = article.text.index(quote)
    fields = {"article": article, "annotator": analyst, "start": start, "end": start + len(quote)}
    fields.update(quote=quote, stance="caveat", note="N")
    by_orm = Statement.objects.create(**fields)
    mine = Statement(**fields)
    with CaptureQueriesContext(connection) as queries:
        insert_new(mine)
    assert len(queries) == 1 and "RETURNING" in queries[0]["sql"]
    assert mine.pk is not None and mine._state.adding is False and mine.pk != by_orm.pk
    stored, expected = Statement.objects.get(pk=mine.pk), Statement.objects.get(pk=by_orm.pk)
    for field in Statement._meta.concrete_fields:
        if field.name in {"id", "created_at", "updated_at"}:
            continue
        assert getattr(stored, field.attname) == getattr(expected, field.attname), field.name
    assert stored.created_at == mine.created_at and stored.updated_at == mine.updated_at
    assert abs((stored.created_at - expected.created_at).total_seconds()) < 60
    conditions = [Condition(statement=mine, description=f"C{i}", position=i) for i in range(3)]
    insert_new(*conditions)
    assert [c.pk for c in conditions] == list(
        Condition.objects.filter(statement=mine).order_by("position").values_list("pk", flat=True)
    )
    event = StatementEvent(
        statement=mine,
        statement_ref=mine.pk,
        article=article,
        user=analyst,
        action=EventAction.CREATED,
        before=None,
        after={"quote": quote, "nested": {"n": [1, 2.5, None, "é"]}},
    )
    insert_new(event)
    stored_event = StatementEvent.objects.get(pk=event.pk)
    assert stored_event.after == event.after and stored_event.before is None


@pytest.mark.django_db
def test_an_insert_refuses_an_unsaved_related_object(analyst):
    article = ArticleFactory()
    unsaved = Statement(article=article, annotator=analyst, start=0, end=1, quote=article.text[0])
    with pytest.raises(ValueError, match="unsaved related object"):
        insert_new(Condition(statement=unsaved, description="C", position=0))
    assert Condition.objects.count() == 0


@pytest.mark.django_db
def test_with_a_signal_connected_the_orm_saves_and_sends_it(analyst):
    sent = []

    def heard(sender, instance, created, **kwargs):
        sent.append((sender, instance.pk, created))

    post_save.connect(heard, sender=Actor)
    try:
        actors = [Actor(name="One"), Actor(name="Two")]
        insert_new(*actors)
    finally:
        post_save.disconnect(heard, sender=Actor)
    assert [pk for _s, pk, _c in sent] == [a.pk for a in actors] and all(c for _s, _p, c in sent)
    assert Actor.objects.filter(name__in=["One", "Two"]).count() == 2


@pytest.mark.django_db
def test_an_update_stores_what_save_with_update_fields_stores(analyst):
    article = ArticleFactory()
    quote = "very promising"
    start = article.text.index(quote)
    made = [
        Statement.objects.create(
            article=article,
            annotator=analyst,
            start=start,
            end=start + len(quote),
            quote=quote,
            stance="caveat",
        )
        for _ in range(2)
    ]
    by_orm, mine = (Statement.objects.get(pk=s.pk) for s in made)
    before = mine.updated_at
    for statement in (by_orm, mine):
        statement.note, statement.stance, statement.version = "Edited", "demand", 2
    by_orm.save(update_fields=["note", "stance", "version", "updated_at"])
    with CaptureQueriesContext(connection) as queries:
        update_saved(mine, ["note", "stance", "version", "updated_at"])
    assert len(queries) == 1 and queries[0]["sql"].startswith("UPDATE")
    stored, expected = Statement.objects.get(pk=mine.pk), Statement.objects.get(pk=by_orm.pk)
    for field in Statement._meta.concrete_fields:
        if field.name in {"id", "created_at", "updated_at"}:
            continue
        assert getattr(stored, field.attname) == getattr(expected, field.attname), field.name
    assert stored.updated_at == mine.updated_at > before
    mine.note = "Not written"
    update_saved(mine, ["stance"])  # only the named fields
    assert Statement.objects.get(pk=mine.pk).note == "Edited"
    Statement.objects.filter(pk=mine.pk).delete()
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        update_saved(mine, ["note"])


@pytest.mark.django_db
def test_the_users_assignment_is_the_orms(analyst, other_analyst, lead):
    from django.utils import timezone

    from statements.models import ArticleAssignment
    from statements.selectors import workspace

    article, other = ArticleFactory(), ArticleFactory()
    ArticleAssignment.objects.create(article=article, analyst=analyst, assigned_by=lead)
    ArticleAssignment.objects.create(
        article=article, analyst=other_analyst, assigned_by=lead, finished_at=timezone.now()
    )
    for user in (analyst, other_analyst, lead):
        for a in (article, other):
            expected = ArticleAssignment.objects.filter(article=a, analyst_id=user.pk).first()
            found = workspace.assignment_for(user, a)
            if expected is None:
                assert found is None
            else:
                _same(found, expected)
    assert workspace.assignment_for(AnonymousUser(), article) is None
