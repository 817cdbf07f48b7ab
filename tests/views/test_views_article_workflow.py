"""The annotate page's part in the review workflow: verdicts, discussion and a verdict form for
the selected statement; the finish / reopen control of a blind assignment; links to the
article's workflow pages."""

import re

import pytest
from django.urls import reverse

from statements import services
from statements.models import Review, Status
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def statement(analyst):
    return StatementFactory(user=analyst, article=ArticleFactory())


def _panel(client, statement):
    url = f"{statement.article.get_absolute_url()}?statement={statement.pk}"
    return client.get(url).content.decode()


def test_it_shows_verdicts_and_comments_of_the_selected_statement(client, analyst, other_analyst, statement):
    services.statement_review(
        statement=statement, reviewer=other_analyst, verdict="request_changes", comment="Speaker is <Peskov>?"
    )
    services.comment_add(statement=statement, author=other_analyst, body="See the dateline")
    client.force_login(analyst)
    html = _panel(client, statement)
    assert "Changes requested" in html and "Speaker is &lt;Peskov&gt;?" in html
    assert "See the dateline" in html
    assert reverse("statement_activity", args=[statement.pk]) in html
    assert 'name="verdict"' not in html  # nobody reviews their own statement


def test_the_panel_names_each_verdict_by_its_outcome_like_the_review_pages(
    client, analyst, other_analyst, lead, statement
):
    """Not the buttons' imperatives ("Accept by Ben"): the queue, feedback and activity pages say
    "Changes requested", "Accepted", "Rejected", and so does the panel."""
    services.statement_review(
        statement=statement, reviewer=other_analyst, verdict="request_changes", comment="Why?"
    )
    services.statement_update(statement=statement, user=analyst, stance="demand")
    services.statement_review(statement=statement, reviewer=lead, verdict="accept")
    services.statement_update(statement=statement, user=analyst, stance="caveat")
    services.statement_review(statement=statement, reviewer=other_analyst, verdict="reject", comment="No.")
    client.force_login(analyst)
    html = _panel(client, statement)
    panel = html[html.index('<ol class="panel-verdicts">') :]
    given = re.findall(r'<span class="verdict v-\w+">([^<]*)</span>', panel[: panel.index("</ol>")])
    assert given == ["Changes requested", "Accepted", "Rejected"]


def test_a_reviewer_gets_a_verdict_form_that_returns_to_the_article(client, other_analyst, statement):
    client.force_login(other_analyst)
    html = _panel(client, statement)
    assert 'name="verdict" value="accept"' in html
    back = f"{statement.article.get_absolute_url()}?statement={statement.pk}#panel"
    response = client.post(
        reverse("statement_review", args=[statement.pk]), {"verdict": "accept", "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    statement.refresh_from_db()
    assert statement.status == Status.ACCEPTED
    assert 'name="verdict"' not in _panel(client, statement)  # no longer pending


def test_the_verdict_form_ignores_a_next_url_off_the_site(client, other_analyst, statement):
    client.force_login(other_analyst)
    response = client.post(
        reverse("statement_review", args=[statement.pk]),
        {"verdict": "accept", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and "evil.example" not in response["Location"]


def test_viewers_get_no_verdict_form(client, viewer, statement):
    client.force_login(viewer)
    assert 'name="verdict"' not in _panel(client, statement)
    response = client.post(reverse("statement_review", args=[statement.pk]), {"verdict": "accept"})
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_an_assigned_analyst_finishes_and_reopens_from_the_article_page(client, analyst, other_analyst, lead):
    article = ArticleFactory()
    theirs = StatementFactory(user=other_analyst, article=article)
    services.assignment_create(article=article, analyst=analyst, user=lead)
    client.force_login(analyst)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Mark my work finished" in html
    assert f'id="statement-{theirs.pk}"' not in html
    assert reverse("article_compare", args=[article.pk]) not in html  # blind: no comparison
    url = reverse("assignment_finish", args=[article.pk])
    response = client.post(url, {"finished": "1", "next": article.get_absolute_url()})
    assert response["Location"] == article.get_absolute_url()
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Reopen my work" in html and f'id="statement-{theirs.pk}"' in html
    assert reverse("article_compare", args=[article.pk]) in html
    client.post(url, {"finished": "0", "next": article.get_absolute_url()})
    assert f'id="statement-{theirs.pk}"' not in client.get(article.get_absolute_url()).content.decode()


def test_unassigned_users_see_the_workflow_links_but_no_finish_button(client, viewer, statement):
    client.force_login(viewer)
    html = client.get(statement.article.get_absolute_url()).content.decode()
    assert "Mark my work finished" not in html
    for name in ("article_history", "article_assignments", "article_compare"):
        assert reverse(name, args=[statement.article_id]) in html


def test_the_edit_form_shows_the_verdicts_to_answer(client, analyst, other_analyst, statement):
    services.statement_review(
        statement=statement,
        reviewer=other_analyst,
        verdict="request_changes",
        comment="The speaker is Peskov",
    )
    client.force_login(analyst)
    url = f"{statement.article.get_absolute_url()}?statement={statement.pk}&edit=1"
    html = client.get(url).content.decode()
    assert "Edit statement" in html
    assert "Changes requested" in html and "The speaker is Peskov" in html
