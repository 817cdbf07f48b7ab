#!/usr/bin/env python
"""Benchmark of the text-edit service (issue 14) on a real database. Prints numbers; not a test.

    .venv/bin/python bench/bench_text_edits.py [--chars 50000] [--spans 500] [--repeat 5]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/annotator_bench_text \
        .venv/bin/python bench/bench_text_edits.py

The article and the edit of bench/bench_anchoring.py (50,000 characters, 500 statements with
every fifth span a condition's evidence inside the previous statement, inserted/deleted/changed
passages and a moved paragraph), stored through the services in a database of its own (default: a
SQLite file in /tmp, migrated on first use; PostgreSQL with BENCH_DATABASE_URL). Then, each in a
transaction rolled back afterwards (the database is left as it was):

- `text_edit_preview` (reads the spans, runs the engine, writes nothing);
- `text_edit_apply` in edit mode (locks, keeps the old text, parks the spans, changes the text,
  moves every statement and evidence with bulk updates, one history entry per move) — the target
  is <= 200 ms for 500 statements on 50,000 characters;
- `text_edit_apply` in replace mode (API PATCH, re-import).

Prints the median wall time over `--repeat` runs, the queries of one apply, and the outcomes.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import bench_anchoring  # noqa: E402  (the article, its spans and its edit)

DB_URL = os.environ.get("BENCH_DATABASE_URL", "sqlite:////tmp/annotator_bench_text_edits.sqlite3")


def setup() -> None:
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "annotator.settings")
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "--skip-checks", "-v", "0"],
        check=True,
        env={**os.environ},
    )
    import django

    django.setup()


CPU: list[float] = []  # process CPU time of the last median_ms runs (less sensitive to a busy machine)


def median_ms(fn: Callable[[], object], repeat: int) -> float:
    times = []
    CPU.clear()
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        CPU.append((time.process_time() - c0) * 1000)
    return statistics.median(times)


def cpu() -> str:
    return f"(CPU {statistics.median(CPU):6.1f} ms; load {os.getloadavg()[0]:.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=50_000)
    parser.add_argument("--spans", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    setup()

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from statements import services
    from statements.models import Article, Membership, Project, Role, User
    from statements.services import text_edits

    rng = random.Random(args.seed)
    paragraphs = bench_anchoring.article(rng, args.chars)
    old = services.normalize_text("\n\n".join(paragraphs))
    spans = bench_anchoring.spans_of(rng, old, args.spans + args.spans // 4)  # 1 in 5: evidence
    new = bench_anchoring.edit(rng, paragraphs)

    class Rollback(Exception):
        pass

    def in_rollback(fn: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            try:
                with transaction.atomic():
                    fn()
                    raise Rollback
            except Rollback:
                pass

        return run

    with transaction.atomic():  # the fixture itself is rolled back at the end too
        project = Project.objects.create(
            name=f"Bench text edits {time.time()}", slug=f"bench-te-{time.time_ns()}"
        )
        user = User.objects.create(username=f"bench-te-{time.time_ns()}")
        Membership.objects.create(project=project, user=user, role=Role.LEAD)
        article = services.article_create(user=user, project=project, title="Bench", text=old)
        statements = [a for a in spans if not isinstance(a.key, tuple)]
        evidence = {a.key[1] - 1: a for a in spans if isinstance(a.key, tuple)}  # inside span key-1
        made = 0
        for a in statements:
            ev = evidence.get(len(spans) and spans.index(a))
            conditions = (
                [
                    {
                        "description": "bench",
                        "evidence_start": ev.start,
                        "evidence_end": ev.end,
                        "evidence_quote": ev.quote,
                    }
                ]
                if ev is not None
                else []
            )
            services.statement_create(
                article=article, user=user, start=a.start, end=a.end, quote=a.quote, stance="support",
                conditions=conditions,
            )  # fmt: skip
            made += 1
        n_evidence = sum(1 for a in statements if evidence.get(spans.index(a)) is not None)
        print(f"database: {connection.vendor}; article {len(old):,} characters, ", end="")
        print(f"{made} statements, {n_evidence} evidence")
        print(f"edited:   {len(new):,} characters")

        def fresh() -> Article:
            return Article.objects.get(pk=article.pk)

        preview_ms = median_ms(
            lambda: text_edits.text_edit_preview(article=fresh(), user=user, text=new), args.repeat
        )
        print(f"  text_edit_preview (edit)     median {preview_ms:7.1f} ms {cpu()}")
        for mode in ("edit", "replace"):
            ms = median_ms(
                in_rollback(
                    lambda mode=mode: text_edits.text_edit_apply(
                        article=fresh(), user=user, text=new, mode=mode
                    )
                ),
                args.repeat,
            )
            target = "   target <= 200 ms" if mode == "edit" else ""
            print(f"  text_edit_apply ({mode:7})    median {ms:7.1f} ms {cpu()}{target}")
            result: dict[str, text_edits.TextEditPreview] = {}
            with CaptureQueriesContext(connection) as ctx:

                def once(mode: str = mode, result: dict[str, text_edits.TextEditPreview] = result) -> None:
                    result["r"] = text_edits.text_edit_apply(article=fresh(), user=user, text=new, mode=mode)

                in_rollback(once)()
            r = result["r"]
            counts = ", ".join(f"{k}={v}" for k, v in r.counts.items() if v)
            ev_counts = ", ".join(f"{k}={v}" for k, v in r.evidence_counts.items() if v)
            print(f"    {len(ctx)} queries; statements: {counts}; evidence: {ev_counts}")
            if os.environ.get("BENCH_QUERIES"):
                for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:5]:
                    print(f"      {float(q['time']) * 1000:8.1f} ms  {q['sql'][:90]}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
