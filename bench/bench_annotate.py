#!/usr/bin/env python3
"""Benchmark the annotate page: server time to render it with 50, 500 and 2,000 statements, and
to save one statement through the htmx endpoint. Prints numbers; it is not a test.

    .venv/bin/python bench/bench_annotate.py [--repeat 25] [--keep]

It creates its own PostgreSQL database (annotator_bench_ui on 127.0.0.1:5432, or BENCH_DATABASE_URL),
migrates it, loads articles from the standard workload (../shared/bench/workload.py, or WORKLOAD),
measures in process through Django's real WSGI handler (the whole middleware stack: session,
auth, htmx, CSRF, template rendering; no network, and none of the test client's instrumentation),
then drops the database (--keep leaves it). The clock covers the handler only: each request's WSGI
environ (what a server's HTTP parser builds) is made before it starts.

Articles with more statements than one workload article holds (50 spans) are built by joining
consecutive workload articles, so every size has the same density of spans per character.
Statements are written through statements/services.py, like every other write.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotator_bench_ui")
WORKLOAD = Path(os.environ.get("WORKLOAD", ROOT.parent / "shared" / "bench" / "workload.py"))
SIZES = (50, 500, 2000)
SPEAKERS = ["Vladimir Putin", "Donald Trump", "Volodymyr Zelensky", "Emmanuel Macron", "Olaf Scholz"]


def _admin(sql: str) -> None:
    """Run one statement on the server's maintenance database (CREATE/DROP DATABASE)."""
    import psycopg

    url = urlparse(DATABASE_URL)
    with psycopg.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    ) as conn:
        conn.autocommit = True
        conn.execute(sql)


def configure_django() -> None:
    name = urlparse(DATABASE_URL).path.lstrip("/")
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ["DEBUG"] = "false"  # production behaviour: no query log, cached templates
    os.environ.setdefault("SECURE_COOKIES", "false")  # in process over plain HTTP: no redirect to HTTPS
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    # Production settings with plain static storage (no collectstatic needed) and fast hashing.
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings_test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    _admin(f'DROP DATABASE IF EXISTS "{urlparse(DATABASE_URL).path.lstrip("/")}" WITH (FORCE)')


def load_workload(n_articles: int) -> list[dict]:
    spec = importlib.util.spec_from_file_location("workload", WORKLOAD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.generate(n=n_articles))


def joined(articles: list[dict], size: int, offset: int) -> tuple[str, list[dict]]:
    """One long text from consecutive workload articles, with their first `size` spans."""
    parts, spans, pos = [], [], 0
    for art in articles[offset:]:
        if len(spans) >= size:
            break
        if parts:
            parts.append("\n\n")
            pos += 2
        for ann in art["annotations"]:
            spans.append({**ann, "start": ann["start"] + pos, "end": ann["end"] + pos})
        parts.append(art["text"])
        pos += len(art["text"])
    return "".join(parts), spans[:size]


def build(articles: list[dict]) -> dict:
    """Users, actors and one article per size, written through the services."""
    from statements import services
    from statements.models import Membership, Role, User

    project = services.project_create(user=None, name="Bench: annotate page")
    users = {name: User.objects.create_user(username=name, password="bench") for name in ("ann_a", "ann_b")}
    for user in users.values():
        Membership.objects.create(project=project, user=user, role=Role.ANALYST)
    actors = [services.actor_create(user=None, name=name) for name in SPEAKERS]
    built = {}
    offset = 0
    for size in SIZES:
        text, spans = joined(articles, size, offset)
        offset += -(-size // 50)
        article = services.article_create(
            user=None, project=project, title=f"Bench: {size} statements", text=text
        )
        started = time.perf_counter()
        for i, span in enumerate(spans):
            conditions = []
            if i % 5 == 0:
                condition = {"description": "Only if the funding is secured"}
                if i % 10 == 0:
                    condition.update(
                        evidence_start=span["start"], evidence_end=span["end"], evidence_quote=span["quote"]
                    )
                conditions.append(condition)
            services.statement_create(
                article=article,
                user=users[span["annotator"]],
                start=span["start"],
                end=span["end"],
                quote=span["quote"],
                stance=span["label"],
                speaker=actors[i % len(actors)],
                addressee=actors[(i + 1) % len(actors)] if i % 3 == 0 else None,
                conditions=conditions,
            )
        built[size] = {"article": article, "spans": spans, "load_s": time.perf_counter() - started}
    from django.db import connection

    with connection.cursor() as cursor:
        # The planner's statistics of the loaded tables, which autovacuum gathers within a minute of
        # a load in any running database; measured before that, the plans are those of empty
        # tables (a saved entry's place took 3.5 ms instead of 0.07 at 2,000 statements).
        cursor.execute("ANALYZE")
    return {"users": users, "actors": actors, "articles": built}


CPU: list[float] = []  # the app process's CPU time of each timed call (see timed)


def timed(fn, repeat: int, warmup: int = 3) -> list[float]:
    """Wall-clock ms of each call; the process CPU ms of each go to CPU (on a shared, loaded
    machine the wall clock also counts waiting for a core and for PostgreSQL's own process)."""
    for _ in range(warmup):
        fn()
    out = []
    CPU.clear()
    for _ in range(repeat):
        cpu = time.process_time()
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
        CPU.append((time.process_time() - cpu) * 1000)
    return out


class WsgiClient:
    """Calls Django's real WSGI handler, as a server would: no test-client instrumentation
    (Django's test Client copies every template context for its assertions, which is not server
    time). Sends the session cookie of a signed-in user and a CSRF cookie plus header."""

    def __init__(self, session_key: str) -> None:
        from django.conf import settings
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        self.handler = WSGIHandler()
        self.factory = RequestFactory()
        self.csrf = "b" * 32  # an unmasked secret is accepted as the token
        self.cookies = (
            f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={self.csrf}"
        )

    def environ(self, request) -> dict:
        """The WSGI environ of a RequestFactory request with the cookies and the CSRF header: what
        a server's HTTP parser hands Django, built before the clock starts."""
        environ = dict(request.environ)
        environ["HTTP_COOKIE"] = self.cookies
        environ["HTTP_X_CSRFTOKEN"] = self.csrf
        return environ

    def call(self, environ: dict) -> tuple[int, bytes]:
        """Django's WSGI handler on `environ`, the whole answer read: what the benchmark times."""
        status: list[str] = []
        body = b"".join(self.handler(environ, lambda s, h, exc_info=None: status.append(s)))
        return int(status[0].split()[0]), body

    def get_environ(self, url: str, headers: dict | None = None) -> dict:
        return self.environ(self.factory.get(url, headers=headers or {}))

    def post_environ(self, url: str, body: str, headers: dict | None = None) -> dict:
        request = self.factory.post(
            url, body, content_type="application/x-www-form-urlencoded", headers=headers or {}
        )
        return self.environ(request)

    def get(self, url: str, headers: dict | None = None) -> tuple[int, bytes]:
        return self.call(self.get_environ(url, headers))

    def post(self, url: str, body: str, headers: dict | None = None) -> tuple[int, bytes]:
        return self.call(self.post_environ(url, body, headers))


class QueryCounter:
    """A database execute wrapper that records each statement sent."""

    def __init__(self, sink: list[str]) -> None:
        self.sink = sink

    def __call__(self, execute, sql, params, many, context):
        self.sink.append(sql)
        return execute(sql, params, many, context)


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=25, help="timed requests per measurement")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    configure_django()
    try:
        run(args.repeat)
    finally:
        if not args.keep:
            drop_database()


def run(repeat: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from statements import services
    from statements.models import Statement

    print(f"database: {connection.vendor} {connection.pg_version // 10000}, {DATABASE_URL}")
    print(
        f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs (other work skews numbers)"
    )
    articles = load_workload(-(-sum(SIZES) // 50) + 1)
    data = build(articles)
    test_client = Client()
    test_client.force_login(data["users"]["ann_a"])
    client = WsgiClient(test_client.session.session_key)

    print(f"\nAnnotate page: GET as an analyst, everyone's statements, full page ({repeat} requests)")
    print(
        f"{'statements':>10} {'chars':>8} {'median ms':>10} {'min ms':>7} {'p90 ms':>7} {'queries':>8}"
        f" {'µs/statement':>13} {'cpu ms':>7}"
    )
    for size, info in data["articles"].items():
        url = info["article"].get_absolute_url()
        queries: list[str] = []
        with connection.execute_wrapper(QueryCounter(queries)):
            status, content = client.get(url)
        shown = content.count(b'class="statement ')
        assert status == 200 and shown == size, (status, shown, size)
        env = client.get_environ(url)  # a GET's environ can be used again (no body to read)
        times = timed(lambda env=env: client.call(dict(env)), repeat)
        median = statistics.median(times)
        print(
            f"{size:>10} {len(info['article'].text):>8} {median:>10.1f} {min(times):>7.1f} {p90(times):>7.1f}"
            f" {len(queries):>8} {median * 1000 / size:>13.0f} {statistics.median(CPU):>7.1f}"
        )

    print("\nPanel fragment (click a highlight): GET ?statement=ID with HX-Target: panel")
    for size, info in data["articles"].items():
        statement = Statement.objects.filter(article=info["article"]).first()
        url = f"{info['article'].get_absolute_url()}?statement={statement.pk}"
        headers = {"HX-Request": "true", "HX-Target": "panel"}
        env = client.get_environ(url, headers)
        times = timed(lambda env=env: client.call(dict(env)), repeat)
        print(
            f"{size:>10} statements: median {statistics.median(times):.1f} ms, min {min(times):.1f},"
            f" p90 {p90(times):.1f}"
        )

    print("\nThe whole workspace fragment (what a save answered before it sent only what changed):")
    print("GET with HX-Target: workspace")
    for size, info in data["articles"].items():
        url = info["article"].get_absolute_url()
        headers = {"HX-Request": "true", "HX-Target": "workspace"}
        env = client.get_environ(url, headers)
        times = timed(lambda env=env: client.call(dict(env)), repeat)
        print(
            f"{size:>10} statements: median {statistics.median(times):.1f} ms, min {min(times):.1f},"
            f" p90 {p90(times):.1f}; cpu median {statistics.median(CPU):.1f} ms"
        )

    print("\nSave one statement through the htmx endpoint: POST (convert, validate, write, history)")
    print("and only what changed in the response (out-of-band swaps: the new highlight run, the list")
    print("entry, the counts, the panel); each new statement is deleted again, untimed, so the article")
    print("keeps its size. cpu: the app process's own CPU time (the rest is waiting: PostgreSQL, a core).")
    for size, info in data["articles"].items():
        article, spans = info["article"], info["spans"]
        url = reverse("statement_create", args=[article.pk])
        headers = {"HX-Request": "true", "HX-Target": "workspace"}
        save_times, service_times, save_cpu = [], [], []
        save_queries: list[str] = []
        for i in range(repeat + 3):
            span = spans[(i * 7) % len(spans)]
            payload = {
                # the workload is all BMP, so UTF-16 offsets equal code points here
                "start_u16": span["start"],
                "end_u16": span["end"],
                "quote": span["quote"],
                "stance": "demand",
                "speaker": data["actors"][0].pk,
                "addressee": "",
                "note": "bench",
                "condition": ["Only if the funding is secured"],
                "condition_id": [""],
                "condition_ev_start": [""],
                "condition_ev_end": [""],
                "condition_ev_quote": [""],
            }
            body = urlencode(payload, doseq=True)  # as htmx sends a form without files
            env = client.post_environ(url, body, headers)
            cpu = time.process_time()
            started = time.perf_counter()
            if i == 0:
                with connection.execute_wrapper(QueryCounter(save_queries)):
                    status, content = client.call(env)
            else:
                status, content = client.call(env)
            elapsed = (time.perf_counter() - started) * 1000
            cpu_ms = (time.process_time() - cpu) * 1000
            assert status == 200, content[:500]
            created = Statement.objects.filter(article=article).order_by("-pk").first()
            services.statement_delete(statement=created, user=data["users"]["ann_a"])
            started = time.perf_counter()
            created = services.statement_create(
                article=article,
                user=data["users"]["ann_a"],
                start=span["start"],
                end=span["end"],
                quote=span["quote"],
                stance="demand",
                speaker=data["actors"][0],
                conditions=[{"description": "Only if the funding is secured"}],
            )
            service_ms = (time.perf_counter() - started) * 1000
            services.statement_delete(statement=created, user=data["users"]["ann_a"])
            if i >= 3:  # warm-up
                save_times.append(elapsed)
                service_times.append(service_ms)
                save_cpu.append(cpu_ms)
        print(
            f"{size:>10} statements: endpoint median {statistics.median(save_times):.1f} ms"
            f" (min {min(save_times):.1f}, p90 {p90(save_times):.1f}); the write alone"
            f" (services.statement_create) median {statistics.median(service_times):.1f} ms;"
            f" cpu median {statistics.median(save_cpu):.1f} ms; {len(save_queries)} queries,"
            f" {len(content):,} bytes"
        )
    print("\nLoading (statement_create per span, not part of the targets):")
    for size, info in data["articles"].items():
        print(f"{size:>10} statements in {info['load_s']:.1f} s")


if __name__ == "__main__":
    main()
