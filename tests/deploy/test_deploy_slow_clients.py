"""Slow clients cannot take the site down (#13, item 5): nginx (deploy/nginx.conf.template) buffers
every request before gunicorn (deploy/gunicorn.conf.py) sees it.

The test starts the real stack on 127.0.0.1 (random free ports): nginx in front of one gunicorn
process with one worker, opens slow connections that send half a request header and then stall,
and slow uploads that trickle their body, and shows that ordinary requests still answer. The
control case shows that the same attack does block gunicorn's sync worker when nothing is in
front of it (what happened before), so the test can fail."""

import os
import socket
import time
import urllib.request

import pytest

from deploy import stack

pytestmark = [
    pytest.mark.deploy,
    pytest.mark.skipif(
        stack.NGINX is None and os.environ.get("CI") != "true",
        reason="nginx is not installed (apt-get install -y nginx); CI installs it",
    ),
]

PAGE = "/accounts/login/"  # a Django view (template, CSRF cookie) that needs no database row


def _env(tmp_path) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "annotator.settings_test",
        "DEBUG": "false",
        "SECURE_COOKIES": "false",  # plain HTTP on 127.0.0.1: no HTTPS redirect, no secure cookies
        "SECURE_SSL_REDIRECT": "false",
        "SECRET_KEY": "deploy-test-secret-key-not-for-production-0123456789abcdef",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
        "JOBS_PROGRESS_DIR": str(tmp_path / "progress"),
    }


def _stall_headers(url: str, n: int) -> list[socket.socket]:
    """`n` connections that send the start of a request and then nothing more."""
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for _ in range(n):
        s = socket.create_connection((host, int(port)), timeout=5)
        s.sendall(b"GET " + PAGE.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sockets.append(s)
    return sockets


def _trickle_bodies(url: str, n: int) -> list[socket.socket]:
    """`n` POSTs announcing a 1 MB body and sending only its first bytes."""
    host, port = url.removeprefix("http://").split(":")
    sockets = []
    for _ in range(n):
        s = socket.create_connection((host, int(port)), timeout=5)
        s.sendall(
            b"POST " + PAGE.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1048576\r\n\r\nusername="
        )
        sockets.append(s)
    return sockets


def _answers(url: str, *, timeout: float) -> int | None:
    """The status of a GET, or None if nothing came back within `timeout` seconds."""
    try:
        with urllib.request.urlopen(url + PAGE, timeout=timeout) as response:
            return response.status
    except TimeoutError:
        return None
    except OSError as exc:
        if isinstance(getattr(exc, "reason", None), TimeoutError):
            return None
        raise


def test_it_keeps_answering_behind_nginx_while_clients_stall(tmp_path):
    with stack.running_stack(env=_env(tmp_path), apps=1, run_dir=tmp_path / "run") as running:
        stalled = _stall_headers(running.url, 30) + _trickle_bodies(running.url, 10)
        try:
            time.sleep(1)  # let nginx accept them all
            # Each request must come back: gunicorn never saw the stalled ones. The 10 s bound
            # only decides failure (a blocked site answers after ~30 s, gunicorn's timeout, or
            # never); it is generous for a loaded CI machine.
            statuses = [_answers(running.url, timeout=10) for _ in range(20)]
            assert statuses == [200] * 20
            # The same through gunicorn directly: its threads are not taken either, because the
            # stalled clients are all held by nginx.
            assert _answers(running.app_urls[0], timeout=10) == 200
            for s in stalled[:5]:  # still open on nginx's side: they only wait
                s.sendall(b"x")
        finally:
            for s in stalled:
                s.close()
        assert not running.dead()


def test_it_shows_that_gunicorn_alone_with_a_sync_worker_is_blocked(tmp_path):
    """The control: two stalled connections straight to a sync worker hold it (issue 13's
    finding), which is what the proxy and the threads prevent."""
    port = stack.free_port()
    env = {**os.environ, **_env(tmp_path)}
    process = stack.subprocess.Popen(
        [
            stack.sys.executable,
            "-m",
            "gunicorn",
            "--worker-class",
            "sync",
            "--workers",
            "1",
            "--timeout",
            "30",
            "--bind",
            f"127.0.0.1:{port}",
            "annotator.wsgi:application",
        ],
        cwd=stack.ROOT,
        env=env,
        stdout=stack.subprocess.DEVNULL,
        stderr=stack.subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        stack.wait_for_http(url + PAGE, process=process)
        stalled = _stall_headers(url, 2)
        try:
            assert _answers(url, timeout=3) is None
        finally:
            for s in stalled:
                s.close()
        assert _answers(url, timeout=10) == 200  # free again once they go
    finally:
        process.terminate()
        process.wait(timeout=15)
