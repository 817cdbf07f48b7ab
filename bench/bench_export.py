#!/usr/bin/env python
"""Export benchmark on SQLite and PostgreSQL: the standard workload, exports against the floors.

    .venv/bin/python bench/bench_export.py                              # both databases, N=2000
    .venv/bin/python bench/bench_export.py --db postgresql --n 40000    # 2,000,000 statements
    .venv/bin/python bench/bench_export.py --reload                     # load the data again

The databases are bench/workload_db.py's (loaded if needed). Each measurement runs in a fresh
process (its peak RSS is its own):
- the floors: on SQLite a raw `SELECT` of the same columns through the sqlite3 module (tuples,
  nothing else), then the same with the least Python a line needs (one %-template per row, the
  chunks joined and encoded) and with the two contexts cut and escaped too; on PostgreSQL
  `COPY (SELECT …same joined columns…) TO STDOUT` and the bare statement table's COPY, read by
  psql into /dev/null;
- csv, jsonl, json, w3c: GET /api/export/statements through the Django view (token auth,
  filters, StreamingHttpResponse), reading the whole stream; rows/s, time to first byte, peak RSS
  growth; the JSON once more with `Accept-Encoding: gzip` (its compressed size);
- the pure-Python engine (the portable reference) on the same rows, for scale.
Numbers only: nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workload_db  # noqa: E402

LABEL_STUDIO_JSON_SECONDS = 3.24  # ../shared/bench/README.md, N=2000, SQLite
LABEL_STUDIO_JSON_MB = 278
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
GOAL_SQLITE_ROWS_S = 125_000
GOAL_SQLITE_JSON_S = 0.8


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _vm_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# PostgreSQL's own COPY of the same rows and the same stored columns the export carries (joined:
# article metadata, speaker and addressee with kind and affiliation, annotator, conditions as one
# text, review counts, times) in COPY's plain text format: the physical reference. It leaves out
# the two context columns, which SQL can only cut by walking the UTF-8 text.
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
# The same for SQLite (group_concat for string_agg, which keeps the rows' order).
SQLITE_REFERENCE_SQL = REFERENCE_SQL.replace(
    "string_agg(description, ' | ' ORDER BY position, id)", "group_concat(description, ' | ')"
)


def child_floor(vendor: str, n: int, which: str) -> dict:
    """The floor: PostgreSQL's COPY read by psql, or SQLite's SELECT read through sqlite3."""
    best = None
    if vendor == "postgresql":
        sql = REFERENCE_SQL if which == "same" else FLAT_SQL
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            subprocess.run(
                ["psql", workload_db.db_url(vendor, n), "-qc", f"COPY ({sql}) TO STDOUT"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            elapsed = time.perf_counter() - t0
            best = elapsed if best is None else min(best, elapsed)
        rows = None
    else:
        import sqlite3
        from json.encoder import encode_basestring as esc

        conn = sqlite3.connect(workload_db.sqlite_path(n))
        sql = FLAT_SQL if which == "flat" else SQLITE_REFERENCE_SQL
        width = len(conn.execute(SQLITE_REFERENCE_SQL + " LIMIT 1").fetchone())
        contexts = 2 if which == "python_context" else 0
        template = "{" + ",".join(f'"c{i}":%s' for i in range(width + contexts)) + "}\n"
        texts = dict(conn.execute("SELECT id, text FROM statements_article")) if contexts else {}
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            cursor = conn.execute(sql if which == "flat" else sql + " ORDER BY s.id")
            rows = 0
            if which in ("python", "python_context"):
                # The least Python an export can do per row: one template filled from the row's
                # tuple, lines joined and encoded in chunks (no escaping or lookups); with
                # "python_context", also the two 200-character contexts cut from the article's
                # text and JSON-escaped, which every line carries.
                buffer: list[str] = []
                for row in cursor:
                    if contexts:
                        text, start, end = texts[row[1]], row[6], row[7]
                        before = esc(text[start - 200 if start > 200 else 0 : start])
                        buffer.append(template % (*row, before, esc(text[end : end + 200])))
                    else:
                        buffer.append(template % row)
                    if len(buffer) == 500:
                        "".join(buffer).encode()
                        buffer.clear()
                    rows += 1
            else:
                while batch := cursor.fetchmany(2000):
                    rows += len(batch)
            elapsed = time.perf_counter() - t0
            best = elapsed if best is None else min(best, elapsed)
    workload_db.setup_django(vendor, n)
    from statements.models import Statement

    return {"seconds": best, "rows": Statement.objects.count()}


def child_export(vendor: str, n: int, fmt: str, query: str = "", engine: str = "", gzip: str = "") -> dict:
    """GET /api/export/statements through the whole Django view (token auth, filters, streaming
    response), reading every byte. The Python engine is called directly (it has no switch in the
    API)."""
    workload_db.setup_django(vendor, n)
    from django.http import QueryDict

    from statements.data import exporting
    from statements.filters import StatementFilter
    from statements.models import Statement

    rows = StatementFilter(data=QueryDict(query), queryset=Statement.objects.all()).qs.count()
    client = workload_db.token_client()
    client.get("/api/users/", secure=True)  # import the URL conf and warm up before measuring
    baseline = _vm_rss_mb()
    headers = {"HTTP_ACCEPT_ENCODING": "gzip"} if gzip else {}
    best = None
    for _ in range(REPEAT if engine != "python" else 1):
        cpu0, t0 = time.process_time(), time.perf_counter()
        if engine == "python":
            chunks = exporting.export_statements(Statement.objects.all(), fmt=fmt, engine="python")
        else:
            response = client.get(f"/api/export/statements?format={fmt}&{query}", secure=True, **headers)
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


CHILDREN = {"floor": child_floor, "export": child_export}


def run_child(vendor: str, n: int, task: str, *extra: str) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            task,
            "--db",
            vendor,
            "--n",
            str(n),
            *(f"--arg={a}" for a in extra),
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(vendor: str, n: int) -> dict:
    results = {
        "ref_same": run_child(vendor, n, "floor", "same"),
        "ref_flat": run_child(vendor, n, "floor", "flat"),
    }
    if vendor == "sqlite":
        results["ref_python"] = run_child(vendor, n, "floor", "python")
        results["ref_python_context"] = run_child(vendor, n, "floor", "python_context")
    for fmt in ("csv", "jsonl", "json", "w3c"):
        results[fmt] = run_child(vendor, n, "export", fmt)
    results["json_gzip"] = run_child(vendor, n, "export", "json", "", "", "gzip")
    results["filtered_csv"] = run_child(vendor, n, "export", "csv", "status=accepted&stance=demand")
    if n <= 2000:
        results["python_jsonl"] = run_child(vendor, n, "export", "jsonl", "", "python")
    return results


def report(vendor: str, n: int, r: dict) -> None:
    same = r["ref_same"]["rows"] / r["ref_same"]["seconds"]
    flat = r["ref_flat"]["rows"] / r["ref_flat"]["seconds"]
    what = "COPY … TO STDOUT, psql" if vendor == "postgresql" else "SELECT through sqlite3, tuples"
    print(
        f"   floor, the same joined columns ({what}): {same:>10,.0f} rows/s"
        f"  ({r['ref_same']['seconds']:.2f} s)"
    )
    print(f"   floor, the bare statement table: {flat:>10,.0f} rows/s  ({r['ref_flat']['seconds']:.2f} s)")
    if "ref_python" in r:
        least = r["ref_python"]["rows"] / r["ref_python"]["seconds"]
        print(
            f"   floor, the same SELECT and the least Python per row (one %-template per row tuple,"
            f" chunks joined and encoded): {least:>10,.0f} rows/s  ({r['ref_python']['seconds']:.2f} s)"
        )
        least_context = r["ref_python_context"]["rows"] / r["ref_python_context"]["seconds"]
        print(
            f"   floor, the same and the two contexts cut and escaped: {least_context:>10,.0f} rows/s"
            f"  ({r['ref_python_context']['seconds']:.2f} s)"
        )
    print(f"   load average now: {os.getloadavg()[0]:.1f} (2 cores; other work slows every line alike)")
    print("   export (GET /api/export/statements, whole stream read):")
    print(
        "     format         rows    seconds     rows/s  vs floor same  vs floor bare  first byte"
        "  peak RSS (+growth)   py CPU      MB"
    )
    for key, label in (
        ("csv", "csv"),
        ("jsonl", "jsonl"),
        ("json", "json"),
        ("json_gzip", "json, gzip"),
        ("w3c", "w3c"),
        ("filtered_csv", "csv, filtered"),
        ("python_jsonl", "jsonl, Python"),
    ):
        if key not in r:
            continue
        e = r[key]
        rate = e["rows"] / e["seconds"]
        print(
            f"     {label:<13}{e['rows']:>10,}{e['seconds']:>10.2f}{rate:>11,.0f}{rate / same:>14.2f}"
            f"{rate / flat:>15.2f}{e['first_byte'] * 1000:>9.0f} ms"
            f"{e['rss_peak_mb']:>9.0f} MB (+{e['rss_peak_mb'] - e['rss_baseline_mb']:.0f}){e['cpu']:>8.2f} s"
            f"{e['bytes'] / 1e6:>8.1f}"
        )
    jsonl = r["jsonl"]["rows"] / r["jsonl"]["seconds"]
    csv_rate = r["csv"]["rows"] / r["csv"]["seconds"]
    if vendor == "sqlite":
        print(
            f"   goals: JSONL {jsonl:,.0f} and CSV {csv_rate:,.0f} rows/s (goal {GOAL_SQLITE_ROWS_S:,});"
            f" JSON {r['json']['seconds']:.2f} s (goal {GOAL_SQLITE_JSON_S} s)"
        )
        least = r["ref_python_context"]["rows"] / r["ref_python_context"]["seconds"]
        print(
            f"   JSONL is {jsonl / least:.2f} of the floor with contexts; the goal is"
            f" {GOAL_SQLITE_ROWS_S / least:.2f} of it"
        )
    else:
        print(f"   goal: JSONL vs the bare table's COPY {jsonl / flat:.2f} (goal 0.5)")
    js, gz = r["json"], r["json_gzip"]
    print(
        f"   JSON of {js['rows']:,} statements: {js['bytes'] / 1e6:.1f} MB, gzip on the fly"
        f" {gz['bytes'] / 1e6:.1f} MB ({js['bytes'] / gz['bytes']:.1f}x smaller) in {gz['seconds']:.2f} s"
    )
    if n == 2000:
        growth = js["rss_peak_mb"] - js["rss_baseline_mb"]
        ls_s, ls_mb = LABEL_STUDIO_JSON_SECONDS, LABEL_STUDIO_JSON_MB
        print(
            f"   Label Studio (quoted from ../shared/bench/README.md, SQLite): JSON export {ls_s} s,"
            f" +{ls_mb} MB; ours {js['seconds']:.2f} s, +{growth:.0f} MB"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--n", type=int, action="append", help="articles (repeatable); default 2000")
    parser.add_argument("--reload", action="store_true", help="reload even if already loaded")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--arg", action="append", default=[], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    sizes = args.n or [2000]
    if args.child:
        print(json.dumps(CHILDREN[args.child](args.db, sizes[0], *args.arg)))
        return
    vendors = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for vendor in vendors:
        for n in sizes:
            print(f"== {vendor}, N={n:,} articles ({workload_db.db_url(vendor, n)})", flush=True)
            workload_db.ensure_database(vendor, n)
            loader = [
                sys.executable,
                workload_db.__file__,
                vendor,
                str(n),
                *(["--reload"] if args.reload else []),
            ]
            subprocess.run(loader, check=True, stdout=subprocess.DEVNULL)
            report(vendor, n, measure(vendor, n))


if __name__ == "__main__":
    main()
