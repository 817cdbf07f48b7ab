"""Sign-in throttling by account and by address, on the sign-in page, /admin/login/ and API
tokens: a clear message (429 on the page), no password hash spent once locked, unlock by an
administrator (admin action) or a lead of one of the account's projects."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse

from statements.models import Role
from statements.services import signin
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def account():
    user = UserFactory(username="amira", role=Role.ANALYST)
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, username, password, address="10.0.0.1", url=None):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_it_locks_an_account_after_five_failures_from_any_address(client, account):
    for i in range(5):
        response = _login(client, "amira", "wrong", address=f"10.0.0.{i}")
        assert response.status_code == 200  # the ordinary "wrong password" form
    locked = _login(client, "AMIRA", PASSWORD, address="10.9.9.9")  # any case, another address
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed sign-ins for this account" in page and "unlock" in page
    assert "_auth_user_id" not in client.session  # even the right password is refused
    _login(client, "ben", "wrong", address="10.9.9.9")  # other accounts are not concerned
    assert not signin.is_locked("ben")


def test_a_success_clears_the_account_counter(client, account):
    for _ in range(4):
        _login(client, "amira", "wrong")
    assert _login(client, "amira", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "amira", "wrong")
    assert _login(client, "amira", PASSWORD).status_code == 302


@override_settings(SIGNIN_ADDRESS_FAILURES=8)
def test_it_refuses_an_address_that_tries_many_accounts(client, account):
    for i in range(8):
        _login(client, f"guess{i}", "wrong", address="192.0.2.7")
    response = _login(client, "amira", PASSWORD, address="192.0.2.7")
    assert response.status_code == 429
    assert "from your address" in response.content.decode()
    assert _login(client, "amira", PASSWORD, address="192.0.2.8").status_code == 302


def test_a_locked_attempt_checks_no_password(client, account, monkeypatch):
    for _ in range(5):
        _login(client, "amira", "wrong")
    calls = []
    from django.contrib.auth import forms as auth_forms

    monkeypatch.setattr(auth_forms, "authenticate", lambda *a, **k: calls.append(1))
    assert _login(client, "amira", PASSWORD).status_code == 429
    assert calls == []


def test_the_admin_sign_in_is_throttled_too(client, account):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    url = reverse("admin:login")
    for _ in range(5):
        assert _login(client, "root", "wrong", url=url).status_code == 200
    page = _login(client, "root", PASSWORD, url=url).content.decode()
    assert "Too many failed sign-ins for this account" in page
    assert "_auth_user_id" not in client.session


def test_an_administrator_unlocks_through_the_admin_action(client, account):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(5):
        _login(client, "amira", "wrong")
    assert signin.is_locked("amira")
    client.force_login(admin)
    response = client.post(
        reverse("admin:statements_user_changelist"),
        {"action": "unlock_signin", "_selected_action": [account.pk]},
        follow=True,
    )
    assert "Unlocked: amira." in response.content.decode()
    assert not signin.is_locked("amira")
    client.logout()
    assert _login(client, "amira", PASSWORD).status_code == 302


def test_only_a_lead_of_the_accounts_project_unlocks_it(account):
    lead = UserFactory(username="lena", role=Role.LEAD)  # lead of the default project, as amira
    other = ProjectFactory()
    stranger = UserFactory(username="sam", role=Role.LEAD, role__project=other)
    analyst = UserFactory(username="ben", role=Role.ANALYST)
    for _ in range(5):
        signin.signin_failed(username="amira", address="10.0.0.1")
    for user in (stranger, analyst):
        with pytest.raises(PermissionDenied):
            signin.signin_unlock(user=user, account=account)
    assert signin.is_locked("amira")
    assert signin.signin_unlock(user=lead, account=account) is True
    assert not signin.is_locked("amira")


@override_settings(SIGNIN_TOKEN_FAILURES=3)
def test_wrong_api_tokens_are_throttled_by_address(client, account):
    from rest_framework.authtoken.models import Token

    good = Token.objects.create(user=account).key
    for _ in range(3):
        response = client.get("/api/statements/", HTTP_AUTHORIZATION="Token nope", REMOTE_ADDR="198.51.100.1")
        assert response.status_code == 401
    refused = client.get("/api/statements/", HTTP_AUTHORIZATION=f"Token {good}", REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429 and "Retry-After" in refused
    assert "Too many wrong API tokens" in refused.json()["detail"]
    ok = client.get("/api/statements/", HTTP_AUTHORIZATION=f"Token {good}", REMOTE_ADDR="198.51.100.2")
    assert ok.status_code == 200


def test_the_command_unlocks(account):
    import io

    from django.core.management import CommandError, call_command

    for _ in range(5):
        signin.signin_failed(username="amira", address="10.0.0.1")
    out = io.StringIO()
    call_command("unlock_signin", "amira", stdout=out)
    assert out.getvalue() == "amira: unlocked.\n" and not signin.is_locked("amira")
    with pytest.raises(CommandError):
        call_command("unlock_signin", "nobody")
