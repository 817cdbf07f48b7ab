"""The project boundary, as an isolation matrix: two projects with overlapping members, and for
every route of the URL configuration (pages, fragments, API endpoints, exports), a member of A who
is not in B sees nothing of B and writes nothing into it.

The matrix is built by walking the URL configuration, so a new route cannot be added without an
isolation case: a route whose parameters this module cannot fill with B's objects fails
`test_every_route_has_an_isolation_case` until it is classified below.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from statements import services
from statements.models import (
    Article,
    ArticleAssignment,
    Comment,
    Condition,
    Job,
    Membership,
    Review,
    Role,
    Statement,
    StatementEvent,
)
from tests.factories import ActorFactory, ArticleFactory, ProjectFactory, StatementFactory, UserFactory
from tests.views.test_sign_in_required import PUBLIC, _routes

pytestmark = pytest.mark.django_db

SECRET = "Bravo-secret"  # every piece of B's data carries it; no response to A may contain it

# Routes that are the same for everyone (actors are global, documentation, account pages): they
# take no project data, or only global data, so there is nothing of B to leak through them.
GLOBAL = {
    "api-schema",
    "api-docs",
    "api-root",
    "api_token",
    "logout",
    "actor_list",
    "actor_create",
    "actor_update",
    "api-actor-list",
    "api-actor-detail",
}
# Which of B's objects fills a route's `pk`, by the start of its name.
PK_OF = [
    ("api-article-", "article"),
    ("api-statement-", "statement"),
    ("api-condition-", "condition"),
    ("api-review-", "review"),
    ("api-user-", "user"),
    ("api-project-", "project_pk"),
    ("article_", "article"),
    ("assignment_", "article"),
    ("statement_", "statement"),
    ("comment_", "statement"),
    ("project_", "project_pk"),
    ("api-job-", "job"),
    ("api-suggestion", "article"),  # suggestions (#11): api-suggestions, api-suggestion-accept, …
    ("api-preannotate", "project_pk"),
    ("job_", "job"),
]


def kind_of(name: str) -> str | None:
    for prefix, kind in PK_OF:
        if name.startswith(prefix):
            return kind
    return None


def _fill(name: str, params: list[str], b: dict) -> dict[str, str] | None:
    """The URL parameters of route `name` filled with B's objects (None: no case for it)."""
    out: dict[str, str] = {}
    for param in params:
        if param == "slug":
            out[param] = b["project"].slug
        elif param == "pk":
            kind = kind_of(name)
            if kind is None:
                return None
            out[param] = str(b[kind].pk)
        elif param in {"membership_pk", "member_pk", "membership_id", "member"}:
            out[param] = str(b["membership"].pk)
        else:
            return None
    return out


def _route_params() -> list[tuple[str, list[str]]]:
    from django.urls import get_resolver

    found: dict[str, list[str]] = {}

    def walk(patterns, prefix=""):
        from django.urls import URLPattern, URLResolver

        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and p.name:
                params = list(p.pattern.regex.groupindex)
                if "format" in params:
                    continue
                found.setdefault(p.name, params)

    walk(get_resolver().url_patterns)
    return sorted(found.items())


ROUTES = [(name, params) for name, params in _route_params() if name not in PUBLIC and name not in GLOBAL]
PUBLIC_ROUTES = {n for _, n, _ in _routes()} & PUBLIC


@pytest.fixture
def world():
    """Projects A and B. Lena leads A and views B; Amira annotates A only; Ben and Ola are B's.
    Everything in B carries SECRET: its name, article, statement, condition, review, comment."""
    a = ProjectFactory(name="Alpha study")
    b = ProjectFactory(name=f"{SECRET} study", description=SECRET)
    lena = UserFactory(username="lena", role=Role.LEAD, role__project=a)
    Membership.objects.create(project=b, user=lena, role=Role.VIEWER)
    amira = UserFactory(username="amira", role=Role.ANALYST, role__project=a)
    ben = UserFactory(username="ben", first_name=SECRET, role=Role.ANALYST, role__project=b)
    ola = UserFactory(username="ola", role=Role.LEAD, role__project=b)
    speaker = ActorFactory(name="Shared Speaker")
    a_article = ArticleFactory(project=a, title="Alpha article")
    StatementFactory(article=a_article, user=amira, quote="Putin told reporters")
    text = f"The minister said: “The {SECRET} quote must stand,” before leaving. Nothing else."
    b_article = ArticleFactory(project=b, title=f"{SECRET} article", text=text, source=f"{SECRET} Times")
    statement = StatementFactory(
        article=b_article,
        user=ben,
        quote=f"The {SECRET} quote must stand,",
        stance="demand",
        speaker=speaker,
        conditions=[{"description": f"{SECRET} condition"}],
    )
    review = services.statement_review(
        statement=statement, reviewer=ola, verdict="request_changes", comment=SECRET
    )
    services.comment_add(statement=statement, author=ola, body=f"{SECRET} comment")
    services.assignment_create(article=b_article, analyst=ben, user=ola)
    return {
        "a": a,
        "b": {
            "project": b,
            "project_pk": b,
            "article": b_article,
            "statement": statement,
            "condition": statement.conditions.get(),
            "review": review,
            "user": ben,
            "membership": Membership.objects.get(project=b, user=ben),
            "job": Job.objects.create(
                kind="import_statements",
                user=ben,
                project=b,
                status="done",
                result={"note": SECRET},
                output=SECRET.encode(),
                output_name=f"{SECRET}.jsonl",
            ),
        },
        "lena": lena,
        "amira": amira,
        "ben": ben,
        "speaker": speaker,
    }


def _snapshot() -> dict[str, object]:
    """Everything a write could change, to compare before and after a refused write."""
    return {
        "articles": list(Article.objects.order_by("pk").values_list("pk", "project_id", "title", "text")),
        "statements": list(
            Statement.objects.order_by("pk").values_list(
                "pk", "stance", "status", "version", "quote", "speaker_id"
            )
        ),
        "conditions": list(Condition.objects.order_by("pk").values_list("pk", "description")),
        "reviews": Review.objects.count(),
        "comments": Comment.objects.count(),
        "assignments": list(ArticleAssignment.objects.order_by("pk").values_list("pk", "finished_at")),
        "events": StatementEvent.objects.count(),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", "role")),
    }


def _of_b(project) -> dict[str, object]:
    """B's rows only."""
    statements = Statement.objects.filter(article__project=project)
    return {
        "articles": list(
            Article.objects.filter(project=project).order_by("pk").values_list("pk", "title", "text")
        ),
        "statements": list(
            statements.order_by("pk").values_list("pk", "stance", "status", "version", "quote")
        ),
        "conditions": list(
            Condition.objects.filter(statement__in=statements).values_list("pk", "description")
        ),
        "reviews": Review.objects.filter(statement__in=statements).count(),
        "comments": Comment.objects.filter(statement__in=statements).count(),
        "assignments": list(
            ArticleAssignment.objects.filter(article__project=project).values_list("pk", "finished_at")
        ),
        "memberships": list(
            Membership.objects.filter(project=project).order_by("pk").values_list("pk", "user_id", "role")
        ),
    }


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def test_every_route_has_an_isolation_case(world):
    missing = [name for name, params in ROUTES if _fill(name, params, world["b"]) is None]
    assert missing == [], f"classify these routes in tests/test_isolation.py: {missing}"
    assert len(ROUTES) >= 30


@pytest.mark.parametrize(("name", "params"), ROUTES, ids=[n for n, _ in ROUTES])
def test_a_member_of_a_reads_nothing_of_b(client, world, name, params):
    url = reverse(name, kwargs=_fill(name, params, world["b"]))
    client.force_login(world["amira"])
    response = client.get(url)
    if params:  # an object of B: it does not exist for her
        assert response.status_code in (404, 405), (url, response.status_code)
    else:
        assert response.status_code in (200, 302, 403, 405), (url, response.status_code)
    assert SECRET not in _body(response), url


@pytest.mark.parametrize(("name", "params"), ROUTES, ids=[n for n, _ in ROUTES])
@pytest.mark.parametrize("method", ["post", "patch", "put", "delete"])
def test_a_member_of_a_writes_nothing_into_b(client, world, name, params, method):
    url = reverse(name, kwargs=_fill(name, params, world["b"]))
    client.force_login(world["amira"])
    payload = {
        "article": world["b"]["article"].pk,
        "statement": world["b"]["statement"].pk,
        "project": world["b"]["project"].pk,
        "stance": "support",
        "quote": f"The {SECRET} quote must stand,",
        "start": 0,
        "end": 5,
        "verdict": "accept",
        "body": "hello",
        "description": "x",
        "analyst": world["amira"].pk,
        "finished": "1",
        "user": world["amira"].pk,
        "role": "lead",
        "title": "Planted",
        "text": "Planted text.",
    }
    before = _snapshot()
    b_before = _of_b(world["b"]["project"])
    if method == "post":
        response = client.post(url, payload)
    else:
        response = getattr(client, method)(url, payload, content_type="application/json")
    after = _snapshot()
    if params:
        assert response.status_code in (400, 403, 404, 405, 422), (url, method, response.status_code)
        assert after == before, (url, method)
    else:  # a list route that creates things (statements, imports, articles): nothing of B moves
        assert _of_b(world["b"]["project"]) == b_before, (url, method)
    assert SECRET not in _body(response), (url, method)


SEARCHES = [
    ("article_list", {"q": "minister"}),
    ("article_list", {"project": "all"}),
    ("review_queue", {"project": "all"}),
    ("review_queue", {"annotator": "ben_pk"}),
    ("review_queue", {"speaker": "speaker_pk"}),
    ("condition_list", {"q": "condition"}),
    ("condition_list", {"speaker": "speaker_pk"}),
    ("agreement", {"article": "b_article_pk"}),
    ("agreement", {"project": "all"}),
    ("actor_list", {"q": "Shared"}),
    ("api-statement-list", {"q": "stand"}),
    ("api-statement-list", {"speaker": "speaker_pk"}),
    ("api-statement-list", {"annotator": "ben_pk"}),
    ("api-statement-list", {"article": "b_article_pk"}),
    ("api-condition-list", {"q": "condition"}),
    ("api-article-list", {"q": "minister"}),
    ("api-review-list", {"statement": "b_statement_pk"}),
    ("api-agreement", {"article": "b_article_pk"}),
    ("api-agreement", {}),
    ("api-export-statements", {"format": "jsonl"}),
    ("api-export-statements", {"format": "json"}),
    ("api-export-statements", {"format": "csv"}),
    ("api-export-statements", {"format": "w3c"}),
    ("api-export-statements", {"format": "jsonl", "speaker": "speaker_pk"}),
    ("api-user-list", {}),
]


@pytest.mark.parametrize(("name", "params"), SEARCHES, ids=[f"{n}-{'-'.join(p)}" for n, p in SEARCHES])
def test_searches_filters_exports_and_numbers_of_a_show_nothing_of_b(client, world, name, params):
    values = {
        "ben_pk": world["ben"].pk,
        "speaker_pk": world["speaker"].pk,
        "b_article_pk": world["b"]["article"].pk,
        "b_statement_pk": world["b"]["statement"].pk,
    }
    query = {k: values.get(v, v) for k, v in params.items()}
    client.force_login(world["amira"])
    response = client.get(reverse(name), query)
    assert response.status_code in (200, 400, 404), response.status_code
    body = _body(response)
    assert SECRET not in body
    assert f"/articles/{world['b']['article'].pk}/" not in body
    assert f'"article": {world["b"]["article"].pk},' not in body


def test_a_member_of_b_does_see_b(client, world):
    """The matrix's control: the same routes do show B to its own members."""
    client.force_login(world["ben"])
    assert SECRET in _body(client.get(reverse("article_detail", args=[world["b"]["article"].pk])))
    assert SECRET in _body(client.get(reverse("api-statement-list")))
    client.force_login(world["lena"])  # a viewer of B reads it too
    assert SECRET in _body(client.get(reverse("statement_activity", args=[world["b"]["statement"].pk])))


def test_a_viewer_of_b_who_leads_a_cannot_write_in_b(client, world):
    client.force_login(world["lena"])
    before = _snapshot()
    statement = world["b"]["statement"]
    client.post(reverse("statement_review", args=[statement.pk]), {"verdict": "accept"})
    client.post(
        reverse("statement_update", args=[statement.pk]), {"stance": "support", "version": statement.version}
    )
    client.post(reverse("article_adjudicate", args=[statement.article_id]), {"source": [statement.pk]})
    client.post(reverse("statement_create", args=[statement.article_id]), {"stance": "support"})
    client.patch(
        reverse("api-statement-detail", args=[statement.pk]),
        {"stance": "support"},
        content_type="application/json",
    )
    assert _snapshot() == before
