"""Instances read by hand-written SQL (models.read_by_id, instance_from_row) are the ORM's: every
field equal and of the same type (dates, times with their zone, booleans, nulls), saved-state
instances that save and refresh like any other; missing and impossible ids are no row; and the
annotate page's article read (catalog.visible_article) follows visible_articles' rule."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statements import permissions
from statements.models import Actor, Article, Membership, Role, User, read_by_id
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
