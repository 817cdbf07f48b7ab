"""POST /api/statements/{id}/restore/ and /api/statements/{id}/undo/ (statements/api/undo.py)."""

import pytest
from rest_framework.test import APIClient

from statements import services
from statements.models import Comment, Statement, StatementEvent
from tests.factories import ArticleFactory, ProjectFactory, StatementFactory, UserFactory

pytestmark = pytest.mark.django_db

QUOTE = "We agree with the proposals to cease hostilities"


@pytest.fixture
def api():
    return APIClient()


def test_it_restores_a_deleted_statement_with_its_id_and_comments(api, analyst, other_analyst):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    services.comment_add(statement=statement, author=other_analyst, body="Who said it?")
    services.statement_delete(statement=statement, user=analyst)
    api.force_authenticate(analyst)
    response = api.post(f"/api/statements/{statement.pk}/restore/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == statement.pk and response.json()["quote"] == QUOTE
    assert Comment.objects.get().statement_id == statement.pk
    again = api.post(f"/api/statements/{statement.pk}/restore/", {}, format="json")
    assert again.status_code == 409 and "nothing to restore" in again.json()["detail"]


def test_it_undoes_the_callers_last_edit(api, analyst, django_assert_max_num_queries):
    statement = StatementFactory(user=analyst, quote=QUOTE, stance="caveat")
    services.statement_update(statement=statement, user=analyst, stance="demand", note="later")
    edit = StatementEvent.objects.filter(statement_ref=statement.pk).latest("id")
    api.force_authenticate(analyst)
    stale = api.post(f"/api/statements/{statement.pk}/undo/", {"event": edit.pk + 99}, format="json")
    assert stale.status_code == 409
    response = api.post(f"/api/statements/{statement.pk}/undo/", {"event": edit.pk}, format="json")
    assert response.status_code == 200
    assert (response.json()["stance"], response.json()["note"]) == ("caveat", "")
    assert api.post(f"/api/statements/{statement.pk}/undo/", {}, format="json").status_code == 409


def test_others_get_403_or_404_and_bad_input_400(api, analyst, other_analyst, viewer):
    statement = StatementFactory(user=analyst, quote=QUOTE)
    services.statement_update(statement=statement, user=analyst, note="x")
    for user in (other_analyst, viewer):
        api.force_authenticate(user)
        assert api.post(f"/api/statements/{statement.pk}/undo/", {}, format="json").status_code == 403
    api.force_authenticate(analyst)
    assert api.post(f"/api/statements/{statement.pk}/undo/", {"event": "x"}, format="json").status_code == 400
    assert api.post("/api/statements/99999999/restore/", {}, format="json").status_code == 404
    outsider_project = ProjectFactory()
    outsider = UserFactory(role="analyst", role__project=outsider_project)
    hidden = StatementFactory(article=ArticleFactory(project=outsider_project), user=outsider, quote="Putin")
    services.statement_delete(statement=hidden, user=outsider)
    assert api.post(f"/api/statements/{hidden.pk}/restore/", {}, format="json").status_code == 404
    assert not Statement.objects.filter(pk=hidden.pk).exists()
    api.force_authenticate(None)
    assert api.post(f"/api/statements/{statement.pk}/undo/", {}, format="json").status_code == 401
