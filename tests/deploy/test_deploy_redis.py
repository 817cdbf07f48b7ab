"""Scale-out (#13): with REDIS_URL the default cache (the dashboard's) and the sessions live in
Redis, shared by every app process; without it nothing changes. Against the real Redis on
127.0.0.1:6379 (its database 15), skipped where none runs."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


pytestmark = [pytest.mark.deploy, pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")]


def _shell(code: str, **env: str) -> str:
    """Run `code` in a new Django process (another app server, as far as the cache can tell)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_it_shares_the_cache_and_sessions_through_redis_between_processes():
    key, value = f"h13-{uuid.uuid4().hex}", uuid.uuid4().hex
    setup = "from django.conf import settings; from django.core.cache import cache; "
    out = _shell(
        setup + f"cache.set({key!r}, {value!r}, 60); "
        "print(settings.CACHES['default']['BACKEND'], settings.SESSION_ENGINE)",
        REDIS_URL=REDIS_URL,
    )
    assert out == "django.core.cache.backends.redis.RedisCache django.contrib.sessions.backends.cached_db"
    assert _shell(setup + f"print(cache.get({key!r}))", REDIS_URL=REDIS_URL) == value  # another process
    # Without REDIS_URL: a per-process cache, which another process does not see.
    assert _shell(setup + f"print(cache.get({key!r}), settings.SESSION_ENGINE)") == (
        "None annotator.session_store"
    )
    _shell(setup + f"cache.delete({key!r})", REDIS_URL=REDIS_URL)
