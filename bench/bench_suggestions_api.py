#!/usr/bin/env python
"""Suggestions in the product (#11): the API and the pre-annotation job, timed. Prints numbers; it
is not a test.

    .venv/bin/python bench/bench_suggestions_api.py [--n 200] [--repeat 20]

Builds a throwaway SQLite database in a temporary folder (migrated from scratch; DATABASE_URL is
ignored), with the 200-actor registry of bench/bench_suggestions.py and `--n` articles of the
standard workload (../shared/bench/workload.py), then measures through Django's real WSGI handler
(session, auth, middleware; no network):

1. `GET /api/articles/<id>/suggestions/` for a ~3,000-character article: computed by the engine,
   then from the article's pre-computed set (what pre-annotation leaves);
2. the pre-annotation of the whole project (the `preannotate` job's handler): articles per second.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import bench_suggestions  # noqa: E402  (the workload loader and the registry)


def timed(fn, repeat: int, warmup: int = 2) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds per call (CPU time is the steadier figure on a shared machine)."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def summary(times: tuple[list[float], list[float]]) -> str:
    wall, cpu = times
    median, median_cpu = statistics.median(wall), statistics.median(cpu)
    return f"median {median:7.2f} ms wall (min {min(wall):7.2f}), {median_cpu:6.2f} ms CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=200, help="articles in the project")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="bench_suggestions_api_")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECURE_COOKIES", "false")  # in process over plain HTTP: no redirect to HTTPS
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.environ["DJANGO_SETTINGS_MODULE"] = "annotator.settings_test"
    os.environ.setdefault("JOBS_PROGRESS_DIR", folder)
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.management import call_command
    from django.test import RequestFactory

    from statements import services
    from statements.models import Actor, ActorAlias, Membership, Project, Role, SuggestionSet, User
    from statements.selectors import suggestions as reads
    from statements.services import suggestions as suggestion_services

    call_command("migrate", verbosity=0)
    user = User.objects.create_user("bench_analyst", password="x")
    project = Project.objects.create(name="Bench", slug="bench")
    Membership.objects.create(project=project, user=user, role=Role.LEAD)
    for info in bench_suggestions.registry_actors(200):
        actor = Actor.objects.create(
            pk=info.id,
            name=info.name,
            kind=info.kind if info.kind in ("person", "state", "organization", "group") else "other",
        )
        ActorAlias.objects.bulk_create(ActorAlias(actor=actor, name=a) for a in dict.fromkeys(info.aliases))
    workload = bench_suggestions.load_workload(bench_suggestions.DEFAULT_WORKLOAD)
    articles = [
        services.article_create(user=None, project=project, title=f"Bench {i}", text=art["text"])
        for i, art in enumerate(workload.generate(n=args.n))
    ]
    sample = next(a for a in articles if 2700 <= len(a.text) <= 3300)
    n_suggestions = len(reads.computed_suggestions(sample))
    print(
        f"SQLite, {len(articles)} articles, 200 actors; the sample article: {len(sample.text):,} "
        f"characters, {n_suggestions} suggestions"
    )

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.save()
    handler, factory = WSGIHandler(), RequestFactory()
    cookie = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    url = f"/api/articles/{sample.pk}/suggestions/"

    def get() -> None:
        environ = dict(factory.get(url, secure=True).environ, HTTP_COOKIE=cookie)
        status: list[str] = []
        b"".join(handler(environ, lambda s, h, exc_info=None: status.append(s)))
        if not status[0].startswith("200"):
            raise RuntimeError(f"GET {url}: {status[0]}")

    SuggestionSet.objects.all().delete()
    print(f"GET {url}  computed      {summary(timed(get, args.repeat))}")
    suggestion_services.suggestion_set_store(article=sample, actors=reads.actor_registry())
    print(f"GET {url}  pre-computed  {summary(timed(get, args.repeat))}")

    SuggestionSet.objects.all().delete()
    started, started_cpu = time.perf_counter(), time.process_time()
    result = suggestion_services.preannotate_project(project=project)
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    print(
        f"pre-annotating the project: {result['articles']:,} articles, {result['suggestions']:,} "
        f"suggestions in {seconds:.2f} s wall, {cpu:.2f} s CPU ({cpu / result['articles'] * 1000:.1f} ms CPU"
        " per article)"
    )


if __name__ == "__main__":
    main()
