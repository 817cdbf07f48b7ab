"""The project page's documents (selectors/projects.py, documents): one grouped query whose
counts must be those of the article list's ORM form (catalog.article_rows, the Q form of the
visibility rule) for every kind of user, blind or not, whose filters keep the same articles, and
whose order is DOCUMENT_ORDER."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from statements import permissions
from statements.models import Article, ArticleAssignment, Membership, Role, Statement, Status
from statements.selectors import catalog
from statements.selectors.projects import (
    DOCUMENT_ORDER,
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    documents,
    fill_documents,
)
from tests.factories import ActorFactory, ArticleFactory, ProjectFactory, StatementFactory, UserFactory

QUOTES = ["We agree with the proposals to cease hostilities", "very promising", "do the right thing"]
COUNTED = ("n_statements", "n_support", "n_caveat", "n_demand", "n_mine")


@pytest.fixture
def team(db):
    project = ProjectFactory()
    users = {
        "blind": UserFactory(username="blind", role__none=True),
        "sighted": UserFactory(username="sighted", role__none=True),
        "finished": UserFactory(username="finished", role__none=True),
        "lead": UserFactory(username="lead", role__none=True),
        "viewer": UserFactory(username="viewer", role__none=True),
        "outsider": UserFactory(username="outsider", role__none=True),
        "admin": UserFactory(username="root", role__none=True, is_superuser=True, is_staff=True),
    }
    for name, role in (
        ("blind", Role.ANALYST),
        ("sighted", Role.ANALYST),
        ("finished", Role.ANALYST),
        ("lead", Role.LEAD),
        ("viewer", Role.VIEWER),
    ):
        Membership.objects.create(project=project, user=users[name], role=role)
    elsewhere = ProjectFactory()
    Membership.objects.create(project=elsewhere, user=users["outsider"], role=Role.ANALYST)
    for user in users.values():
        permissions.forget_roles(user)
    speaker = ActorFactory(name="Speaker One")
    dates = ["2025-03-14", None, "2025-03-14", "2025-01-02", None, "2025-06-30", "2025-02-01"]
    made = [
        ArticleFactory(project=project, published=day, source=f"Outlet {i % 2}", title=f"Doc {i}")
        for i, day in enumerate(dates)
    ]
    # another project's article, with a statement: never counted
    StatementFactory(article=ArticleFactory(project=elsewhere, title="Elsewhere"), user=users["outsider"])
    stances = ["support", "caveat", "demand"]
    statuses = [Status.PENDING, Status.ACCEPTED, Status.CHANGES_REQUESTED, Status.REJECTED]
    k = 0
    for i, article in enumerate(made[:-1]):  # the last one stays untouched
        for who in ("blind", "sighted", "finished", "lead")[: 1 + i % 4]:
            for quote in QUOTES[: 1 + (i + k) % 3]:
                statement = StatementFactory(
                    article=article,
                    user=users[who],
                    quote=quote,
                    stance=stances[k % 3],
                    speaker=speaker if k % 2 else None,
                )
                Statement.objects.filter(pk=statement.pk).update(status=statuses[k % 4])
                k += 1
    now = timezone.now()
    for article in made[:3]:  # blind on these three
        ArticleAssignment.objects.create(article=article, analyst=users["blind"])
    for article in made[1:4]:
        ArticleAssignment.objects.create(article=article, analyst=users["finished"], finished_at=now)
    ArticleAssignment.objects.create(article=made[2], analyst=users["sighted"], finished_at=now)
    return project, users, made, speaker


def _filled(user, project, **filters):
    found = documents(user, project, **filters)
    fill_documents(user, project, found.rows)
    return found


def _orm_counts(user, project, **filters):
    rows = catalog.article_rows(user, project=project.pk, **filters)
    return {a.pk: tuple(getattr(a, name) for name in COUNTED) for a in rows}


@pytest.mark.parametrize("who", ["blind", "sighted", "finished", "lead", "viewer", "admin"])
def test_it_counts_what_the_orm_form_of_the_rule_counts_in_document_order(team, who):
    project, users, made, _speaker = team
    user = users[who]
    with CaptureQueriesContext(connection) as queries:
        found = _filled(user, project)  # every row filled: as many as pages hold, or more
    # the documents with the user's progress, then the rows' counts (the memberships aside)
    assert len([q for q in queries if "statements_membership" not in q["sql"]]) == 2
    expected = _orm_counts(user, project)
    assert {d.pk: tuple(getattr(d, name) for name in COUNTED) for d in found.rows} == expected
    order = list(
        Article.objects.filter(project=project).order_by(*DOCUMENT_ORDER).values_list("pk", flat=True)
    )
    assert [d.pk for d in found.rows] == order
    assert found.counts["total"] == len(made)
    assert sum(found.counts[v] for v in (DONE, IN_PROGRESS, NOT_STARTED)) == len(made)
    # the page's columns are the article's
    article = Article.objects.get(pk=found.rows[0].pk)
    first = found.rows[0]
    assert (first.title, first.source, first.published, first.dateline) == (
        article.title,
        article.source,
        article.published,
        article.dateline,
    )
    assert first.get_absolute_url() == article.get_absolute_url()
    assert all(isinstance(d.published, dt.date | None) for d in found.rows)


def test_a_blind_analyst_counts_only_their_own_where_they_are_blind(team):
    project, users, made, _speaker = team
    found = {d.pk: d for d in _filled(users["blind"], project).rows}
    for article in made[:3]:
        own = Statement.objects.filter(article=article, annotator=users["blind"]).count()
        assert found[article.pk].n_statements == own
    everyone = Statement.objects.filter(article=made[3]).count()
    assert found[made[3].pk].n_statements == everyone > found[made[3].pk].n_mine


@pytest.mark.parametrize(
    "filters",
    [
        {"q": "Doc 3"},
        {"q": "promising"},
        {"source": "Outlet 1"},
        {"actor_id": "speaker"},
        {"q": "no such words"},
    ],
)
@pytest.mark.parametrize("who", ["blind", "lead"])
def test_its_filters_keep_what_the_article_lists_filters_keep(team, filters, who):
    project, users, made, speaker = team
    if filters.get("actor_id") == "speaker":
        filters = {"actor_id": speaker.pk}
    user = users[who]
    found = _filled(user, project, **filters)
    assert {d.pk: tuple(getattr(d, name) for name in COUNTED) for d in found.rows} == _orm_counts(
        user, project, **filters
    )
    assert found.counts["total"] == len(made)  # the summary is over every document


def test_the_progress_filter_keeps_that_progress_of_mine(team):
    project, users, _made, _speaker = team
    seen = set()
    for who in ("blind", "sighted", "finished", "lead"):
        every = documents(users[who], project).rows
        for progress in (DONE, IN_PROGRESS, NOT_STARTED):
            kept = documents(users[who], project, progress=progress).rows
            assert [d.pk for d in kept] == [d.pk for d in every if d.my_progress == progress]
        seen |= {d.my_progress for d in every}
    assert seen == {DONE, IN_PROGRESS, NOT_STARTED}


def test_a_user_outside_the_project_sees_no_statements(team):
    project, users, made, _speaker = team
    found = _filled(users["outsider"], project)
    assert all(d.n_statements == 0 and d.n_mine == 0 for d in found.rows)
    assert found.counts[NOT_STARTED] == len(made)
