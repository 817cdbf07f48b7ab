"""Tokens (settings page and `issue_token`), the OpenAPI schema and its docs with local assets."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def test_the_token_page_needs_sign_in(client):
    response = client.get("/account/api-token/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_user_creates_sees_replaces_and_revokes_their_token(client, viewer):
    client.force_login(viewer)
    page = client.get("/account/api-token/")
    assert page.status_code == 200 and "Create a token" in page.content.decode()
    client.post("/account/api-token/", {"action": "create"})
    key = Token.objects.get(user=viewer).key
    assert key in client.get("/account/api-token/").content.decode()

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/users/").status_code == 200

    client.post("/account/api-token/", {"action": "regenerate"})
    new_key = Token.objects.get(user=viewer).key
    assert new_key != key
    assert api.get("/api/users/").status_code == 401  # the old token stopped working

    client.post("/account/api-token/", {"action": "revoke"})
    assert not Token.objects.filter(user=viewer).exists()
    assert "Create a token" in client.get("/account/api-token/").content.decode()


def test_the_token_page_keeps_csrf(viewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    assert client.post("/account/api-token/", {"action": "create"}).status_code == 403
    assert not Token.objects.exists()


def test_issue_token_prints_a_users_token(analyst):
    out = io.StringIO()
    call_command("issue_token", "amira", stdout=out)
    key = out.getvalue().strip()
    assert Token.objects.get(user=analyst).key == key
    again = io.StringIO()
    call_command("issue_token", "amira", stdout=again)
    assert again.getvalue().strip() == key
    call_command("issue_token", "amira", "--regenerate", stdout=again)
    assert Token.objects.get(user=analyst).key != key
    with pytest.raises(CommandError, match="no user"):
        call_command("issue_token", "nobody")


def test_the_schema_is_valid_openapi_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    schema = out.getvalue()
    assert schema.startswith("openapi: 3")
    for path in ("/api/statements/", "/api/export/statements", "/api/articles/import/", "/api/users/"):
        assert f"  {path}:" in schema


def test_the_schema_and_docs_need_sign_in_and_use_local_assets(client, viewer):
    assert client.get("/api/schema/").status_code == 401
    docs = client.get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"].startswith("/accounts/login/")
    client.force_login(viewer)
    assert client.get("/api/schema/").status_code == 200
    html = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assets = [s for s in sources if s.endswith((".js", ".css"))]
    assert assets and all(s.startswith("/static/") for s in assets), sources
    assert "cdn" not in html.lower()
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        response.close()
