#!/usr/bin/env python
"""API speed on the standard workload (N=2000: 100,000 statements), on SQLite and PostgreSQL,
through the real WSGI handler (django.core.wsgi, token authentication, the middleware), each
figure beside the floor measured in the same process: a trivial authenticated DRF endpoint.

    .venv/bin/python bench/bench_api.py                 # both databases
    .venv/bin/python bench/bench_api.py --db sqlite     # one
    BENCH_ROUNDS=300 .venv/bin/python bench/bench_api.py

The databases are the ones bench/workload_db.py loads (it loads them if needed). The process calls
gc.freeze() after start-up, as deploy/gunicorn.conf.py's post_fork does in each worker. Paths, as
the issue (#15) lists them: `GET /api/statements/?article=` (50 statements), a page of 100, one
article with its text, create one statement, PATCH one. Medians and p95 in milliseconds, rounds
interleaved. Numbers only: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import workload_db  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "150"))
GOALS_MS = {"article_statements": 6, "page_100": 8, "one_article": 4, "create": 6, "patch": 8}


def child(vendor: str, n: int) -> dict:
    workload_db.setup_django(vendor, n)
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.db.models import Max
    from django.urls import include, path
    from rest_framework.authtoken.models import Token
    from rest_framework.response import Response
    from rest_framework.views import APIView

    from statements.models import Article, Statement, User

    class Floor(APIView):  # the project's default authentication and permission classes
        def get(self, request):  # noqa: ANN001, ANN201
            return Response({"ok": True})

    module = type(sys)("bench_api_urls")
    module.urlpatterns = [path("bench-floor/", Floor.as_view()), path("", include(settings.ROOT_URLCONF))]
    sys.modules["bench_api_urls"] = module
    settings.ROOT_URLCONF = "bench_api_urls"
    app = get_wsgi_application()
    lead = User.objects.get(username="bench_lead")
    token = Token.objects.get_or_create(user=lead)[0].key
    article = Article.objects.order_by("id")[1000]
    # Statements an earlier run left on the article (its cleanup is best effort): the loader
    # wrote every other article's statements too, so anything newer than the newest of those
    # goes, and every run measures the same ~50 rows.
    last_loaded = Statement.objects.exclude(article=article).aggregate(last=Max("id"))["last"]
    Statement.objects.filter(article=article, pk__gt=last_loaded).delete()
    text = article.text
    words = [(i, w) for i, w in enumerate(text.split(" ")) if w.isalpha()]
    offsets, pos = [], 0
    for w in text.split(" "):
        if w.isalpha() and len(w) > 3:
            offsets.append((pos, w))
        pos += len(w) + 1
    target = (
        Statement.objects.filter(article=article, annotator=lead).first()
        or Statement.objects.filter(article=article).order_by("id").first()
    )
    assert target is not None and words

    def call(method: str, url: str, body: dict | None = None) -> tuple[int, bytes]:
        path_, _, query = url.partition("?")
        data = json.dumps(body).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path_,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "443",
            "HTTP_HOST": "testserver",
            "HTTP_AUTHORIZATION": f"Token {token}",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.url_scheme": "https",  # production settings redirect plain HTTP
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status = []
        result = app(environ, lambda s, h, exc_info=None: status.append(s))
        try:
            out = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        return int(status[0].split()[0]), out

    counter = [0]

    def create() -> tuple[int, bytes]:
        start, word = offsets[counter[0] % len(offsets)]
        counter[0] += 1
        body = {
            "article": article.pk,
            "start": start,
            "end": start + len(word),
            "quote": word,
            "stance": "support",
        }
        return call("POST", "/api/statements/", body)

    def patch() -> tuple[int, bytes]:
        counter[0] += 1
        return call("PATCH", f"/api/statements/{target.pk}/", {"note": f"note {counter[0]}"})

    paths = {
        "floor": lambda: call("GET", "/bench-floor/"),
        "article_statements": lambda: call("GET", f"/api/statements/?article={article.pk}&page_size=100"),
        "page_100": lambda: call("GET", "/api/statements/?page_size=100"),
        "one_article": lambda: call("GET", f"/api/articles/{article.pk}/"),
        "create": create,
        "patch": patch,
    }
    first_free = Statement.objects.order_by("-id").values_list("id", flat=True).first() or 0
    expected = {"create": 201}
    for name, fn in paths.items():  # warm up, and check the answers
        for _ in range(5):
            code, body = fn()
            assert code == expected.get(name, 200), (name, code, body[:300])
    rows = len(json.loads(call("GET", f"/api/statements/?article={article.pk}&page_size=100")[1])["results"])
    gc.collect()
    gc.freeze()  # as gunicorn's post_fork in deploy/gunicorn.conf.py
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(ROUNDS):
        for name, fn in paths.items():
            t0 = time.perf_counter()
            fn()
            times[name].append((time.perf_counter() - t0) * 1000)
    with contextlib.suppress(Exception):  # the bench's own statements go again (best effort)
        Statement.objects.filter(pk__gt=first_free).delete()
    out = {
        name: {
            "median": statistics.median(v),
            "p95": sorted(v)[int(len(v) * 0.95) - 1],
        }
        for name, v in times.items()
    }
    out["rows"] = rows
    out["load"] = os.getloadavg()[0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.n)))
        return
    vendors = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    for vendor in vendors:
        workload_db.ensure_database(vendor, args.n)
        loaded = subprocess.run(
            [sys.executable, str(Path(workload_db.__file__)), vendor, str(args.n)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        del loaded
        out = subprocess.run(
            [sys.executable, __file__, "--child", vendor, "--n", str(args.n)],
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        floor = r["floor"]["median"]
        print(f"== {vendor}, N={args.n:,} ({ROUNDS} interleaved rounds, load average {r['load']:.1f})")
        print(f"   {'path':<44}{'median':>9}{'p95':>9}{'x floor':>9}{'goal':>8}")
        labels = {
            "floor": "floor: trivial authenticated DRF endpoint",
            "article_statements": f"GET /api/statements/?article= ({r['rows']} rows)",
            "page_100": "GET /api/statements/?page_size=100",
            "one_article": "GET /api/articles/<id>/ (with its text)",
            "create": "POST /api/statements/ (create one)",
            "patch": "PATCH /api/statements/<id>/",
        }
        for name, label in labels.items():
            m = r[name]
            goal = f"{GOALS_MS[name]} ms" if name in GOALS_MS else ""
            print(
                f"   {label:<44}{m['median']:>7.2f}ms{m['p95']:>7.2f}ms{m['median'] / floor:>9.1f}{goal:>8}"
            )


if __name__ == "__main__":
    main()
