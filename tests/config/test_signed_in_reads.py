"""What every signed-in request reads first, each with one hand-written query: the session
(annotator/session_store.py) and the user with their memberships (permissions.MemberBackend);
and, on PostgreSQL, the health check of a kept connection without a round trip
(annotator/postgresql_backend). Each must behave as Django's own does."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from statements import permissions
from statements.models import Membership, Role
from tests.factories import ProjectFactory, UserFactory


def test_the_settings_use_them():
    assert settings.SESSION_ENGINE == "annotator.session_store"
    assert settings.AUTHENTICATION_BACKENDS == ["statements.permissions.MemberBackend"]


def test_a_signed_in_request_reads_the_session_then_the_user_with_memberships(client, analyst):
    client.force_login(analyst)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("actor_list"))
    assert response.status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    assert "django_session" in sqls[0] and "expire_date" in sqls[0]
    assert "statements_user" in sqls[1] and "statements_membership" in sqls[1]
    assert not any(
        "statements_membership" in sql and "statements_user" not in sql for sql in sqls
    )  # roles() asked nothing more


def test_an_expired_or_unknown_session_signs_nobody_in(client, analyst):
    client.force_login(analyst)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get(reverse("actor_list")).status_code == 200
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(reverse("actor_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    client.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session-key-at-all"
    assert client.get(reverse("actor_list")).status_code == 302


def test_a_session_stays_valid_until_its_expiry(client, analyst):
    client.force_login(analyst)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + dt.timedelta(minutes=5))
    assert client.get(reverse("actor_list")).status_code == 200


@pytest.mark.django_db
def test_the_backend_builds_the_user_as_the_orm_does_with_every_membership():
    user = UserFactory(username="many", role__none=True, first_name="Ana", last_name="Lima")
    user.last_login = timezone.now()
    user.save()
    projects = [ProjectFactory() for _ in range(3)]
    for project, role in zip(projects, (Role.ANALYST, Role.LEAD, Role.VIEWER), strict=True):
        Membership.objects.create(project=project, user=user, role=role)
    found = permissions.MemberBackend().get_user(user.pk)
    expected = type(user).objects.get(pk=user.pk)
    for field in type(user)._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(expected, field.attname), field.name
    assert found.last_login.tzinfo is not None and found._state.adding is False
    with CaptureQueriesContext(connection) as queries:
        got = permissions.roles(found)
    assert len(queries) == 0
    assert got == {p.pk: r for p, r in zip(projects, (Role.ANALYST, Role.LEAD, Role.VIEWER), strict=True)}
    loner = UserFactory(username="loner", role__none=True)
    assert permissions.roles(permissions.MemberBackend().get_user(loner.pk)) == {}


@pytest.mark.django_db
def test_the_backend_refuses_who_model_backend_refuses():
    retired = UserFactory(username="retired", is_active=False)
    backend = permissions.MemberBackend()
    assert backend.get_user(retired.pk) is None
    assert backend.get_user(10**12) is None
    assert backend.get_user("abc") is None


def test_signing_in_with_a_password_still_works(client, analyst):
    analyst.set_password("a-long-enough-password")
    analyst.save()
    response = client.post(
        reverse("login"), {"username": analyst.username, "password": "a-long-enough-password"}
    )
    assert response.status_code == 302
    assert client.get(reverse("actor_list")).status_code == 200
    assert client.session["_auth_user_backend"] == "statements.permissions.MemberBackend"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's health check")
@pytest.mark.django_db(transaction=True)
def test_a_kept_postgresql_connection_is_checked_without_a_query_and_a_dead_one_is_seen():
    from django.db import connections

    other = connections.create_connection("default")
    try:
        other.ensure_connection()
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        opened: list[object] = []
        original = other.connection.cursor

        def spy(*args, **kwargs):
            opened.append(args)
            return original(*args, **kwargs)

        other.connection.cursor = spy  # Django's own check sends SELECT 1 through a psycopg cursor
        assert other.is_usable() is True
        assert opened == []
        with connection.cursor() as cursor:  # the server ends that connection, as a restart does
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        done = threading.Event()
        for _ in range(50):
            if not other.is_usable():
                done.set()
                break
            done.wait(0.05)
        assert done.is_set()
    finally:
        other.close()


def _token_client(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client, token


def test_an_api_token_is_read_with_its_user_and_memberships_in_one_query(analyst):
    client, _token = _token_client(analyst)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/articles/")
    assert response.status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    assert "authtoken_token" in sqls[0] and "statements_membership" in sqls[0]
    assert not any("statements_membership" in sql for sql in sqls[1:])


def test_an_unknown_token_or_an_inactive_user_is_refused(analyst):
    client, token = _token_client(analyst)
    assert client.get("/api/articles/").status_code == 200
    analyst.is_active = False
    analyst.save()
    refused = client.get("/api/articles/")
    assert refused.status_code == 401 and "inactive" in refused.json()["detail"]
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    refused = client.get("/api/articles/")
    assert refused.status_code == 401 and refused.json()["detail"] == "Invalid token."
    assert token.key != "0" * 40
