"""GET /api/agreement/: the Agreement page's numbers as JSON, with the statement filters."""

import json

import pytest
from django.urls import reverse

from statements import services
from statements.models import Article
from statements.selectors.alignment import agreement_for_articles
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

URL = reverse("api-agreement")
PHRASES = [
    ("We agree with the proposals to cease hostilities", "support"),
    ("very promising", "support"),
    ("do the right thing", "demand"),
]


def _double(article, a, b, *, b_stance_on=None):
    for phrase, stance in PHRASES:
        StatementFactory(article=article, user=a, quote=phrase, stance=stance)
        StatementFactory(
            article=article, user=b, quote=phrase, stance="caveat" if phrase == b_stance_on else stance
        )


@pytest.fixture
def two_articles(analyst, other_analyst):
    first, second = ArticleFactory(), ArticleFactory()
    _double(first, analyst, other_analyst)
    _double(second, analyst, other_analyst, b_stance_on="do the right thing")
    return first, second


def test_it_requires_authentication(client, two_articles):
    assert client.get(URL).status_code in (401, 403)


def test_it_gives_the_pages_numbers_for_one_article(client, viewer, two_articles, analyst, other_analyst):
    first, _ = two_articles
    client.force_login(viewer)
    data = client.get(URL, {"article": first.pk}).json()
    expected = agreement_for_articles(Article.objects.filter(pk=first.pk)).to_dict()
    assert data["pairs"] == json.loads(json.dumps(expected["pairs"]))
    (pair,) = data["pairs"]
    assert pair["exact"]["f1"] == 1.0 and pair["stance"]["raw"] == 1.0
    assert {a["username"] for a in data["analysts"]} == {analyst.username, other_analyst.username}


def test_it_pools_over_several_articles_and_narrows_with_filters(client, viewer, two_articles):
    first, second = two_articles
    client.force_login(viewer)
    both = client.get(URL, {"article": f"{first.pk},{second.pk}"}).json()
    (pair,) = both["pairs"]
    assert pair["stance"]["n"] == 6 and pair["stance"]["raw"] == pytest.approx(5 / 6)
    demands = client.get(URL, {"article": second.pk, "stance": "demand"}).json()
    # b's version is a caveat: filtered out, so only a has a statement left, and no pair
    assert demands["spans"] == 1 and demands["pairs"] == []


def test_it_counts_only_finished_analysts_on_request(client, lead, two_articles, analyst, other_analyst):
    first, _ = two_articles
    for user in (analyst, other_analyst):
        services.assignment_create(article=first, analyst=user, user=lead)
    services.assignment_finish(article=first, user=analyst)
    client.force_login(lead)
    assert client.get(URL, {"article": first.pk, "finished": "true"}).json()["pairs"] == []
    assert len(client.get(URL, {"article": first.pk}).json()["pairs"]) == 1


def test_a_blind_analyst_gets_no_numbers_for_the_article(client, lead, analyst, two_articles):
    first, _ = two_articles
    services.assignment_create(article=first, analyst=analyst, user=lead)
    client.force_login(analyst)
    data = client.get(URL, {"article": first.pk}).json()
    assert data["pairs"] == [] and data["spans"] == 0


@pytest.mark.parametrize(
    ("params", "field"),
    [({"threshold": "2"}, "threshold"), ({"threshold": "x"}, "threshold"), ({"article": "abc"}, "article")],
)
def test_bad_parameters_are_a_400_with_field_messages(client, viewer, two_articles, params, field):
    client.force_login(viewer)
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("n_articles", [1, 5])
def test_it_issues_a_fixed_number_of_queries(
    client, viewer, analyst, other_analyst, n_articles, django_assert_num_queries
):
    for _ in range(n_articles):
        _double(ArticleFactory(), analyst, other_analyst)
    client.force_login(viewer)
    # 1 session, 2 user with their memberships (their projects), 3 statements (the user's
    # blind articles are a subquery), 4 condition descriptions, 5 article lengths; 6 the
    # analysts' names
    with django_assert_num_queries(6):
        assert client.get(URL).status_code == 200
