#!/usr/bin/env python
"""Review and agreement benchmark on PostgreSQL. Prints numbers; it is not a test.

    .venv/bin/python bench/bench_review.py [--repeat 20]

It uses the N=2,000 database of bench/bench_export.py (the standard workload: 2,000 articles,
100,000 statements by two analysts, loaded once and kept; this script loads it if missing) and
measures, inside one transaction that is rolled back at the end (the database is left as it was):

- agreement for one article with 2 analysts x 200 statements (built from consecutive workload
  articles joined into one text): `alignment.agreement_for_articles` (database reads + the pure
  computation), and the agreement and compare pages for it;
- agreement for the whole corpus of 2,000 articles and 100,000 statements;
- the review queue page with every statement pending (100,000), as a lead (all of them are
  others' work) and as an analyst, unfiltered and filtered by stance;
- the leads' dashboard on the same 100,000 statements.

Pages are timed through Django's real WSGI handler (session, auth, CSRF, templates; no network).
Targets (issue 5): agreement < 50 ms for the article and < 5 s for the corpus; the review queue
< 50 ms median with 100,000 statements pending.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_export  # noqa: E402  (the shared workload loader and Django set-up)

from statements.selectors import alignment  # noqa: E402

N = 2000


def timed(fn, repeat: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def summary(times: list[float]) -> str:
    p90 = statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0]
    return f"median {statistics.median(times):8.1f} ms   min {min(times):8.1f}   p90 {p90:8.1f}"


class WsgiClient:
    """Django's real WSGI handler with a signed-in user's session cookie (no test-client
    instrumentation, and the connection is not closed between requests, so that everything
    runs inside the benchmark's transaction)."""

    def __init__(self, user) -> None:
        from django.conf import settings
        from django.contrib.sessions.backends.db import SessionStore
        from django.core.handlers.wsgi import WSGIHandler
        from django.test import RequestFactory

        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.save()
        self.handler, self.factory = WSGIHandler(), RequestFactory()
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    def get(self, url: str) -> bytes:
        environ = dict(self.factory.get(url).environ, HTTP_COOKIE=self.cookie)
        status: list[str] = []
        body = b"".join(self.handler(environ, lambda s, h, exc_info=None: status.append(s)))
        if not status[0].startswith("200"):
            raise RuntimeError(f"GET {url}: {status[0]}\n{body[:400]!r}")
        return body


def setup_django() -> None:
    """Production settings (DEBUG off, no query log) with plain static storage, so pages render
    without collectstatic: annotator.settings_test reads the same DATABASE_URL."""
    import os

    os.environ["DATABASE_URL"] = bench_export.db_url(N)
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECURE_COOKIES", "false")  # in process over plain HTTP: no redirect to HTTPS
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings_test"
    sys.path.insert(0, str(HERE.parent))
    import django

    django.setup()


def build_article(workload, users) -> object:
    """One article of ~2 x 200 statements: consecutive workload articles joined, their spans
    shifted; written with bulk inserts (the quote triggers still check every row)."""
    from statements import services
    from statements.models import Statement

    parts, spans, offset = [], [], 0
    for art in workload.generate(n=8, seed=7):
        if parts:
            offset += 2
        for a in art["annotations"]:
            spans.append((a["annotator"], a["start"] + offset, a["end"] + offset, a["label"], a["quote"]))
        parts.append(art["text"])
        offset += len(art["text"])
    text = "\n\n".join(parts)
    article = services.article_create(user=None, title="Bench: 2 x 200 statements", text=text)
    Statement.objects.bulk_create(
        Statement(
            article=article, annotator=users[who], start=s, end=e, quote=q, stance=label, status="pending"
        )
        for who, s, e, label, q in spans
    )
    return article


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    bench_export.ensure_database(N)
    loaded = bench_export.run_child(N, "load")
    print(f"database {bench_export.db_url(N)}: {loaded['statements']:,} statements")
    setup_django()

    from django.core.cache import cache
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection, transaction

    from statements.models import Article, Statement, User

    # keep one connection (and our transaction) across the requests, as Django's test client does
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    workload = bench_export.load_workload_module()
    users = {u.username: u for u in User.objects.filter(username__in=["ann_a", "ann_b", "bench_lead"])}
    lead_client, analyst_client = WsgiClient(users["bench_lead"]), WsgiClient(users["ann_a"])

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            article = build_article(workload, users)
            one = Article.objects.filter(pk=article.pk)
            n_one = Statement.objects.filter(article=article).count()
            print(f"\nOne article, {len(article.text):,} characters, {n_one} statements by 2 analysts")
            times = timed(lambda: alignment.agreement_for_articles(one), args.repeat)
            print(f"  agreement_for_articles  {summary(times)}")
            url = f"/agreement/?article={article.pk}"
            print(f"  agreement page          {summary(timed(lambda: lead_client.get(url), args.repeat))}")
            url = f"/articles/{article.pk}/compare/"
            print(f"  compare page            {summary(timed(lambda: lead_client.get(url), args.repeat))}")

            corpus = Article.objects.exclude(pk=article.pk)
            n_corpus = Statement.objects.filter(article__in=corpus).count()
            print(f"\nCorpus: {corpus.count():,} articles, {n_corpus:,} statements")
            started = time.perf_counter()
            spans, lengths = alignment._spans_and_lengths(corpus, None)
            fetch = time.perf_counter() - started
            times = timed(lambda: alignment.agreement_for_articles(corpus), 3, warmup=1)
            report = alignment.agreement_for_articles(corpus)
            print(
                f"  agreement_for_articles  median {statistics.median(times) / 1000:.2f} s"
                f" (of which reading {len(spans):,} spans: {fetch:.2f} s);"
                f" overlap F1 {report.pairs[0].overlap.f1:.3f},"
                f" stance kappa {report.pairs[0].stance.kappa:.3f},"
                f" alpha_U {report.unitizing.overall:.3f}"
            )

            Statement.objects.update(status="pending")
            pending = Statement.objects.filter(status="pending").count()
            print(f"\nReview queue with {pending:,} statements pending")
            for label, client, url in (
                ("lead, unfiltered", lead_client, "/review/"),
                ("lead, stance=demand", lead_client, "/review/?stance=demand"),
                ("analyst, unfiltered", analyst_client, "/review/"),
                ("analyst, annotator filter", analyst_client, f"/review/?annotator={users['ann_b'].pk}"),
            ):
                print(f"  {label:<26}{summary(timed(lambda c=client, u=url: c.get(u), args.repeat))}")

            print(f"\nDashboard on {Statement.objects.count():,} statements")
            cold = timed(lambda: (cache.clear(), lead_client.get("/dashboard/")), 3, warmup=1)
            print(f"  lead, cold (computed)   {summary(cold)}")
            warm = timed(lambda: lead_client.get("/dashboard/"), args.repeat)
            print(f"  lead, corpus unchanged  {summary(warm)}")
            raise Rollback
    except Rollback:
        pass
    print("\n(rolled back: the database is as it was)")


if __name__ == "__main__":
    main()
