"""Conditions one at a time: the statement is locked first, only the row concerned changes, ids
stay stable, the statement's version guards each write; and real parallel requests on PostgreSQL
(threads, each with its own database connection) lose nothing."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements import services
from statements.models import Condition, EventAction, Statement, StatementEvent
from tests.factories import StatementFactory


def _client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.django_db
def test_it_keeps_the_ids_of_the_other_conditions_on_add_update_and_delete(analyst):
    statement = StatementFactory(user=analyst)
    a = services.condition_add(statement=statement, user=analyst, description="First")
    b = services.condition_add(statement=statement, user=analyst, description="Second")
    c = services.condition_add(statement=statement, user=analyst, description="Third")
    changed = services.condition_update(condition=b, user=analyst, description="Second, reworded")
    assert changed.pk == b.pk
    services.condition_delete(condition=a, user=analyst)
    rows = list(statement.conditions.order_by("position", "id").values_list("pk", "description"))
    assert rows == [(b.pk, "Second, reworded"), (c.pk, "Third")]
    statement.refresh_from_db()
    assert statement.version == 1 + 5  # three additions, one edit, one removal
    assert StatementEvent.objects.filter(statement=statement, action=EventAction.UPDATED).count() == 5


@pytest.mark.django_db
def test_it_refuses_a_condition_write_with_a_stale_version(analyst):
    statement = StatementFactory(user=analyst)
    version = statement.version
    first = services.condition_add(
        statement=statement, user=analyst, description="Talks first", expected_version=version
    )
    with pytest.raises(ValidationError) as exc:
        services.condition_add(
            statement=statement, user=analyst, description="Late", expected_version=version
        )
    assert "version" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.condition_update(condition=first, user=analyst, description="x", expected_version=version)
    with pytest.raises(ValidationError):
        services.condition_delete(condition=first, user=analyst, expected_version=version)
    assert list(statement.conditions.values_list("description", flat=True)) == ["Talks first"]
    services.condition_delete(condition=first, user=analyst, expected_version=version + 1)
    assert not statement.conditions.exists()


@pytest.mark.django_db
def test_it_answers_not_found_for_a_condition_removed_meanwhile(analyst):
    statement = StatementFactory(user=analyst)
    condition = services.condition_add(statement=statement, user=analyst, description="Talks first")
    stale = Condition.objects.get(pk=condition.pk)
    services.condition_delete(condition=condition, user=analyst)
    with pytest.raises(Condition.DoesNotExist):
        services.condition_update(condition=stale, user=analyst, description="x")
    with pytest.raises(Condition.DoesNotExist):
        services.condition_delete(condition=stale, user=analyst)


@pytest.mark.django_db
def test_it_keeps_unchanged_condition_rows_when_the_statement_saves_its_list(analyst):
    statement = StatementFactory(user=analyst)
    a = services.condition_add(statement=statement, user=analyst, description="A")
    b = services.condition_add(statement=statement, user=analyst, description="B")
    services.statement_update(
        statement=statement, user=analyst, conditions=[{"description": "B"}, {"description": "C"}]
    )
    rows = list(statement.conditions.order_by("position").values_list("pk", "description", "position"))
    assert rows[0] == (b.pk, "B", 0)
    assert rows[1][1:] == ("C", 1) and rows[1][0] == a.pk  # the row of A, now C: updated in place


@pytest.mark.django_db
def test_the_api_takes_the_statements_version_on_condition_writes(analyst):
    statement = StatementFactory(user=analyst)
    client = _client(analyst)
    body = {"statement": statement.pk, "description": "If they talk", "version": statement.version}
    created = client.post("/api/conditions/", body, format="json")
    assert created.status_code == 201, created.content
    stale = client.post("/api/conditions/", body, format="json")
    assert stale.status_code == 400 and "version" in stale.json()
    cid = created.json()["id"]
    refused = client.patch(f"/api/conditions/{cid}/", {"description": "x", "version": 1}, format="json")
    assert refused.status_code == 400
    edited = client.patch(f"/api/conditions/{cid}/", {"description": "y", "version": 2}, format="json")
    assert edited.status_code == 200 and edited.json()["id"] == cid
    assert client.delete(f"/api/conditions/{cid}/?version=2").status_code == 400
    assert client.delete(f"/api/conditions/{cid}/?version=abc").status_code == 400
    assert client.delete(f"/api/conditions/{cid}/?version=3").status_code == 204
    assert client.delete(f"/api/conditions/{cid}/").status_code == 404


def _run_parallel(n: int, work) -> list:
    """Run `work(i)` in n threads released together; each thread uses (and closes) its own
    database connection, as n server workers would."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises every writer on one database lock (no row locks to test); "
    "the parallel test needs PostgreSQL",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_condition_of_twenty_parallel_posts(analyst):
    statement = StatementFactory(user=analyst)
    key = Token.objects.get_or_create(user=analyst)[0].key

    def post(i: int) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        body = {"statement": statement.pk, "description": f"Condition {i}"}
        return client.post("/api/conditions/", body, format="json").status_code

    assert _run_parallel(20, post) == [201] * 20
    assert statement.conditions.count() == 20
    assert sorted(statement.conditions.values_list("position", flat=True)) == list(range(20))
    statement.refresh_from_db()
    assert statement.version == 21


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_applies_every_parallel_edit_and_delete(analyst):
    statement = StatementFactory(user=analyst)
    made = [services.condition_add(statement=statement, user=analyst, description=f"C{i}") for i in range(20)]
    key = Token.objects.get_or_create(user=analyst)[0].key

    def write(i: int) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        url = f"/api/conditions/{made[i].pk}/"
        if i % 2:
            return client.delete(url).status_code
        return client.patch(url, {"description": f"C{i} edited"}, format="json").status_code

    assert _run_parallel(20, write) == [200 if i % 2 == 0 else 204 for i in range(20)]
    rows = dict(Statement.objects.get(pk=statement.pk).conditions.values_list("pk", "description"))
    assert rows == {made[i].pk: f"C{i} edited" for i in range(0, 20, 2)}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_parallel_versioned_writes_win(analyst):
    statement = StatementFactory(user=analyst)
    key = Token.objects.get_or_create(user=analyst)[0].key

    def post(i: int) -> int:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        body = {"statement": statement.pk, "description": f"Condition {i}", "version": statement.version}
        return client.post("/api/conditions/", body, format="json").status_code

    results = _run_parallel(10, post)
    assert sorted(results) == [201] + [400] * 9
    assert statement.conditions.count() == 1
