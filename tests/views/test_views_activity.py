"""One statement's activity page (/statements/<pk>/: the statement, its verdicts, the discussion
and its history) and an article's history (/articles/<pk>/history/, deleted statements included),
with the blind-annotation visibility rule and bounded queries."""

import json

import pytest
from django.urls import reverse

from statements import services
from statements.models import Comment, StatementEvent
from statements.presenters.history import describe_event
from tests.factories import ActorFactory, ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
QUOTE = "We agree with the proposals to cease hostilities"


def activity_url(statement_or_pk):
    return reverse("statement_activity", args=[getattr(statement_or_pk, "pk", statement_or_pk)])


def comment_url(statement):
    return reverse("comment_create", args=[statement.pk])


def history_url(article, **params):
    from urllib.parse import urlencode

    return reverse("article_history", args=[article.pk]) + (f"?{urlencode(params)}" if params else "")


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture
def statement(article, analyst):
    return StatementFactory(
        article=article,
        user=analyst,
        quote=QUOTE,
        stance="support",
        speaker=ActorFactory(name="Vladimir Putin").pk,
        conditions=[{"description": "Root causes addressed"}],
    )


# ---- The activity page ---------------------------------------------------------------------------


def test_it_sends_signed_out_visitors_to_sign_in(client, statement, article):
    for response in (
        client.get(activity_url(statement)),
        client.post(comment_url(statement), {"body": "Hi"}),
        client.get(history_url(article)),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not Comment.objects.exists()


def test_the_owner_sees_the_statement_its_verdicts_discussion_and_history(
    client, analyst, other_analyst, statement, article
):
    services.statement_review(
        statement=statement, reviewer=other_analyst, verdict="request_changes", comment="Is this a caveat?"
    )
    services.comment_add(statement=statement, author=analyst, body="Yes: 'in principle'.")
    services.statement_update(
        statement=statement,
        user=analyst,
        stance="caveat",
        conditions=[{"description": "Root causes addressed"}, {"description": "Details sorted out"}],
    )
    client.force_login(analyst)
    response = client.get(activity_url(statement))
    assert response.status_code == 200
    page = response.content.decode()
    # the statement, in context, with its facts and links
    assert f'<mark class="s-caveat">{QUOTE}</mark>' in page
    assert "Vladimir Putin" in page and "Amira Haddad (you)" in page
    assert f"{article.get_absolute_url()}?statement={statement.pk}&amp;edit=1#panel" in page  # may edit
    # the verdict stays, marked as given on an earlier version; the statement is pending again
    assert '<span class="verdict v-request_changes">Changes requested</span>' in page
    assert "on version 1, since edited" in page
    assert '<span class="status-pill st-pending">Pending</span>' in page
    # the discussion
    assert "Yes: &#x27;in principle&#x27;." in page and 'class="role-tag">annotator<' in page
    # the history: created, reviewed (with the earlier verdict), edited field by field
    actions = [e.event.action for e in response.context["events"]]
    assert actions == ["created", "reviewed", "updated"]
    assert "<del>Support</del>" in page and "<ins>Caveat</ins>" in page
    assert "<del>Changes requested</del>" in page and "<ins>Pending</ins>" in page
    assert '<span class="sr-only">added: </span>Details sorted out' in page
    assert "Root causes addressed" in page


def test_another_analyst_sees_it_and_joins_the_discussion_in_place(client, other_analyst, statement):
    client.force_login(other_analyst)
    page = client.get(activity_url(statement)).content.decode()
    assert "Add to the discussion" in page
    assert "&amp;edit=1" not in page  # not theirs to edit
    response = client.post(comment_url(statement), {"body": "Why <b>support</b>?"}, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<section id="thread-{statement.pk}"')
    assert "Why &lt;b&gt;support&lt;/b&gt;?" in html
    assert json.loads(response["HX-Trigger"]) == {"annotator:status": {"message": "Comment added."}}
    comment = Comment.objects.get()
    assert (comment.statement, comment.author, comment.body) == (
        statement,
        other_analyst,
        "Why <b>support</b>?",
    )


def test_without_javascript_a_comment_redirects_back_to_the_thread(client, other_analyst, statement):
    client.force_login(other_analyst)
    response = client.post(comment_url(statement), {"body": "Looks right."})
    assert response.status_code == 302
    assert response["Location"] == f"{activity_url(statement)}#thread-{statement.pk}"
    assert Comment.objects.get().body == "Looks right."


def test_an_empty_comment_shows_the_error_inline_and_saves_nothing(client, other_analyst, statement):
    client.force_login(other_analyst)
    response = client.post(comment_url(statement), {"body": "   "}, headers=HX)
    assert response.status_code == 422
    assert "The comment is empty." in response.content.decode()
    response = client.post(comment_url(statement), {"body": ""})
    assert response.status_code == 422
    assert "The comment is empty." in response.content.decode() and "<h1>" in response.content.decode()
    assert not Comment.objects.exists()


def test_the_thread_fragment_answers_htmx(client, other_analyst, statement):
    client.force_login(other_analyst)
    response = client.get(activity_url(statement), headers={**HX, "HX-Target": f"thread-{statement.pk}"})
    assert response.content.decode().lstrip().startswith(f'<section id="thread-{statement.pk}"')
    assert "HX-Target" in response["Vary"]


def test_a_viewer_reads_it_but_cannot_comment(client, viewer, statement):
    client.force_login(viewer)
    response = client.get(activity_url(statement))
    assert response.status_code == 200
    page = response.content.decode()
    assert "comment-form" not in page and "Read-only: viewers do not comment." in page
    for headers in (HX, {}):
        assert client.post(comment_url(statement), {"body": "Hello"}, headers=headers).status_code == 403
    assert not Comment.objects.exists()


def test_a_lead_sees_and_comments(client, lead, statement):
    client.force_login(lead)
    assert client.get(activity_url(statement)).status_code == 200
    assert client.post(comment_url(statement), {"body": "Fine."}, headers=HX).status_code == 200
    assert Comment.objects.get().author == lead


def test_blind_an_assigned_analyst_cannot_see_others_activity_until_finished(
    client, analyst, other_analyst, lead, statement, article
):
    services.assignment_create(article=article, analyst=other_analyst, user=lead)
    client.force_login(other_analyst)
    assert client.get(activity_url(statement)).status_code == 404
    assert client.post(comment_url(statement), {"body": "Peek"}, headers=HX).status_code == 404
    assert not Comment.objects.exists()
    # their own statement on the same article they see
    own = StatementFactory(article=article, user=other_analyst, quote="very promising")
    assert client.get(activity_url(own)).status_code == 200
    services.assignment_finish(article=article, user=other_analyst)
    assert client.get(activity_url(statement)).status_code == 200


def test_an_unknown_statement_is_a_404(client, analyst):
    client.force_login(analyst)
    assert client.get(activity_url(999999)).status_code == 404


def test_history_describes_conditions_readably():
    event = StatementEvent(
        action="updated",
        before={
            "stance": "support",
            "speaker": 1,
            "speaker_name": "Putin",
            "addressee": None,
            "conditions": [
                {"description": "A", "evidence_start": None, "evidence_end": None, "evidence_quote": ""},
                {"description": "B", "evidence_start": 3, "evidence_end": 9, "evidence_quote": "the Bs"},
            ],
        },
        after={
            "stance": "support",
            "speaker": 2,
            "speaker_name": "Peskov",
            "addressee": 3,
            "addressee_name": "United States",
            "conditions": [
                {"description": "C", "evidence_start": None, "evidence_end": None, "evidence_quote": ""}
            ],
        },
    )
    changes = {c.label: c for c in describe_event(event).changes}
    assert (changes["Speaker"].before, changes["Speaker"].after) == ("Putin", "Peskov")
    assert (changes["Addressee"].before, changes["Addressee"].after) == ("", "United States")
    assert changes["Conditions"].removed == ["A", "B (evidence: “the Bs”)"]
    assert changes["Conditions"].added == ["C"]
    assert "Stance" not in changes
    reordered = StatementEvent(
        action="updated",
        before={"conditions": [{"description": "A"}, {"description": "B"}]},
        after={"conditions": [{"description": "B"}, {"description": "A"}]},
    )
    (change,) = describe_event(reordered).changes
    assert (change.before, change.after) == ("A; B", "B; A (reordered)")


# ---- Deleted statements and the article's history ----------------------------------------------


def test_a_deleted_statement_keeps_its_history_on_the_article_page(
    client, analyst, other_analyst, statement, article
):
    services.statement_review(statement=statement, reviewer=other_analyst, verdict="accept")
    pk = statement.pk
    services.statement_delete(statement=statement, user=analyst)
    client.force_login(other_analyst)
    # its old address leads to its entries in the article's history
    response = client.get(activity_url(pk))
    assert response.status_code == 302
    assert response["Location"] == history_url(article, statement=pk)
    response = client.get(activity_url(pk), headers=HX)
    assert response["HX-Redirect"] == history_url(article, statement=pk)
    response = client.get(response["HX-Redirect"])
    assert [e.event.action for e in response.context["entries"]] == ["deleted", "reviewed", "created"]
    page = response.content.decode()
    assert '<span class="deleted-tag">deleted</span>' in page
    assert "Its last state" in page and QUOTE in page and "Root causes addressed" in page
    # the deleted-only view
    other = StatementFactory(article=article, user=analyst, quote="very promising")
    response = client.get(history_url(article, deleted=1))
    assert {e.event.statement_ref for e in response.context["entries"]} == {pk}
    assert other.pk in {e.event.statement_ref for e in client.get(history_url(article)).context["entries"]}


def test_the_article_history_follows_the_blind_rule(client, analyst, other_analyst, lead, statement, article):
    services.assignment_create(article=article, analyst=other_analyst, user=lead)
    own = StatementFactory(article=article, user=other_analyst, quote="very promising")
    services.statement_delete(statement=own, user=other_analyst)
    doomed = StatementFactory(article=article, user=analyst, quote="do the right thing")
    services.statement_delete(statement=doomed, user=analyst)
    client.force_login(other_analyst)
    response = client.get(history_url(article))
    assert response.status_code == 200
    assert {e.event.statement_ref for e in response.context["entries"]} == {own.pk}
    assert "You are annotating this article blind" in response.content.decode()
    assert client.get(activity_url(doomed.pk)).status_code == 404  # a hidden deleted statement
    assert client.get(activity_url(own.pk)).status_code == 302  # their own deleted one
    # leads, viewers and analysts who are not assigned see it all
    for user in (lead, analyst):
        client.force_login(user)
        refs = {e.event.statement_ref for e in client.get(history_url(article)).context["entries"]}
        assert refs == {statement.pk, own.pk, doomed.pk}


def test_the_article_history_fragment_answers_htmx(client, viewer, statement, article):
    client.force_login(viewer)
    response = client.get(history_url(article, deleted=1), headers={**HX, "HX-Target": "results"})
    assert response.content.decode().lstrip().startswith('<section id="results"')
    assert "HX-Target" in response["Vary"]
    assert client.get(reverse("article_history", args=[999999])).status_code == 404


# ---- Queries -----------------------------------------------------------------------------------


def _busy_statement(n, analyst, other_analyst, lead):
    """A statement with about n reviews, n comments and n edits."""
    statement = StatementFactory(
        article=ArticleFactory(),
        user=analyst,
        quote=QUOTE,
        conditions=[{"description": "X"}, {"description": "Y"}],
    )
    stances = ["caveat", "demand", "support"]
    for i in range(n):
        reviewer = other_analyst if i % 2 else lead
        services.statement_review(statement=statement, reviewer=reviewer, verdict="reject", comment=f"No {i}")
        services.comment_add(statement=statement, author=analyst, body=f"Fixed {i}")
        services.statement_update(statement=statement, user=analyst, stance=stances[i % 3])
    return statement


@pytest.mark.parametrize("n", [3, 60])
def test_the_activity_page_issues_a_fixed_number_of_queries(
    client, analyst, other_analyst, lead, django_assert_num_queries, n
):
    statement = _busy_statement(n, analyst, other_analyst, lead)
    client.force_login(other_analyst)
    # 1 session, 2 user, 3 the statement (article window, speaker, addressee, annotator joined),
    # 4 its conditions, 5 its reviews (with reviewers), 6 its comments (with authors),
    # 7 its history (with users)
    with django_assert_num_queries(7):  # the memberships come with the user
        response = client.get(activity_url(statement))
    assert len(response.context["events"]) == 1 + 2 * n


@pytest.mark.parametrize("n", [3, 60])
def test_the_article_history_issues_a_fixed_number_of_queries(
    client, analyst, other_analyst, lead, django_assert_num_queries, monkeypatch, n
):
    statement = _busy_statement(n, analyst, other_analyst, lead)
    reviewed_then_deleted = StatementFactory(article=statement.article, user=analyst, quote="very promising")
    services.statement_review(statement=reviewed_then_deleted, reviewer=lead, verdict="accept")
    services.statement_delete(statement=reviewed_then_deleted, user=analyst)
    client.force_login(other_analyst)
    # 1 session, 2 user, 3 the article (without its text), 4 whether the user annotates it
    # blind, 5 the paginator's count, 6 the page of events (user and statement joined)
    with django_assert_num_queries(6):  # the memberships come with the user
        response = client.get(history_url(statement.article))
    assert len(response.context["entries"]) == min(1 + 2 * n + 3, 50)
    # the review of a deleted statement, alone on its page (newest first: deleted, reviewed,
    # created), takes its label from the deletion snapshot: 7 the deletion events of such ones
    monkeypatch.setattr("statements.views.activity.HISTORY_PAGE_SIZE", 1)
    # projects: the project filter's choices and, on a first visit, the
    # session remembering the current project (+1 here, fixed whatever the data)
    with django_assert_num_queries(7):
        response = client.get(history_url(statement.article, statement=reviewed_then_deleted.pk, page=2))
    (entry,) = response.context["entries"]
    assert (entry.event.action, entry.label) == ("reviewed", "very promising")
    monkeypatch.setattr("statements.views.activity.HISTORY_PAGE_SIZE", 50)
    client.force_login(lead)  # leads are never blind: no 4
    # projects: the project filter's choices and, on a first visit, the
    # session remembering the current project (fixed whatever the data)
    with django_assert_num_queries(5):
        client.get(history_url(statement.article))
