"""A database outage (#13, item 6): 503 with Retry-After, JSON under /api/, a short page in the site
layout elsewhere, and recovery by itself once the database is back.

The app runs in a real gunicorn (deploy/gunicorn.conf.py) against a copy of the test database:
- PostgreSQL: through a TCP gate on 127.0.0.1 that we close (every connection cut, new ones
  refused) for a few seconds, then open again on the same port;
- SQLite: a file whose folder we move away (the file cannot be opened) and back.
"""

import contextlib
import json
import os
import shutil
import socket
import sqlite3
import threading
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token

from deploy import stack
from tests.factories import UserFactory, default_project

pytestmark = [pytest.mark.deploy, pytest.mark.django_db(transaction=True)]


class Gate:
    """A TCP forwarder 127.0.0.1:port -> target that can refuse connections for a while."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = stack.free_port()
        self.listener: socket.socket | None = None
        self.live: list[socket.socket] = []
        self.lock = threading.Lock()

    def open(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def close(self) -> None:
        """Refuse new connections and cut the open ones (what a database going away looks like)."""
        if self.listener is not None:
            with contextlib.suppress(OSError):  # shutdown wakes the accept() blocked in its thread
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            for s in self.live:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self.live.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.live += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


def _get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def outage(tmp_path):
    """A function giving (database URL for the server, stop(), restore()) for the test database
    as it is when called (on SQLite a copy of it, so call it once the data is there)."""
    settings = connection.settings_dict
    cleanup = []

    def prepare():
        if connection.vendor == "postgresql":
            gate = Gate((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or 5432)))
            gate.open()
            cleanup.append(gate.close)
            password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
            url = f"postgres://{settings['USER']}{password}@127.0.0.1:{gate.port}/{settings['NAME']}"
            return url, gate.close, gate.open
        folder, away = tmp_path / "db", tmp_path / "db-away"
        folder.mkdir()
        target = sqlite3.connect(folder / "db.sqlite3")
        connection.ensure_connection()
        connection.connection.backup(target)  # the migrated test database, users included
        target.close()
        cleanup.append(lambda: shutil.rmtree(away, ignore_errors=True))
        return f"sqlite:///{folder / 'db.sqlite3'}", lambda: folder.rename(away), lambda: away.rename(folder)

    yield prepare
    for step in cleanup:
        step()


def test_it_answers_503_while_the_database_is_down_and_recovers_by_itself(outage, tmp_path):
    user = UserFactory(role="analyst", role__project=default_project())
    token = Token.objects.create(user=user)
    browser = Client()
    browser.force_login(user)
    session = browser.cookies["sessionid"].value
    database_url, stop, restore = outage()

    env = {
        "DJANGO_SETTINGS_MODULE": "annotator.settings_test",
        "DEBUG": "false",
        "SECURE_COOKIES": "false",  # plain HTTP on 127.0.0.1: no HTTPS redirect, no secure cookies
        "SECURE_SSL_REDIRECT": "false",
        "SECRET_KEY": "deploy-test-secret-key-not-for-production-0123456789abcdef",
        "DATABASE_URL": database_url,
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "JOBS_PROGRESS_DIR": str(tmp_path / "progress"),
    }
    port = stack.free_port()
    server = stack.start_gunicorn(port, {**os.environ, **env}, log=tmp_path / "gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    api = (base + "/api/projects/", {"Authorization": f"Token {token.key}"})
    page = (base + "/", {"Cookie": f"sessionid={session}"})
    try:
        stack.wait_for_http(base + "/accounts/login/", process=server)
        assert _get(*api)[0] == 200
        status, _, body = _get(*page)
        assert status == 200, body[:500]

        stop()
        try:
            for _ in range(2):  # a kept connection cut, then a new one refused: both are a 503
                status, headers, body = _get(*api)
                assert status == 503, body[:500]
                assert headers["Content-Type"] == "application/json"
                assert int(headers["Retry-After"]) > 0
                assert "database" in json.loads(body)["detail"]

                status, headers, body = _get(*page)
                assert status == 503, body[:500]
                assert headers["Content-Type"].startswith("text/html")
                assert int(headers["Retry-After"]) > 0
                html = body.decode()
                assert "The database is unavailable" in html
                assert 'class="brand"' in html and "css/app.css" in html  # the site's layout
                assert "Sign out" not in html  # rendered without the session or user
            time.sleep(2)
        finally:
            restore()

        deadline = time.monotonic() + 30  # bounded: recovery needs no restart, only a retry
        statuses: list[int] = []
        while time.monotonic() < deadline:
            statuses = [_get(*api)[0], _get(*page)[0]]
            if statuses == [200, 200]:
                break
            time.sleep(0.5)
        assert statuses == [200, 200]
        assert server.poll() is None  # the same process served throughout
    finally:
        server.terminate()
        server.wait(timeout=15)
