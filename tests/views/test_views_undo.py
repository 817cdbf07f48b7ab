"""Undo on the annotate page: a delete and an edit answer with a toast whose Undo button POSTs to
statement_restore / statement_undo; those views bring the statement back in the workspace,
refuse what cannot be undone with 409 and a message, and check permissions on the server."""

import json

import pytest
from django.urls import reverse

from statements import services
from statements.models import Review, Role, Statement
from tests.factories import ArticleFactory, ProjectFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true", "HX-Target": "workspace"}
QUOTE = "We agree with the proposals to cease hostilities"


def _status(response):
    return json.loads(response["HX-Trigger"])["annotator:status"]


def test_a_delete_offers_undo_and_the_undo_brings_it_back_in_the_workspace(client, analyst, other_analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    services.statement_review(statement=statement, reviewer=other_analyst, verdict="accept")
    client.force_login(analyst)
    response = client.post(reverse("statement_delete", args=[statement.pk]), {"show": "mine"}, headers=HX)
    status = _status(response)
    url = reverse("statement_restore", args=[statement.pk])
    assert status == {
        "message": "Statement deleted.",
        "action": {"label": "Undo", "url": url, "values": {"show": "mine"}},
    }

    response = client.post(url, status["action"]["values"], headers=HX)

    assert response.status_code == 200 and _status(response) == {"message": "Statement restored."}
    page = response.content.decode()
    assert f'data-ids="{statement.pk}"' in page and f'id="statement-{statement.pk}"' in page
    assert f'data-selected="{statement.pk}"' in page and 'data-show="mine"' in page
    restored = Statement.objects.get(pk=statement.pk)
    assert restored.status == "accepted" and Review.objects.filter(statement=restored).count() == 1


def test_an_edit_offers_undo_and_the_undo_takes_it_back(client, analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE, stance="caveat")
    client.force_login(analyst)
    services.statement_update(statement=statement, user=analyst, stance="demand")
    # the edit form's own answer carries the Undo (checked through the real view below)
    url = reverse("statement_undo", args=[statement.pk])
    response = client.post(url, {}, headers=HX)
    assert response.status_code == 200 and _status(response) == {"message": "Edit undone."}
    assert Statement.objects.get(pk=statement.pk).stance == "caveat"
    # once undone, there is nothing left to undo: 409 with the reason, nothing swapped
    response = client.post(url, {}, headers=HX)
    assert response.status_code == 409 and response["HX-Reswap"] == "none"
    assert _status(response)["message"].startswith("Nothing to undo")
    assert Statement.objects.get(pk=statement.pk).stance == "caveat"


def test_the_edit_forms_answer_carries_the_undo(client, analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE, stance="caveat")
    client.force_login(analyst)
    payload = {"stance": "support", "speaker": "", "addressee": "", "note": "", "version": statement.version}
    response = client.post(reverse("statement_update", args=[statement.pk]), payload, headers=HX)
    assert response.status_code == 200
    assert _status(response)["action"]["url"] == reverse("statement_undo", args=[statement.pk])


def test_a_plain_form_undo_redirects_with_a_message(client, analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    client.force_login(analyst)
    client.post(reverse("statement_delete", args=[statement.pk]))
    response = client.post(reverse("statement_restore", args=[statement.pk]))
    assert response.status_code == 302 and Statement.objects.filter(pk=statement.pk).exists()
    response = client.post(reverse("statement_restore", args=[statement.pk]), follow=True)
    assert "nothing to restore" in response.content.decode()


def test_others_cannot_undo(client, analyst, other_analyst, viewer):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    services.statement_update(statement=statement, user=analyst, stance="demand")
    for user in (other_analyst, viewer):
        client.force_login(user)
        assert client.post(reverse("statement_undo", args=[statement.pk]), headers=HX).status_code == 403
    services.statement_delete(statement=Statement.objects.get(pk=statement.pk), user=analyst)
    for user in (other_analyst, viewer):
        client.force_login(user)
        assert client.post(reverse("statement_restore", args=[statement.pk]), headers=HX).status_code == 403
    assert not Statement.objects.filter(pk=statement.pk).exists()


def test_another_projects_statement_is_a_404(client, analyst):
    project = ProjectFactory()
    outsider = UserFactory(role=Role.ANALYST, role__project=project)
    statement = StatementFactory(article=ArticleFactory(project=project), user=outsider, quote="Putin")
    services.statement_delete(statement=statement, user=outsider)
    client.force_login(analyst)
    assert client.post(reverse("statement_restore", args=[statement.pk])).status_code == 404
    assert client.post(reverse("statement_restore", args=[99_999_999])).status_code == 404
    assert client.post(reverse("statement_undo", args=[99_999_999])).status_code == 404


def test_undo_needs_post(client, analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    client.force_login(analyst)
    assert client.get(reverse("statement_undo", args=[statement.pk])).status_code == 405
    assert client.get(reverse("statement_restore", args=[statement.pk])).status_code == 405
