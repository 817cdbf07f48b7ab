"""Benchmark of the bulk imports (prints numbers; not a test).

    .venv/bin/python bench/bench_import.py [--n 2000] [--db sqlite] [--db postgres]

For each database (both by default) in a fresh process with a fresh database (SQLite: a file in
a temporary folder; PostgreSQL: `annotator_bench_import` on 127.0.0.1:5432, or
BENCH_DATABASE_URL; dropped afterwards), migrated, so with every constraint and trigger on:

1. `import_articles`: the N workload articles (`../shared/bench/workload.py --n N`; its
   annotations ignored) into an empty project, through `data.importing.import_articles`
   (target: <= 2 s for 2,000 articles);
2. `import_statements`: the same workload file with its 50 spans per article (100,000 at N=2000)
   into another empty project, through `data.statement_import.import_statements_file`, which
   also creates the articles (target: <= 30 s on PostgreSQL, <= 90 s on SQLite);
3. the same file again into the project of step 2 (the articles are found, the statements
   added again), to show the cost without article creation.

Each figure is wall time in process around the call (Django set up, the database migrated, the
file generated beforehand), with DEBUG off, and the CPU time spent in it by our process and (on
PostgreSQL) by its server backend, read from /proc: on a machine shared with other work the wall
time moves with the load (printed), the CPU time much less.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKLOAD = Path(os.environ.get("WORKLOAD", ROOT.parent / "shared" / "bench" / "workload.py"))
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/annotator_bench_import")


def _pg_admin(sql: str) -> None:
    import psycopg

    url = urlparse(PG_URL)
    with psycopg.connect(
        host=url.hostname, port=url.port or 5432, user=url.username, password=url.password, dbname="postgres"
    ) as conn:
        conn.autocommit = True
        conn.execute(sql)


def _backend_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) the PostgreSQL backend `pid` has used (it runs on this
    machine); 0 for SQLite, which runs inside our process."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _timed(fn, pid):  # type: ignore[no-untyped-def]
    wall, cpu, server = time.perf_counter(), time.process_time(), _backend_cpu(pid)
    value = fn()
    return value, (
        round(time.perf_counter() - wall, 2),
        round(time.process_time() - cpu, 2),
        round(_backend_cpu(pid) - server, 2),
    )


def child(db: str, workload: str) -> None:
    """Runs in its own process: set up the database, time the imports, print one JSON line."""
    folder = tempfile.mkdtemp(prefix="bench-import-")
    if db == "postgres":
        name = urlparse(PG_URL).path.lstrip("/")
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = PG_URL
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings_test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from statements import services
    from statements.data.importing import import_articles, read_items
    from statements.data.statement_import import import_statements_file
    from statements.models import Statement, User

    admin = User.objects.create_superuser("bench", "bench@example.org", "pw")
    articles_project = services.project_create(user=admin, name="Articles")
    statements_project = services.project_create(user=admin, name="Statements")
    out: dict[str, object] = {"db": db, "vendor": connection.vendor, "load": os.getloadavg()[0]}
    connection.ensure_connection()
    pid = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
    try:
        with open(workload, "rb") as stream:
            report, out["articles_t"] = _timed(
                lambda: import_articles(read_items(stream), user=admin, project=articles_project), pid
            )
            out["articles"] = report.created
        for key in ("statements", "again"):
            with open(workload, "rb") as stream:
                result, out[key + "_t"] = _timed(
                    lambda: import_statements_file(  # noqa: B023
                        stream,  # noqa: B023
                        user=admin,
                        project=statements_project,
                        fmt="workload",
                    ),
                    pid,
                )
                out[key] = result.statements
        out["stored"] = Statement.objects.count()
        out["load_after"] = os.getloadavg()[0]
    finally:
        from django.db import connections

        connections.close_all()
        if db == "postgres":
            _pg_admin(f'DROP DATABASE IF EXISTS "{urlparse(PG_URL).path.lstrip("/")}" WITH (FORCE)')
    print(json.dumps(out), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=2000, help="Workload articles (50 spans each).")
    parser.add_argument("--db", action="append", choices=["sqlite", "postgres"], help="Default: both.")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--workload", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.workload)
        return
    with tempfile.TemporaryDirectory() as folder:
        workload = Path(folder) / f"workload_n{args.n}.jsonl"
        subprocess.run(
            [sys.executable, str(WORKLOAD), "--n", str(args.n), "--out", str(workload)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        size = workload.stat().st_size
        print(f"workload: {args.n:,} articles, {args.n * 50:,} spans, {size / 2**20:.1f} MB")
        for db in args.db or ["sqlite", "postgres"]:
            run = subprocess.run(
                [sys.executable, __file__, "--child", db, "--workload", str(workload)],
                check=True,
                capture_output=True,
                text=True,
            )
            r = json.loads(run.stdout.strip().splitlines()[-1])

            def show(t: list[float], db: str = db) -> str:
                server = f" + {t[2]:.1f} s PostgreSQL" if db == "postgres" else ""
                return f"{t[0]:6.2f} s wall (CPU {t[1]:.1f} s Python{server})"

            print(
                f"{db} (load average {r['load']:.1f} → {r['load_after']:.1f}):\n"
                f"  import_articles, {r['articles']:,} articles:             {show(r['articles_t'])}\n"
                f"  import_statements, {r['statements']:,} spans (+ articles): {show(r['statements_t'])}"
                f" = {r['statements'] / r['statements_t'][0]:,.0f} spans/s\n"
                f"  the same file again (articles found):      {show(r['again_t'])}"
            )


if __name__ == "__main__":
    main()
