"""The standard workload (../shared/bench/workload.py) in a benchmark database, PostgreSQL or SQLite.

Shared by bench_export.py and bench_api.py. Each N has its own database:
- PostgreSQL: `<BENCH_DATABASE_URL>_n<N>` (default postgres://postgres@127.0.0.1:5432/annotator_bench_export_n2000);
- SQLite: `<BENCH_SQLITE_DIR>/annotator_bench_n<N>.sqlite3` (default /tmp).

The loader migrates the database and writes N articles of ~3,000 characters with 25 statements per
annotator and article (2 annotators, 50 per article), in committed batches (COPY on PostgreSQL,
executemany on SQLite, the quote triggers on): an interrupted load resumes where it stopped, and a
database already loaded with the same N is not loaded again. Speakers and addressees are the actors
the workload's sentences name; about one statement in six gets one or two conditions, one in ten a
review. Everything is in one project, `workload`, whose lead is `bench_lead` (not a superuser: the
membership rules run as for any member).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORKLOAD = Path(os.environ.get("BENCH_WORKLOAD", ROOT.parent / "shared" / "bench" / "workload.py"))
PG_BASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotator_bench_export"
)
SQLITE_DIR = Path(os.environ.get("BENCH_SQLITE_DIR", "/tmp"))
BATCH_ARTICLES = 500
TABLES = ("article", "statement", "condition", "review", "actor", "user")


def db_url(vendor: str, n: int) -> str:
    if vendor == "sqlite":
        return f"sqlite:///{SQLITE_DIR / f'annotator_bench_n{n}.sqlite3'}"
    return f"{PG_BASE_URL}_n{n}"


def sqlite_path(n: int) -> Path:
    return SQLITE_DIR / f"annotator_bench_n{n}.sqlite3"


def setup_django(vendor: str, n: int) -> None:
    """Django on the benchmark database: production settings, DEBUG off (no query log)."""
    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise without collectstatic
    os.environ["DATABASE_URL"] = db_url(vendor, n)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECURE_COOKIES", "false")  # in process over plain HTTP: no redirect to HTTPS
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load_workload_module() -> Any:
    spec = importlib.util.spec_from_file_location("workload", WORKLOAD)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def ensure_database(vendor: str, n: int) -> None:
    """Create (PostgreSQL) and migrate the database of N."""
    if vendor == "postgresql":
        import psycopg

        name = db_url(vendor, n).rsplit("/", 1)[1]
        admin = db_url(vendor, n).rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": db_url(vendor, n)}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--skip-checks", "-v", "0"],
        check=True,
        env=env,
    )


def load(vendor: str, n: int, reload: bool) -> dict:
    """Load N workload articles (resumable, idempotent); what was done and how fast. Call after
    setup_django(vendor, n)."""
    from django.db import connection, transaction

    from statements.models import Actor, ActorKind, Membership, Project, Role, User
    from statements.services import normalize_text, text_sha256

    postgres = connection.vendor == "postgresql"
    wl = load_workload_module()
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (n integer PRIMARY KEY, loaded_seconds float)")
        cur.execute("SELECT n, loaded_seconds FROM bench_meta")
        meta = cur.fetchone()
        if meta and meta[0] == n and not reload:
            cur.execute("SELECT count(*) FROM statements_statement")
            return {"n": n, "skipped": True, "statements": cur.fetchone()[0], "loaded_seconds": meta[1]}
        if reload or (meta and meta[0] != n):
            tables = (
                "statements_review, statements_condition, statements_comment, statements_statementevent,"
                " statements_statement_adjudicated_from, statements_statement, statements_articleassignment,"
                " statements_article, statements_actoralias, statements_actor, bench_meta"
            )
            if postgres:
                cur.execute(f"TRUNCATE {tables} CASCADE")
            else:
                for table in tables.split(","):
                    cur.execute(f"DELETE FROM {table.strip()}")

    users = {}
    for username in ("ann_a", "ann_b", "bench_lead"):
        users[username], _ = User.objects.get_or_create(username=username)
    project, _ = Project.objects.get_or_create(slug="workload", defaults={"name": "Workload"})
    for username, role in (("ann_a", Role.ANALYST), ("ann_b", Role.ANALYST), ("bench_lead", Role.LEAD)):
        Membership.objects.get_or_create(project=project, user=users[username], defaults={"role": role})
    orgs = {}
    for name in wl.ORGS:
        orgs[name], _ = Actor.objects.get_or_create(name=name, defaults={"kind": ActorKind.ORGANIZATION})
    people = {}
    for i, name in enumerate(wl.SPEAKERS):
        affiliation = orgs[wl.ORGS[i % len(wl.ORGS)]] if i % 3 else None
        people[name], _ = Actor.objects.get_or_create(
            name=name, defaults={"kind": ActorKind.PERSON, "affiliation": affiliation}
        )
    speaker_ids = [(name, people[name].pk) for name in wl.SPEAKERS]
    org_ids = [(name, orgs[name].pk) for name in wl.ORGS]

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM statements_article")
        done_articles = cur.fetchone()[0]
    t0 = time.perf_counter()
    article_id = statement_id = condition_id = review_id = 0
    base = 1_700_000_000.0
    pending: list = []
    loaded = 0

    article_cols = (
        "id, project_id, title, source, url, published, dateline, language, text, text_sha256,"
        " created_by_id, created_at, updated_at"
    )
    statement_cols = (
        'id, article_id, start, "end", quote, speaker_id, addressee_id, stance, note, annotator_id,'
        " status, is_gold, version, created_at, updated_at, anchor_state, gold_unconfirmed"
    )
    condition_cols = (
        "id, statement_id, description, evidence_start, evidence_end, evidence_quote, position, created_at"
    )
    review_cols = "id, statement_id, reviewer_id, verdict, comment, statement_version, created_at"
    inserts = (
        ("statements_article", article_cols),
        ("statements_statement", statement_cols),
        ("statements_condition", condition_cols),
        ("statements_review", review_cols),
    )

    def sqlite_value(v: Any) -> Any:
        # as Django's SQLite backend stores them: naive UTC text, dates in ISO, booleans as 0/1
        if isinstance(v, dt.datetime):
            return v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(v, dt.date):
            return v.isoformat()
        if isinstance(v, bool):
            return int(v)
        return v

    def flush(batch: list) -> None:
        nonlocal loaded
        if not batch:
            return
        groups: tuple[list, list, list, list] = ([], [], [], [])
        for parts in batch:
            for group, rows in zip(groups, parts, strict=True):
                group.extend(rows)
        with transaction.atomic(), connection.cursor() as cur:
            for (table, cols), rows in zip(inserts, groups, strict=True):
                if postgres:
                    with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                elif rows:
                    marks = ", ".join("?" * len(rows[0]))
                    cur.cursor.executemany(
                        f"INSERT INTO {table} ({cols}) VALUES ({marks})",
                        [tuple(sqlite_value(v) for v in row) for row in rows],
                    )
        loaded += len(batch)

    def ts(seconds: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(base + seconds, tz=dt.UTC)

    other = {"ann_a": users["ann_b"].pk, "ann_b": users["ann_a"].pk}
    for index, art in enumerate(wl.generate(n)):
        article_id += 1
        text = normalize_text(art["text"])
        assert text == art["text"]
        created = ts(article_id)
        a_row = (
            article_id,
            project.pk,
            art["title"],
            "Workload",
            f"https://example.org/news/{article_id}",
            (dt.date(2024, 1, 1) + dt.timedelta(days=article_id % 700)),
            wl.PLACES[article_id % len(wl.PLACES)].upper(),
            "en",
            text,
            text_sha256(text),
            users["ann_a"].pk,
            created,
            created,
        )
        s_rows, c_rows, r_rows = [], [], []
        for ann in art["annotations"]:
            statement_id += 1
            start, end = ann["start"], ann["end"]
            window = text[max(0, start - 120) : end + 60]
            speaker = next((pk for name, pk in speaker_ids if name in window), None)
            addressee = None
            if statement_id % 3 == 0:
                addressee = next((pk for name, pk in org_ids if name in window), None)
            status, reviewer = "pending", other[ann["annotator"]]
            if statement_id % 10 == 0:
                review_id += 1
                verdict = "reject" if statement_id % 30 == 0 else "accept"
                status = "rejected" if verdict == "reject" else "accepted"
                comment = "Wrong speaker." if verdict == "reject" else ""
                r_rows.append((review_id, statement_id, reviewer, verdict, comment, 1, ts(article_id + 0.5)))
            created_s = ts(article_id + statement_id / 1e6)
            s_rows.append(
                (
                    statement_id,
                    article_id,
                    start,
                    end,
                    ann["quote"],
                    speaker,
                    addressee,
                    ann["label"],
                    "",
                    users[ann["annotator"]].pk,
                    status,
                    False,
                    1,
                    created_s,
                    created_s,
                    "anchored",
                    False,
                )
            )
            if ann["label"] != "support" and statement_id % 4 == 0:
                condition_id += 1
                c_rows.append(
                    (
                        condition_id,
                        statement_id,
                        "Only if the funding is secured",
                        start,
                        end,
                        ann["quote"],
                        0,
                    )
                    + (created_s,)
                )
                if statement_id % 8 == 0:
                    condition_id += 1
                    c_rows.append(
                        (condition_id, statement_id, "A binding deadline; verification", None, None, "", 1)
                        + (created_s,)
                    )
        if index < done_articles:
            continue  # loaded by an earlier, interrupted run
        pending.append(([a_row], s_rows, c_rows, r_rows))
        if len(pending) >= BATCH_ARTICLES:
            flush(pending)
            pending = []
            print(f"  loaded {index + 1:,}/{n:,} articles", file=sys.stderr, flush=True)
    flush(pending)
    load_seconds = time.perf_counter() - t0
    with connection.cursor() as cur:
        if postgres:
            for table in TABLES:
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('statements_{table}', 'id'),"
                    f" (SELECT coalesce(max(id), 1) FROM statements_{table}))"
                )
    if postgres:
        connection.connection.autocommit = True
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
        cur.execute("INSERT INTO bench_meta (n, loaded_seconds) VALUES (%s, %s)", (n, load_seconds))
        cur.execute("SELECT count(*) FROM statements_statement")
        total = cur.fetchone()[0]
    return {
        "n": n,
        "skipped": False,
        "articles_loaded": loaded,
        "statements": total,
        "loaded_seconds": load_seconds,
    }


def token_client() -> Any:
    """A Django test client authenticated as bench_lead with a token (the real WSGI handler)."""
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from statements.models import User

    lead = User.objects.get(username="bench_lead")
    token, _ = Token.objects.get_or_create(user=lead)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


if __name__ == "__main__":  # python bench/workload_db.py sqlite|postgresql N [--reload]
    vendor, size = sys.argv[1], int(sys.argv[2])
    ensure_database(vendor, size)
    setup_django(vendor, size)
    print(load(vendor, size, "--reload" in sys.argv))
