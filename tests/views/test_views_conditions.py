"""The Conditions page: every visible condition, grouped by speaker, with filters and facets."""

import pytest
from django.urls import reverse

from statements import services
from statements.models import Statement
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true", "HX-Target": "results"}


@pytest.fixture
def corpus(analyst):
    russia = services.actor_create(user=None, name="Russia", kind="state")
    putin = services.actor_create(user=None, name="Vladimir Putin", affiliation=russia)
    trump = services.actor_create(user=None, name="Donald Trump")
    first = ArticleFactory(title="First article", published="2025-03-14")
    second = ArticleFactory(title="Second article", published="2025-03-15")
    text = first.text
    ev = text.index("cease hostilities")
    StatementFactory(
        article=first,
        user=analyst,
        quote="We agree with the proposals to cease hostilities",
        stance="caveat",
        speaker=putin.pk,
        conditions=[
            {"description": "Root causes addressed"},
            {
                "description": "Hostilities cease first",
                "evidence_start": ev,
                "evidence_end": ev + len("cease hostilities"),
                "evidence_quote": "cease hostilities",
            },
        ],
    )
    StatementFactory(
        article=second,
        user=analyst,
        quote="do the right thing",
        stance="demand",
        speaker=trump.pk,
        addressee=russia.pk,
        conditions=[{"description": "Russia accepts the ceasefire"}],
    )
    StatementFactory(
        article=second,
        user=analyst,
        quote="very promising",
        stance="support",
        speaker=russia.pk,
        conditions=[{"description": "Sanctions eased"}],
    )
    StatementFactory(
        article=second, user=analyst, quote="Putin told reporters", conditions=[{"description": "Orphan"}]
    )
    return {"russia": russia, "putin": putin, "trump": trump, "first": first, "second": second}


def test_it_redirects_anonymous_users_to_sign_in(client):
    response = client.get(reverse("condition_list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_groups_every_condition_by_speaker_with_links_to_the_statement(client, viewer, corpus):
    client.force_login(viewer)
    page = client.get(reverse("condition_list")).content.decode()
    assert "5 conditions" in page
    order = [page.index(f'">{name} <span') for name in ("Donald Trump", "Russia", "Vladimir Putin")]
    assert order == sorted(order)
    assert page.index('">Unknown speaker') > order[-1]  # unknown speakers come last
    putin_group = page[page.index("Vladimir Putin <span") :]
    assert "2 conditions" in putin_group[:400]
    assert "Root causes addressed" in putin_group and "Evidence: “cease hostilities”" in putin_group
    statement = Statement.objects.get(quote__startswith="We agree")
    link = f"{corpus['first'].get_absolute_url()}?statement={statement.pk}#statement-{statement.pk}"
    assert f'href="{link}"' in page
    assert "Orphan" in page and "Unknown speaker" in page


def test_it_filters_by_speaker_with_or_without_affiliated_actors(client, viewer, corpus):
    client.force_login(viewer)
    page = client.get(reverse("condition_list"), {"speaker": corpus["russia"].pk}).content.decode()
    assert "Sanctions eased" in page and "Root causes addressed" not in page
    page = client.get(
        reverse("condition_list"), {"speaker": corpus["russia"].pk, "members": "1"}
    ).content.decode()
    assert "Sanctions eased" in page and "Root causes addressed" in page and "Russia accepts" not in page
    assert "and affiliated actors" in page


def test_it_filters_by_stance_article_status_and_text(client, viewer, corpus):
    client.force_login(viewer)
    page = client.get(reverse("condition_list"), {"stance": "demand"}).content.decode()
    assert "Russia accepts the ceasefire" in page and "Sanctions eased" not in page
    page = client.get(reverse("condition_list"), {"article": corpus["first"].pk}).content.decode()
    assert (
        "Root causes addressed" in page
        and "Sanctions eased" not in page
        and "in <strong>First article" in page
    )
    page = client.get(reverse("condition_list"), {"q": "HOSTILITIES"}).content.decode()
    assert "Hostilities cease first" in page and "Root causes" in page  # the quote matches too
    assert "Sanctions eased" not in page
    page = client.get(reverse("condition_list"), {"status": "accepted"}).content.decode()
    assert "0 conditions" in page


def test_the_speaker_facet_counts_follow_the_other_filters(client, viewer, corpus):
    client.force_login(viewer)
    page = client.get(reverse("condition_list"), {"stance": "caveat"}, headers=HX).content.decode()
    facet = page[page.index('class="facets"') : page.index("</nav>")]
    assert "Vladimir Putin" in facet and "Donald Trump" not in facet
    assert page.lstrip().startswith('<section id="results"')


def test_others_conditions_stay_hidden_on_a_blind_assignment(client, analyst, other_analyst, lead, corpus):
    services.assignment_create(article=corpus["second"], analyst=other_analyst, user=lead)
    client.force_login(other_analyst)
    page = client.get(reverse("condition_list")).content.decode()
    assert "Root causes addressed" in page and "Sanctions eased" not in page and "Russia accepts" not in page


@pytest.mark.parametrize("extra", [0, 40])
def test_the_page_issues_a_fixed_number_of_queries(client, analyst, corpus, django_assert_num_queries, extra):
    for i in range(extra):
        article = ArticleFactory()
        StatementFactory(
            article=article, user=analyst, speaker=corpus["putin"].pk, conditions=[{"description": f"c{i}"}]
        )
    client.force_login(analyst)
    # 1 session, 2 user, 3 facet by speaker (aggregate), 4 count for the paginator,
    # 5 the page of conditions (statement, speaker, affiliation, addressee, annotator, article joined)
    # projects: the project filter's choices and, on a first visit, the
    # session remembering the current project (+1 here, fixed whatever the data)
    with django_assert_num_queries(6):
        client.get(reverse("condition_list"))
    # with a speaker filter: 6 the speaker's name (affiliated actors: 7 one query for the tree)
    # projects: the project filter's choices and, on a first visit, the
    # session remembering the current project (fixed whatever the data)
    with django_assert_num_queries(8):
        client.get(reverse("condition_list"), {"speaker": corpus["russia"].pk, "members": "1"})
