#!/usr/bin/env python
"""Export benchmark on PostgreSQL: load the standard workload, then measure exports against COPY.

    .venv/bin/python bench/bench_export.py                  # N=2000 and N=40000 (100k and 2M statements)
    .venv/bin/python bench/bench_export.py --n 2000         # one size
    .venv/bin/python bench/bench_export.py --reload         # drop the loaded data and load again

For each N it uses its own database, `<BENCH_DATABASE_URL>_n<N>` (default
postgres://postgres@127.0.0.1:5432/annotator_bench_export_n2000 …), migrates it, and loads
`../shared/bench/workload.py` (N articles of ~3,000 characters, 25 statements per annotator and
article, 2 annotators) with COPY, in committed batches: an interrupted load resumes where it
stopped, and a database already loaded with the same N is not loaded again. Speakers and
addressees are the actors the workload's sentences name; about one statement in six gets one or
two conditions, one in ten a review.

Then, each in a fresh process (so that its peak RSS is its own), it measures:
- `copy-ref`: PostgreSQL's own `COPY (SELECT …the export's columns…) TO STDOUT` (text format),
  read by psql into /dev/null: the physical reference;
- `export-csv`, `export-jsonl` (and `export-json`): GET /api/export/statements through the real
  Django view (token auth, filters, StreamingHttpResponse), reading the whole stream; rows/s,
  time to first byte, peak RSS of the process;
- `python-jsonl`: the portable pure-Python path (the one SQLite uses) on the same rows, for scale;
- `list-page`: GET /api/statements/ with filters, 100 rows, median of 30.
and prints the ratios to COPY's row rate. Numbers only: nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKLOAD = Path(os.environ.get("BENCH_WORKLOAD", ROOT.parent / "shared" / "bench" / "workload.py"))
BASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotator_bench_export")
BATCH_ARTICLES = 500
LABEL_STUDIO_JSON_SECONDS = 3.24  # ../shared/bench/README.md, N=2000
LABEL_STUDIO_JSON_MB = 278


def db_url(n: int) -> str:
    return f"{BASE_URL}_n{n}"


def setup_django(n: int) -> None:
    """Configure Django on the benchmark database: production settings, DEBUG off (no query log)."""
    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise without collectstatic
    os.environ["DATABASE_URL"] = db_url(n)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def load_workload_module():
    spec = importlib.util.spec_from_file_location("workload", WORKLOAD)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------------------------
# Loading


def ensure_database(n: int) -> None:
    import psycopg

    name = db_url(n).rsplit("/", 1)[1]
    admin = db_url(n).rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": db_url(n)}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--skip-checks", "-v", "0"],
        check=True,
        env=env,
    )


def child_load(n: int, reload: bool) -> dict:
    """Load N workload articles (resumable, idempotent); returns what was done and how fast."""
    setup_django(n)
    from django.db import connection, transaction

    from statements.models import ActorKind, Role, User
    from statements.services import normalize_text, text_sha256

    wl = load_workload_module()
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (n integer PRIMARY KEY, loaded_seconds float)")
        cur.execute("SELECT n, loaded_seconds FROM bench_meta")
        meta = cur.fetchone()
        if meta and meta[0] == n and not reload:
            cur.execute("SELECT count(*) FROM statements_statement")
            return {"n": n, "skipped": True, "statements": cur.fetchone()[0], "loaded_seconds": meta[1]}
        if reload or (meta and meta[0] != n):
            cur.execute(
                "TRUNCATE statements_review, statements_condition, statements_comment,"
                " statements_statementevent, statements_statement_adjudicated_from, statements_statement,"
                " statements_articleassignment, statements_article, statements_actoralias,"
                " statements_actor, bench_meta, authtoken_token, statements_user CASCADE"
            )

    # Users and actors (few rows; through the ORM).
    users = {}
    for username, role in (("ann_a", Role.ANALYST), ("ann_b", Role.ANALYST), ("bench_lead", Role.LEAD)):
        users[username], _ = User.objects.get_or_create(username=username, defaults={"role": role})
    from statements.models import Actor

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
        cur.execute("SELECT count(*), coalesce(max(id), 0) FROM statements_article")
        done_articles, _ = cur.fetchone()
    t0 = time.perf_counter()
    article_id = statement_id = condition_id = review_id = 0
    base = 1_700_000_000.0
    pending: list = []
    loaded = 0

    def flush(batch):
        nonlocal loaded
        if not batch:
            return
        arts, stmts, conds, revs = [], [], [], []
        for a, s, c, r in batch:
            arts.append(a)
            stmts.extend(s)
            conds.extend(c)
            revs.extend(r)
        with transaction.atomic(), connection.cursor() as cur:
            pg = cur.cursor
            with pg.copy(
                "COPY statements_article (id, title, source, url, published, dateline, language, text,"
                " text_sha256, created_by_id, created_at, updated_at) FROM STDIN"
            ) as copy:
                for row in arts:
                    copy.write_row(row)
            with pg.copy(
                'COPY statements_statement (id, article_id, start, "end", quote, speaker_id, addressee_id,'
                " stance, note, annotator_id, status, is_gold, version, created_at, updated_at) FROM STDIN"
            ) as copy:
                for row in stmts:
                    copy.write_row(row)
            with pg.copy(
                "COPY statements_condition (id, statement_id, description, evidence_start, evidence_end,"
                " evidence_quote, position, created_at) FROM STDIN"
            ) as copy:
                for row in conds:
                    copy.write_row(row)
            with pg.copy(
                "COPY statements_review (id, statement_id, reviewer_id, verdict, comment,"
                " statement_version, created_at) FROM STDIN"
            ) as copy:
                for row in revs:
                    copy.write_row(row)
        loaded += len(batch)

    import datetime as dt

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
            reviews = []
            if statement_id % 10 == 0:
                review_id += 1
                verdict = "reject" if statement_id % 30 == 0 else "accept"
                status = "rejected" if verdict == "reject" else "accepted"
                comment = "Wrong speaker." if verdict == "reject" else ""
                reviews.append((review_id, statement_id, reviewer, verdict, comment, 1, ts(article_id + 0.5)))
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
            r_rows.extend(reviews)
        if index < done_articles:
            continue  # loaded by an earlier, interrupted run
        pending.append((a_row, s_rows, c_rows, r_rows))
        if len(pending) >= BATCH_ARTICLES:
            flush(pending)
            pending = []
            print(f"  loaded {index + 1:,}/{n:,} articles", file=sys.stderr, flush=True)
    flush(pending)
    load_seconds = time.perf_counter() - t0
    with connection.cursor() as cur:
        for table in ("article", "statement", "condition", "review", "actor", "user"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('statements_{table}', 'id'),"
                f" (SELECT coalesce(max(id), 1) FROM statements_{table}))"
            )
    connection.connection.autocommit = True
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
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


# ---------------------------------------------------------------------------------------------
# Measurements (each in its own process)

# PostgreSQL's own COPY of the same rows and the same stored columns the export carries (joined:
# article metadata, speaker and addressee with kind and affiliation, annotator, conditions as one
# text, review counts, times) in COPY's plain text format: the physical reference. It leaves out
# the two context columns, which SQL can only cut by walking the UTF-8 text (about 20 µs a row).
REFERENCE_SQL = """
SELECT s.id, s.article_id, a.title, a.source, a.url, a.published, s.start, s."end", s.quote,
  sp.id, sp.name, sp.kind, spa.id, spa.name, ad.id, ad.name, ad.kind, ada.id, ada.name,
  s.stance, s.note, c.conditions, u.id, u.username, s.status, s.is_gold,
  r.n_total, r.n_accept, r.n_reject, r.n_changes, s.created_at, s.updated_at
FROM statements_statement s
JOIN statements_article a ON a.id = s.article_id
LEFT JOIN statements_actor sp ON sp.id = s.speaker_id
LEFT JOIN statements_actor spa ON spa.id = sp.affiliation_id
LEFT JOIN statements_actor ad ON ad.id = s.addressee_id
LEFT JOIN statements_actor ada ON ada.id = ad.affiliation_id
JOIN statements_user u ON u.id = s.annotator_id
LEFT JOIN (SELECT statement_id, string_agg(description, ' | ' ORDER BY position, id) AS conditions
           FROM statements_condition GROUP BY statement_id) c ON c.statement_id = s.id
LEFT JOIN (SELECT statement_id, count(*) AS n_total,
             count(*) FILTER (WHERE verdict = 'accept') AS n_accept,
             count(*) FILTER (WHERE verdict = 'reject') AS n_reject,
             count(*) FILTER (WHERE verdict = 'request_changes') AS n_changes
           FROM statements_review GROUP BY statement_id) r ON r.statement_id = s.id
"""
FLAT_SQL = "SELECT * FROM statements_statement"

LIST_QUERIES = [
    "",
    "stance=demand&status=accepted",
    "article=1234",
    "speaker=30&stance=caveat",
    "annotator=2&status=pending",
    "created_after=2023-11-14T22:30:00Z&ordering=-created_at",
    "q=binding%20deadline",
    "q=resign&stance=demand",
    "gold=false&status=rejected&ordering=-id",
]


def _vm_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child_copy_reference(n: int, which: str) -> dict:
    """psql runs COPY … TO STDOUT into /dev/null: PostgreSQL's own rate, no Python anywhere."""
    sql = REFERENCE_SQL if which == "same" else FLAT_SQL
    best = None
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        subprocess.run(
            ["psql", db_url(n), "-qc", f"COPY ({sql}) TO STDOUT"], check=True, stdout=subprocess.DEVNULL
        )
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    setup_django(n)
    from statements.models import Statement

    return {"seconds": best, "rows": Statement.objects.count()}


def _token_client():
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from statements.models import User

    lead = User.objects.get(username="bench_lead")
    token, _ = Token.objects.get_or_create(user=lead)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}")


def child_export(n: int, fmt: str, query: str = "", engine: str = "") -> dict:
    """GET /api/export/statements through the whole Django view (token auth, filters, streaming
    response), reading every byte. The Python engine is called directly (it has no switch in the
    API)."""
    setup_django(n)
    from django.http import QueryDict

    from statements import exporting
    from statements.filters import StatementFilter
    from statements.models import Statement

    rows = StatementFilter(data=QueryDict(query), queryset=Statement.objects.all()).qs.count()
    client = _token_client()
    client.get("/api/users/")  # import the URL conf and warm up before measuring
    baseline = _vm_rss_mb()
    best = None
    for _ in range(REPEAT if engine != "python" else 1):
        cpu0, t0 = time.process_time(), time.perf_counter()
        if engine == "python":
            chunks = exporting.export_statements(Statement.objects.all(), fmt=fmt, engine="python")
        else:
            response = client.get(f"/api/export/statements?format={fmt}&{query}")
            assert response.status_code == 200, response.status_code
            chunks = response.streaming_content
        first, size = None, 0
        for chunk in chunks:
            if first is None:
                first = time.perf_counter() - t0
            size += len(chunk)
        run = {
            "seconds": time.perf_counter() - t0,
            "cpu": time.process_time() - cpu0,
            "first_byte": first,
            "bytes": size,
        }
        if best is None or run["seconds"] < best["seconds"]:
            best = run
    return {**best, "rows": rows, "rss_baseline_mb": baseline, "rss_peak_mb": peak_rss_mb()}


def child_list(n: int) -> dict:
    """GET /api/statements/ (100 rows) with filters: median of 30 after 3 warm-ups."""
    setup_django(n)
    client = _token_client()
    out = {}
    for query in LIST_QUERIES:
        times = []
        for i in range(33):
            t0 = time.perf_counter()
            response = client.get(f"/api/statements/?page_size=100&{query}")
            if i >= 3:
                times.append(time.perf_counter() - t0)
            assert response.status_code == 200, (query, response.status_code)
        out[query or "(no filter)"] = {
            "median_ms": statistics.median(times) * 1000,
            "rows": len(response.json()["results"]),
        }
    return out


CHILDREN = {
    "copy-ref": child_copy_reference,
    "export": child_export,
    "list": child_list,
}
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


# ---------------------------------------------------------------------------------------------
# Orchestration


def run_child(n: int, task: str, *extra: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", task, "--n", str(n), *(f"--arg={a}" for a in extra)],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(n: int) -> dict:
    results = {
        "ref_same": run_child(n, "copy-ref", "same"),
        "ref_flat": run_child(n, "copy-ref", "flat"),
    }
    for fmt in ("csv", "jsonl", "json"):
        results[fmt] = run_child(n, "export", fmt)
    results["filtered_csv"] = run_child(n, "export", "csv", "status=accepted&stance=demand")
    if n <= 2000:
        results["python_jsonl"] = run_child(n, "export", "jsonl", "", "python")
    results["list"] = run_child(n, "list")
    return results


def report(n: int, r: dict) -> None:
    same = r["ref_same"]["rows"] / r["ref_same"]["seconds"]
    flat = r["ref_flat"]["rows"] / r["ref_flat"]["seconds"]
    print(
        f"   COPY reference, same joined columns (psql, text): {same:>10,.0f} rows/s"
        f"  ({r['ref_same']['seconds']:.2f} s)"
    )
    print(
        f"   COPY of the bare statement table (psql, text):    {flat:>10,.0f} rows/s"
        f"  ({r['ref_flat']['seconds']:.2f} s)"
    )
    print("   export (GET /api/export/statements, whole stream read):")
    print(
        "     format         rows    seconds     rows/s  vs COPY same  vs COPY bare  first byte"
        "  peak RSS (+growth)   py CPU"
    )
    for key, label in (
        ("csv", "csv"),
        ("jsonl", "jsonl"),
        ("json", "json"),
        ("filtered_csv", "csv, filtered"),
        ("python_jsonl", "jsonl, Python"),
    ):
        if key not in r:
            continue
        e = r[key]
        rate = e["rows"] / e["seconds"]
        print(
            f"     {label:<13}{e['rows']:>10,}{e['seconds']:>10.2f}{rate:>11,.0f}{rate / same:>13.2f}"
            f"{rate / flat:>13.2f}{e['first_byte'] * 1000:>9.0f} ms"
            f"{e['rss_peak_mb']:>9.0f} MB (+{e['rss_peak_mb'] - e['rss_baseline_mb']:.0f}){e['cpu']:>8.2f} s"
        )
    csv_ratio = r["csv"]["rows"] / r["csv"]["seconds"] / same
    jsonl_ratio = r["jsonl"]["rows"] / r["jsonl"]["seconds"] / same
    print(f"   vs COPY of the same columns: CSV {csv_ratio:.2f} (target 0.5), JSONL {jsonl_ratio:.2f} (0.25)")
    if n == 2000:
        js = r["json"]
        growth = js["rss_peak_mb"] - js["rss_baseline_mb"]
        ls_s, ls_mb = LABEL_STUDIO_JSON_SECONDS, LABEL_STUDIO_JSON_MB
        print(
            f"   Label Studio, same workload: JSON export {ls_s} s, +{ls_mb} MB; ours {js['seconds']:.2f} s"
            f" ({ls_s / js['seconds']:.1f}x faster), +{growth:.0f} MB"
        )
    print("   GET /api/statements/?page_size=100&… (median of 30):")
    for query, m in r["list"].items():
        print(f"     {m['median_ms']:7.1f} ms  {m['rows']:>3} rows  {query}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--n", type=int, action="append", help="articles (repeatable); default 2000 and 40000"
    )
    parser.add_argument("--reload", action="store_true", help="reload even if already loaded")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--arg", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = args.n or [2000, 40000]
    if args.child:
        if args.child == "load":
            result = child_load(sizes[0], args.reload)
        else:
            result = CHILDREN[args.child](sizes[0], *args.arg)
        print(json.dumps(result))
        return
    peaks = {}
    for n in sizes:
        print(f"== N={n:,} articles ({db_url(n)})", flush=True)
        ensure_database(n)
        loaded = run_child(n, "load", *(["--reload"] if args.reload else []))
        if loaded["skipped"]:
            took = loaded["loaded_seconds"]
            print(f"   already loaded: {loaded['statements']:,} statements (loading took {took:.0f} s)")
        else:
            rate = loaded["statements"] / loaded["loaded_seconds"]
            print(
                f"   loaded {loaded['statements']:,} statements in {loaded['loaded_seconds']:.1f} s"
                f" ({rate:,.0f} statements/s, COPY in batches, the quote triggers on)"
            )
        results = measure(n)
        report(n, results)
        peaks[n] = max(results[k]["rss_peak_mb"] for k in ("csv", "jsonl", "json"))
    if len(peaks) > 1:
        print(
            "== peak RSS of the exporting process: "
            + ", ".join(f"N={n:,}: {mb:.0f} MB" for n, mb in peaks.items())
        )


if __name__ == "__main__":
    main()
