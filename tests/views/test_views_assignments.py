"""Blind double annotation controls (/articles/<pk>/assignments/): a lead assigns analysts and sees
who finished; an assigned analyst marks their own work finished (which reveals the others'
statements everywhere) and can reopen it. Refused actions change nothing."""

import json

import pytest
from django.urls import reverse

from statements.models import ArticleAssignment
from tests.factories import ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}
QUOTE = "We agree with the proposals to cease hostilities"


def page_url(article):
    return reverse("article_assignments", args=[article.pk])


def finish_url(article):
    return reverse("assignment_finish", args=[article.pk])


def assignments():
    return list(ArticleAssignment.objects.order_by("id").values_list("analyst__username", "finished_at"))


@pytest.fixture
def article():
    return ArticleFactory()


@pytest.fixture
def assigned(article, analyst, lead):
    return ArticleAssignment.objects.create(article=article, analyst=analyst, assigned_by=lead)


def test_it_sends_signed_out_visitors_to_sign_in(client, article, analyst):
    for response in (
        client.get(page_url(article)),
        client.post(page_url(article), {"analyst": analyst.pk}),
        client.post(finish_url(article), {"finished": "1"}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert assignments() == []


def test_a_lead_assigns_analysts_in_place_and_sees_their_progress(
    client, lead, analyst, other_analyst, viewer, article
):
    StatementFactory(article=article, user=analyst, quote=QUOTE)
    StatementFactory(article=article, user=analyst, quote="very promising")
    client.force_login(lead)
    page = client.get(page_url(article)).content.decode()
    assert "Assign an analyst" in page
    assert f'<option value="{analyst.pk}">Amira Haddad</option>' in page
    assert f'value="{viewer.pk}"' not in page  # viewers do not annotate
    response = client.post(page_url(article), {"analyst": analyst.pk}, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="assignments"')
    assert "1 analyst assigned · 0 finished" in html
    assert '<td class="num">2</td>' in html  # the lead sees how far each one got
    assert json.loads(response["HX-Trigger"])["annotator:status"]["message"] == (
        "Amira Haddad is assigned to this article."
    )
    # without JavaScript: post, redirect, get
    response = client.post(page_url(article), {"analyst": other_analyst.pk})
    assert response.status_code == 302 and response["Location"] == page_url(article)
    # assigning twice changes nothing
    client.post(page_url(article), {"analyst": analyst.pk}, headers=HX)
    assert assignments() == [("amira", None), ("ben", None)]
    assert ArticleAssignment.objects.get(analyst=analyst).assigned_by == lead


def test_a_lead_cannot_assign_a_viewer_or_nobody_and_the_error_shows(client, lead, viewer, article):
    client.force_login(lead)
    response = client.post(page_url(article), {"analyst": viewer.pk}, headers=HX)
    assert response.status_code == 422
    assert "Victor Vance is a viewer and cannot annotate." in response.content.decode()
    response = client.post(page_url(article), {"analyst": ""})
    assert response.status_code == 422
    assert "Choose an analyst to assign." in response.content.decode()
    assert assignments() == []


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_only_a_lead_assigns(client, article, other_analyst, role, request):
    client.force_login(request.getfixturevalue(role))
    response = client.get(page_url(article))
    assert response.status_code == 200
    assert "Assign an analyst" not in response.content.decode()
    for headers in (HX, {}):
        assert (
            client.post(page_url(article), {"analyst": other_analyst.pk}, headers=headers).status_code == 403
        )
    assert assignments() == []


def test_an_assigned_analyst_finishes_and_reopens_their_own_work(
    client, analyst, other_analyst, article, assigned
):
    theirs = StatementFactory(article=article, user=other_analyst, quote=QUOTE)
    statement_page = reverse("statement_activity", args=[theirs.pk])
    client.force_login(analyst)
    page = client.get(page_url(article)).content.decode()
    assert "You are annotating this article blind" in page and "Mark my work finished" in page
    assert '<td class="num">' not in page  # others' progress is for leads
    assert client.get(statement_page).status_code == 404

    response = client.post(finish_url(article), {"finished": "1"}, headers=HX)
    assert response.status_code == 200
    assert "You finished this article" in response.content.decode()
    assert "visible to you now" in json.loads(response["HX-Trigger"])["annotator:status"]["message"]
    assigned.refresh_from_db()
    assert assigned.is_finished
    assert client.get(statement_page).status_code == 200  # finishing reveals the others' work

    response = client.post(finish_url(article), {"finished": "0"})  # without JavaScript
    assert response.status_code == 302 and response["Location"] == page_url(article)
    assigned.refresh_from_db()
    assert not assigned.is_finished
    assert client.get(statement_page).status_code == 404  # hidden again


def test_finishing_without_an_assignment_is_refused_inline(client, other_analyst, article, assigned):
    client.force_login(other_analyst)
    response = client.post(finish_url(article), {"finished": "1"}, headers=HX)
    assert response.status_code == 422
    assert "You are not assigned to this article." in response.content.decode()
    assert assignments() == [("amira", None)]


def test_a_viewer_cannot_finish_anything(client, viewer, article, assigned):
    client.force_login(viewer)
    assert client.post(finish_url(article), {"finished": "1"}, headers=HX).status_code == 403
    assert assignments() == [("amira", None)]


def test_finishing_is_post_only_and_the_article_must_exist(client, analyst, article, assigned):
    client.force_login(analyst)
    assert client.get(finish_url(article)).status_code == 405
    assert client.get(reverse("article_assignments", args=[999999])).status_code == 404
    assert not ArticleAssignment.objects.get().is_finished


def test_the_fragment_answers_htmx(client, lead, article, assigned):
    client.force_login(lead)
    response = client.get(page_url(article), headers={**HX, "HX-Target": "assignments"})
    assert response.content.decode().lstrip().startswith('<section id="assignments"')
    assert "HX-Target" in response["Vary"]


def test_the_page_issues_a_fixed_number_of_queries(
    client, lead, analyst, django_assert_num_queries, article, assigned
):
    client.force_login(lead)
    # 1 session, 2 user, 3 the article (without its text), 4 its assignments (analyst and
    # assigner joined), 5 statements per analyst, 6 the analysts who could still be assigned
    with django_assert_num_queries(6):  # the memberships come with the user
        client.get(page_url(article))
    client.force_login(analyst)  # not a lead: no 5 and 6
    # projects: the project filter's choices and, on a first visit, the
    # session remembering the current project (+1 here, fixed whatever the data)
    with django_assert_num_queries(4):
        client.get(page_url(article))
