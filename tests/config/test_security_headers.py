"""Security headers and production settings: `check --deploy` is clean in a production
configuration (from the environment only), the CSP allows no inline script or style, and the API
token page is never cached."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "annotator.example.org",
    "SECURE_HSTS_PRELOAD": "true",
}


def _check(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    clean.update(env, DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}")
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "annotator.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_a_production_configuration(tmp_path):
    result = _check(PRODUCTION, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_names_what_a_plain_http_configuration_lacks(tmp_path):
    result = _check({**PRODUCTION, "SECURE_COOKIES": "false"}, tmp_path)
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr + result.stdout, check


def test_the_production_settings_come_from_the_environment(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.SECURE_PROXY_SSL_HEADER)"
    )
    env = {**os.environ, **PRODUCTION, "DJANGO_SETTINGS_MODULE": "annotator.settings"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**env, "SECURE_HSTS_SECONDS": "600"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.split() == ["True", "600", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')"], out.stderr


@pytest.mark.django_db
def test_every_page_has_a_strict_content_security_policy(client, analyst):
    client.force_login(analyst)
    for url in (reverse("login"), reverse("article_list"), "/api/docs/", "/api/statements/"):
        csp = client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self';" in csp and "style-src 'self';" in csp, url
        assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp


@pytest.mark.django_db
def test_the_api_token_page_is_never_stored(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("api_token"))
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_the_templates_hold_no_inline_script_style_or_handler():
    import re

    found = []
    for folder in (ROOT / "templates", ROOT / "statements" / "templates"):
        for path in folder.rglob("*.html"):
            text = path.read_text()
            for pattern in (r"<script(?![^>]*\bsrc=)[^>]*>", r"<style\b", r"\sstyle=", r"\son[a-z]+=\""):
                found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []
