"""The Feedback page (/feedback/): the signed-in analyst's statements that got verdicts or
comments, newest activity first, with who said what and when, and the counts that need them."""

import datetime as dt

import pytest
from django.urls import reverse

from statements import services
from statements.models import Comment, Review
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
QUOTE = "We agree with the proposals to cease hostilities"


def listed(response):
    return [s.pk for s in response.context["page"]]


@pytest.fixture
def article():
    return ArticleFactory()


def test_it_sends_signed_out_visitors_to_sign_in(client):
    response = client.get(reverse("feedback"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_the_annotators_verdicts_and_comments_with_who_what_and_when(
    client, analyst, other_analyst, lead, article
):
    statement = StatementFactory(article=article, user=analyst, quote=QUOTE)
    services.statement_review(
        statement=statement,
        reviewer=other_analyst,
        verdict="request_changes",
        comment="Who is the addressee?",
    )
    services.comment_add(statement=statement, author=analyst, body="The United States, I think.")
    services.comment_add(statement=statement, author=lead, body="Agreed.")
    client.force_login(analyst)
    response = client.get(reverse("feedback"))
    assert response.status_code == 200
    assert listed(response) == [statement.pk]
    page = response.content.decode()
    for text in (
        '<span class="verdict v-request_changes">Changes requested</span>',
        "Ben Okafor",
        "Who is the addressee?",
        "The United States, I think.",
        "Lena Lindqvist",
        "Agreed.",
        QUOTE,
        article.title,
    ):
        assert text in page
    # the way to act on it: the statement's edit form on the article page, and its activity
    assert f"{article.get_absolute_url()}?statement={statement.pk}&amp;edit=1#panel" in page
    assert reverse("statement_activity", args=[statement.pk]) in page


def test_the_counts_that_need_the_analyst_stand_out(client, analyst, other_analyst, article):
    quotes = [QUOTE, "very promising", "do the right thing", "Trump called"]
    s1, s2, s3, _ = (StatementFactory(article=article, user=analyst, quote=q) for q in quotes)
    services.statement_review(statement=s1, reviewer=other_analyst, verdict="request_changes", comment="Why?")
    services.statement_review(
        statement=s2, reviewer=other_analyst, verdict="request_changes", comment="Span?"
    )
    services.statement_review(statement=s3, reviewer=other_analyst, verdict="reject", comment="No.")
    client.force_login(analyst)
    response = client.get(reverse("feedback"))
    counts = response.context["counts"]
    assert (counts["changes_requested"], counts["rejected"], counts["accepted"], counts["pending"]) == (
        2,
        1,
        0,
        1,
    )
    page = response.content.decode()
    assert 'class="tally t-changes_requested needs-you"' in page
    assert '<span class="n">2</span> <span class="what">changes requested</span>' in page
    assert 'class="tally t-rejected needs-you"' in page
    assert page.index("changes requested</span>") < page.index("accepted</span>")  # first things first
    # a tally filters the list (htmx in place, or a plain link)
    response = client.get(reverse("feedback"), {"status": "rejected"}, headers={**HX, "HX-Target": "results"})
    assert listed(response) == [s3.pk]
    assert response.content.decode().lstrip().startswith('<section id="results"')
    assert "HX-Target" in response["Vary"]
    assert listed(client.get(reverse("feedback"), {"status": "nonsense"})) == [s3.pk, s2.pk, s1.pk]


def test_it_lists_newest_activity_first(client, analyst, other_analyst, article):
    old, new = (StatementFactory(article=article, user=analyst, quote=q) for q in (QUOTE, "very promising"))
    services.statement_review(statement=new, reviewer=other_analyst, verdict="accept")
    services.statement_review(statement=old, reviewer=other_analyst, verdict="accept")
    client.force_login(analyst)
    assert listed(client.get(reverse("feedback"))) == [old.pk, new.pk]
    # a comment later on the other one brings it to the top
    comment = services.comment_add(statement=new, author=other_analyst, body="Nice one.")
    Comment.objects.filter(pk=comment.pk).update(created_at=comment.created_at + dt.timedelta(minutes=5))
    assert listed(client.get(reverse("feedback"))) == [new.pk, old.pk]


def test_it_never_shows_other_peoples_statements_or_silent_ones(client, analyst, other_analyst, article):
    StatementFactory(article=article, user=analyst, quote="very promising")  # nobody said anything
    own_comment_only = StatementFactory(article=article, user=analyst, quote="do the right thing")
    services.comment_add(statement=own_comment_only, author=analyst, body="Note to self.")
    theirs = StatementFactory(article=article, user=other_analyst, quote=QUOTE)
    services.statement_review(
        statement=theirs, reviewer=analyst, verdict="reject", comment="Private feedback"
    )
    client.force_login(analyst)
    response = client.get(reverse("feedback"))
    assert listed(response) == []
    assert "Private feedback" not in response.content.decode()
    assert "No feedback yet" in response.content.decode()
    client.force_login(other_analyst)  # the other analyst sees theirs
    assert listed(client.get(reverse("feedback"))) == [theirs.pk]


def test_a_viewer_or_a_lead_without_statements_gets_an_empty_page(client, viewer, lead):
    for user in (viewer, lead):
        client.force_login(user)
        response = client.get(reverse("feedback"))
        assert response.status_code == 200
        assert listed(response) == []


def test_it_escapes_comments(client, analyst, other_analyst, article):
    statement = StatementFactory(article=article, user=analyst, quote=QUOTE)
    services.statement_review(
        statement=statement, reviewer=other_analyst, verdict="reject", comment="<img src=x onerror=alert(1)>"
    )
    client.force_login(analyst)
    page = client.get(reverse("feedback")).content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_an_edit_after_a_verdict_shows_the_verdict_was_on_an_earlier_version(
    client, analyst, other_analyst, article
):
    statement = StatementFactory(article=article, user=analyst, quote=QUOTE)
    services.statement_review(
        statement=statement, reviewer=other_analyst, verdict="request_changes", comment="Stance?"
    )
    services.statement_update(statement=statement, user=analyst, stance="demand")
    client.force_login(analyst)
    page = client.get(reverse("feedback")).content.decode()
    assert '<span class="status-pill st-pending">Pending</span>' in page
    assert "Changes requested" in page and "on an earlier version" in page


@pytest.mark.parametrize("n", [3, 60])
def test_the_page_issues_a_fixed_number_of_queries(
    client, analyst, other_analyst, lead, django_assert_num_queries, n
):
    articles = [ArticleFactory() for _ in range(3)]
    for i in range(n):
        statement = StatementFactory(article=articles[i % 3], user=analyst, quote=QUOTE)
        services.statement_review(
            statement=statement, reviewer=other_analyst, verdict="reject", comment="No."
        )
        services.statement_review(statement=statement, reviewer=lead, verdict="accept")
        services.comment_add(statement=statement, author=other_analyst, body="Why not?")
    assert Review.objects.count() == 2 * n
    client.force_login(analyst)
    # 1 session, 2 user, 3 the paginator's count, 4 the page of statements (article, speaker,
    # addressee joined), 5 their reviews (with reviewers), 6 their comments (with authors),
    # 7 the counts per status
    # projects: the project filter's choices and, on a first visit, the
    # session remembering the current project (+1 here, fixed whatever the data)
    with django_assert_num_queries(8):
        response = client.get(reverse("feedback"))
    assert len(response.context["page"]) == min(n, 20)
