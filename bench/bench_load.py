#!/usr/bin/env python3
"""Load bench of the production stack (#13): 50 clients for 60 s against nginx + 2 gunicorn
processes + the job worker on PostgreSQL (Redis when one answers), all on 127.0.0.1, mixing reads
and writes; then it checks the database. Prints numbers; it is not a test.

    .venv/bin/python bench/bench_load.py [--clients 50] [--seconds 60] [--keep]

It creates its own database (annotator_bench_load on 127.0.0.1:5432, or BENCH_DATABASE_URL),
migrates it, loads the seed corpus plus 40 articles, 12 analysts with API tokens and sessions,
starts the stack of `make serve` (deploy/stack.py) on free ports, and runs the clients, each on
its own keep-alive connection, in a loop without pauses:

    reads (80 %)   the annotate page (HTML, session), GET /api/statements/?article=,
                   GET /api/articles/<id>/, the project page
    writes (20 %)  POST /api/statements/ (a new statement whose quote is the text at its span),
                   PATCH of one of the client's own statements (its note, with its version),
                   POST /api/conditions/ on one of its own statements

Every acknowledged write (2xx) is remembered. Afterwards: every statement's quote equals its
article's text at its span, every acknowledged statement and condition is there, and each edited
statement has the note of the client's last acknowledged edit. Goal on the 2-core machine:
0 errors, 0 lost writes, reads p95 under 500 ms. Then the database is dropped (--keep leaves it).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from deploy import stack  # noqa: E402  (after the path)

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotator_bench_load")
PARAGRAPHS = [
    "The foreign minister said the talks in Geneva had been “frank and useful”, adding that any "
    "ceasefire must be verified by international monitors.",
    "Officials in Kyiv insisted that no agreement could be signed before all prisoners were "
    "exchanged, while Moscow demanded guarantees on the status of the eastern regions.",
    "A spokesman for the European Commission welcomed the proposal but warned that sanctions "
    "would remain in place until the withdrawal was complete.",
    "Washington's envoy told reporters the plan was “a first step, not the last one”, and called on "
    "both sides to stop shelling civilian areas immediately.",
]


def _admin(sql: str) -> None:
    import psycopg

    url = urlparse(DATABASE_URL)
    with psycopg.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    ) as conn:
        conn.autocommit = True
        conn.execute(sql)


def prepare(run_dir: Path) -> dict[str, str]:
    """A fresh database with the data; Django configured in this process on it. The stack's env."""
    name = urlparse(DATABASE_URL).path.lstrip("/")
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{name}"')
    env = stack.production_env(run_dir, DATABASE_URL)
    env["DEMO_PASSWORD_FILE"] = str(run_dir / "demo-password")
    if env.get("REDIS_URL"):
        env["REDIS_URL"] = "redis://127.0.0.1:6379/14"  # its own Redis database, emptied below
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("load_seeds", verbosity=0)
    if env.get("REDIS_URL"):
        cache.clear()
    return env


def make_data(n_articles: int, n_users: int) -> tuple[list[dict], list[int], list[dict]]:
    from django.contrib.auth import login
    from django.test import RequestFactory
    from rest_framework.authtoken.models import Token

    from statements import services
    from statements.data.seeding import sample_project
    from statements.models import Actor, Membership, Role, User

    project = sample_project({})
    lead = User.objects.create_user("bench-lead", password=None)
    Membership.objects.create(project=project, user=lead, role=Role.LEAD)
    articles = []
    rng = random.Random(13)
    for i in range(n_articles):
        text = "\n\n".join(rng.choice(PARAGRAPHS) + f" (Report {i}, part {k}.)" for k in range(8))
        article = services.article_create(user=lead, project=project, title=f"Bench report {i}", text=text)
        articles.append({"id": article.pk, "text": article.text})
    speakers = list(Actor.objects.values_list("pk", flat=True))
    users = []
    factory = RequestFactory()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.backends.base import SessionBase

    engine = import_module(settings.SESSION_ENGINE)
    for i in range(n_users):
        user = User.objects.create_user(f"bench-analyst-{i}", password=None)
        Membership.objects.create(project=project, user=user, role=Role.ANALYST)
        token = Token.objects.create(user=user)
        request = factory.get("/")
        request.session = engine.SessionStore()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.save()
        session: SessionBase = request.session
        users.append({"token": token.key, "session": session.session_key, "slug": project.slug})
    return articles, speakers, users


class Client(threading.Thread):
    def __init__(self, n: int, url: str, deadline: float, articles, speakers, user, results) -> None:
        super().__init__(daemon=True)
        self.rng = random.Random(n)
        self.host, self.port = urlparse(url).hostname, urlparse(url).port
        self.deadline = deadline
        self.articles, self.speakers, self.user = articles, speakers, user
        self.results = results
        self.mine: dict[int, dict] = {}  # my statements: id -> {"version", "note"}
        self.conditions: list[tuple[int, int, str]] = []
        self.created: list[dict] = []
        self.errors: list[str] = []
        self.conn: http.client.HTTPConnection | None = None

    def _request(self, kind: str, method: str, path: str, body=None, session=False):
        headers = {"Host": "127.0.0.1"}
        if session:
            headers["Cookie"] = f"sessionid={self.user['session']}"
        else:
            headers["Authorization"] = f"Token {self.user['token']}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.conn.request(method, path, body=data, headers=headers)
            response = self.conn.getresponse()
            payload = response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
        except (OSError, http.client.HTTPException) as exc:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            self.results[kind].append(time.perf_counter() - start)
            self.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
            return None, None
        self.results[kind].append(time.perf_counter() - start)
        if not 200 <= status < 300:
            self.errors.append(f"{kind}: {status} {payload[:200]!r}")
            return status, None
        return status, payload

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            roll = self.rng.random()
            article = self.rng.choice(self.articles)
            if roll < 0.25:
                self._request("read: annotate page", "GET", f"/articles/{article['id']}/", session=True)
            elif roll < 0.55:
                self._request(
                    "read: api statements", "GET", f"/api/statements/?article={article['id']}&page_size=50"
                )
            elif roll < 0.70:
                self._request("read: api article", "GET", f"/api/articles/{article['id']}/")
            elif roll < 0.80:
                self._request("read: project page", "GET", f"/projects/{self.user['slug']}/", session=True)
            elif roll < 0.90 or not self.mine:
                self.create(article)
            elif roll < 0.96:
                self.edit()
            else:
                self.condition()

    def create(self, article: dict) -> None:
        text = article["text"]
        start = self.rng.randrange(0, len(text) - 80)
        end = start + self.rng.randrange(10, 80)
        body = {
            "article": article["id"],
            "start": start,
            "end": end,
            "quote": text[start:end],
            "stance": self.rng.choice(["support", "caveat", "demand"]),
            "speaker": self.rng.choice(self.speakers),
            "note": "",
        }
        _, payload = self._request("write: create statement", "POST", "/api/statements/", body)
        if payload:
            created = json.loads(payload)
            self.created.append({"id": created["id"], "start": start, "end": end, "quote": body["quote"]})
            self.mine[created["id"]] = {"version": created["version"], "note": ""}

    def edit(self) -> None:
        pk = self.rng.choice(list(self.mine))
        note = f"edited {self.rng.randrange(10**9)}"
        body = {"note": note, "version": self.mine[pk]["version"]}
        _, payload = self._request("write: edit statement", "PATCH", f"/api/statements/{pk}/", body)
        if payload:
            self.mine[pk] = {"version": json.loads(payload)["version"], "note": note}

    def condition(self) -> None:
        pk = self.rng.choice(list(self.mine))
        description = f"condition {self.rng.randrange(10**9)}"
        body = {"statement": pk, "description": description, "version": self.mine[pk]["version"]}
        _, payload = self._request("write: add condition", "POST", "/api/conditions/", body)
        if payload:
            self.conditions.append((pk, json.loads(payload)["id"], description))
            # A condition is an edit of the statement: its version moved on.
            from_server = self._request("read: api statement", "GET", f"/api/statements/{pk}/")[1]
            if from_server:
                self.mine[pk]["version"] = json.loads(from_server)["version"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")
    )


def check_database(clients: list[Client]) -> dict[str, int]:
    from django.db import connection

    from statements.models import Condition, Statement

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM statements_statement s JOIN statements_article a ON a.id = s.article_id "
            'WHERE substr(a.text, s.start + 1, s."end" - s.start) <> s.quote'
        )
        bad_quotes = cursor.fetchone()[0]
    created = [c for client in clients for c in client.created]
    stored = {s.pk: s for s in Statement.objects.filter(pk__in=[c["id"] for c in created])}
    lost_statements = sum(
        1
        for c in created
        if c["id"] not in stored
        or (stored[c["id"]].start, stored[c["id"]].end, stored[c["id"]].quote)
        != (c["start"], c["end"], c["quote"])
    )
    lost_edits = sum(
        1
        for client in clients
        for pk, state in client.mine.items()
        if state["note"] and (pk not in stored or stored[pk].note != state["note"])
    )
    conditions = [c for client in clients for c in client.conditions]
    present = set(
        Condition.objects.filter(pk__in=[c[1] for c in conditions]).values_list(
            "pk", "statement_id", "description"
        )
    )
    lost_conditions = sum(1 for pk, cid, description in conditions if (cid, pk, description) not in present)
    return {
        "statements checked": Statement.objects.count(),
        "quotes differing from their text": bad_quotes,
        "acknowledged statements": len(created),
        "lost statements": lost_statements,
        "edited statements": sum(1 for client in clients for s in client.mine.values() if s["note"]),
        "lost edits": lost_edits,
        "acknowledged conditions": len(conditions),
        "lost conditions": lost_conditions,
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()
    if stack.NGINX is None:
        print("bench_load: nginx is not installed (apt-get install -y nginx); skipped.")
        return 0
    run_dir = ROOT / "run" / "bench-load"
    if run_dir.exists():
        import shutil

        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    env = prepare(run_dir)
    articles, speakers, users = make_data(40, 12)
    running = stack.start_stack(
        env=env, apps=2, worker=True, run_dir=run_dir, static_root=str(ROOT / "staticfiles")
    )
    print(
        f"stack: nginx {running.url} → 2 gunicorn processes × {env['GUNICORN_WORKERS']} workers"
        f" × {os.environ.get('GUNICORN_THREADS', '3')} threads, "
        f"job worker, PostgreSQL{', Redis' if env.get('REDIS_URL') else ''}; {os.cpu_count()} cores; "
        f"{args.clients} clients for {args.seconds:.0f} s"
    )
    results: dict[str, list[float]] = defaultdict(list)
    try:
        deadline = time.monotonic() + args.seconds
        clients = [
            Client(i, running.url, deadline, articles, speakers, users[i % len(users)], results)
            for i in range(args.clients)
        ]
        began = time.monotonic()
        for client in clients:
            client.start()
        for client in clients:
            client.join(args.seconds + 60)
        elapsed = time.monotonic() - began
    finally:
        running.stop()
    total = sum(len(v) for v in results.values())
    errors = [e for client in clients for e in client.errors]
    print(
        f"\n{total:,} requests in {elapsed:.1f} s: {total / elapsed:,.0f} requests/s; errors: {len(errors)}"
    )
    print(f"{'request':<28} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    reads = [t for kind, v in results.items() if kind.startswith("read") for t in v]
    writes = [t for kind, v in results.items() if kind.startswith("write") for t in v]
    for kind, values in sorted(results.items()) + [("all reads", reads), ("all writes", writes)]:
        ms = [v * 1000 for v in values]
        print(
            f"{kind:<28} {len(ms):>7,} {statistics.median(ms) if ms else float('nan'):>8.0f} "
            f"{percentile(ms, 95):>8.0f} {percentile(ms, 99):>8.0f}"
        )
    for message in sorted(set(errors))[:10]:
        print("  error:", message)
    checks = check_database(clients)
    print()
    for name, value in checks.items():
        print(f"{name:<36} {value:,}")
    read_p95 = percentile([t * 1000 for t in reads], 95)
    lost = checks["lost statements"] + checks["lost edits"] + checks["lost conditions"]
    verdict = not errors and not lost and not checks["quotes differing from their text"] and read_p95 < 500
    print(f"\ngoal (0 errors, 0 lost writes, reads p95 < 500 ms): {'met' if verdict else 'NOT met'}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        _admin(f'DROP DATABASE IF EXISTS "{urlparse(DATABASE_URL).path.lstrip("/")}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
