"""Suggestions (#11) on the leads' dashboard: precision per rule from every analyst's decisions
(accepted unchanged / changed / rejected), and pre-annotating the project from the page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from statements.models import Job, Role, SuggestionSet
from statements.selectors import suggestions as reads
from statements.services import suggestions as svc
from tests.factories import ProjectFactory, UserFactory
from tests.suggestions.helpers import MUST, OLSEN, WELCOME, article, registry, sid

pytestmark = pytest.mark.django_db


@pytest.fixture
def doc():
    registry()
    return article()


def decide(doc, analyst, other_analyst):
    svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(WELCOME))  # direct: unchanged
    svc.suggestion_accept(
        article=doc, user=analyst, suggestion=sid(MUST), edits={"stance": "caveat"}
    )  # changed
    svc.suggestion_reject(article=doc, user=analyst, suggestion=sid(OLSEN))  # direct: rejected
    svc.suggestion_accept(article=doc, user=other_analyst, suggestion=sid(OLSEN))  # direct: unchanged
    urge = next(s for s in reads.offered_suggestions(doc, analyst) if s["rule"] == "reported-urge")
    svc.suggestion_reject(article=doc, user=analyst, suggestion=urge["id"])


def test_it_counts_each_rules_decisions(doc, analyst, other_analyst):
    decide(doc, analyst, other_analyst)
    rows = {r.rule: r for r in reads.project_rule_precision(doc.project_id)}
    direct = rows["direct"]
    assert (direct.accepted, direct.changed, direct.rejected, direct.total) == (2, 1, 1, 4)
    assert direct.precision == pytest.approx(0.75) and direct.rejected_share == pytest.approx(0.25)
    urge = rows["reported-urge"]
    assert (urge.accepted, urge.changed, urge.rejected) == (0, 0, 1) and urge.precision == 0
    total = reads.project_rule_precision(doc.project_id)[-1]
    assert total.rule == "all rules" and total.total == 5
    # another project's decisions are not counted
    assert reads.project_rule_precision(ProjectFactory().pk) == []


def test_the_dashboard_shows_precision_per_rule(client, doc, lead, analyst, other_analyst):
    decide(doc, analyst, other_analyst)
    client.force_login(lead)
    page = client.get(reverse("dashboard")).content.decode()
    section = page[page.index('id="suggestions-heading"') :]
    cells = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))
    assert "direct 4 2 (50%) 1 (25%) 1 (25%) 75%" in cells
    assert "reported-urge 1 0 (0%) 0 (0%) 1 (100%) 0%" in cells
    assert "all rules 5 2 (40%) 1 (20%) 2 (40%) 60%" in cells


def test_the_dashboard_says_when_nothing_was_decided(client, doc, lead):
    client.force_login(lead)
    assert "Nobody has accepted or rejected a suggestion" in client.get(reverse("dashboard")).content.decode()


def test_a_lead_preannotates_the_project_from_the_page(client, doc, lead):
    client.force_login(lead)
    response = client.post(reverse("project_preannotate", args=[doc.project.slug]))
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.status == "done" and job.result["suggestions"] == 5
    assert SuggestionSet.objects.get(article=doc).items
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Done" in page or "done" in page


def test_only_a_lead_of_the_project_preannotates_it(client, doc, analyst, viewer):
    url = reverse("project_preannotate", args=[doc.project.slug])
    for user in (analyst, viewer):
        client.force_login(user)
        assert client.post(url).status_code == 403
    client.force_login(UserFactory(role=Role.LEAD, role__project=ProjectFactory()))
    assert client.post(url).status_code == 404
    client.logout()
    assert client.post(url).status_code == 302  # to sign in
    client.force_login(UserFactory(role=Role.LEAD, role__project=doc.project))
    assert client.get(url).status_code == 405
    assert not Job.objects.exists()
