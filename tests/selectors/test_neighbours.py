"""The annotate page's document navigation (selectors/projects.py, neighbours): previous and next
in the project page's order (newest first, undated last, ties by id) and the next document,
wrapping around, without a statement of the user's, against the ORM's DOCUMENT_ORDER."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from statements import permissions
from statements.models import Article, Membership, Role
from statements.selectors.projects import DOCUMENT_ORDER, neighbours
from tests.factories import ArticleFactory, ProjectFactory, StatementFactory

DATES = ["2025-03-14", "2025-03-14", None, "2025-01-02", "2025-06-30", None, "2025-03-14", "2024-12-31"]


@pytest.fixture
def project_articles(analyst, other_analyst):
    project = ProjectFactory()
    for user in (analyst, other_analyst):
        Membership.objects.create(project=project, user=user, role=Role.ANALYST)
        permissions.forget_roles(user)
    made = [ArticleFactory(project=project, published=day) for day in DATES]
    ArticleFactory(published="2025-03-15")  # another project's: never a neighbour
    mine = {made[1].pk, made[4].pk, made[6].pk}
    for article in made:
        if article.pk in mine:
            StatementFactory(article=article, user=analyst, quote="very promising")
        else:  # someone else's statement does not make it "mine"
            StatementFactory(article=article, user=other_analyst, quote="very promising")
    return project, mine


def test_it_follows_the_project_pages_order_and_wraps_to_the_next_untouched(analyst, project_articles):
    project, mine = project_articles
    order = list(Article.objects.filter(project=project).order_by(*DOCUMENT_ORDER))
    assert [a.published for a in order][-2:] == [None, None]  # undated last
    for i, article in enumerate(order):
        with CaptureQueriesContext(connection) as queries:
            found = neighbours(analyst, article)
        assert len(queries) <= 2  # the navigation in one (the memberships, once, aside)
        assert (found.previous and found.previous.pk) == (order[i - 1].pk if i > 0 else None)
        assert (found.next and found.next.pk) == (order[i + 1].pk if i + 1 < len(order) else None)
        ring = order[i + 1 :] + order[:i]
        untouched = next((a for a in ring if a.pk not in mine), None)
        assert (found.next_untouched and found.next_untouched.pk) == (untouched and untouched.pk)
        if found.next is not None:
            assert found.next.title == order[i + 1].title
            assert found.next.get_absolute_url() == order[i + 1].get_absolute_url()


def test_without_untouched_it_leaves_that_one_out(analyst, project_articles):
    project, _ = project_articles
    first = Article.objects.filter(project=project).order_by(*DOCUMENT_ORDER).first()
    found = neighbours(analyst, first, untouched=False)
    assert found.previous is None and found.next is not None and found.next_untouched is None


def test_a_date_given_as_a_date_works_too(analyst, project_articles):
    project, _ = project_articles
    article = Article.objects.filter(project=project, published=dt.date(2025, 3, 14)).first()
    assert neighbours(analyst, article).next is not None
