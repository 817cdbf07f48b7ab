"""Settings come from the environment; production refuses to start without a secret key."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _run_check(env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = _run_check({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_it_starts_with_a_secret_key_and_debug_off():
    result = _run_check({"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"})
    assert result.returncode == 0, result.stderr


def test_it_rejects_a_nonsense_boolean():
    result = _run_check({"DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


@pytest.mark.parametrize("url", ["sqlite:////tmp/x.sqlite3", "postgres://u@127.0.0.1:5432/db"])
def test_database_url_picks_the_engine(url, monkeypatch):
    import dj_database_url

    engine = dj_database_url.parse(url)["ENGINE"]
    assert engine in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
