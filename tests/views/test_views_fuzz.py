"""Fuzzing the pages (hypothesis): every route of statements/urls.py, GET with random query
parameters (the names the views read, and others) and POST with random form fields, as an
analyst, a lead, a viewer or nobody; values include NUL characters, huge numbers, time offsets
beyond ±15:59, deep JSON and Unicode. Whatever comes in, never a 5xx."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statements import services
from tests.factories import ActorFactory, ArticleFactory, StatementFactory, default_project

pytestmark = pytest.mark.django_db

# the parameters the pages read (grep request.GET / request.POST in statements/views/)
NAMES = [
    "q", "source", "actor", "page", "project", "stance", "status", "article", "speaker",
    "addressee", "annotator", "after", "show", "statement", "edit", "threshold", "from", "to",
    "finished", "members", "deleted", "revision", "kind", "picker", "prefix", "next", "verdict",
    "comment", "body", "start", "end", "quote", "start_u16", "end_u16", "note", "conditions",
    "version", "name", "aliases", "affiliation", "description", "role", "username", "text",
    "title", "url", "published", "dateline", "language", "use", "analyst", "action", "id",
    "created_after", "updated_after", "format", "engine", "reason", "unit", "sources",
]  # fmt: skip
NASTY = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "😀",
        "𠜎",
        "Σ",
        "İ",
        "-1",
        "0",
        "1",
        "2",
        "999999999999999999999",
        "1e309",
        "NaN",
        "null",
        "true",
        "<script>",
        "../..",
        "%",
        "_",
        "\\",
        "\r\n",
        "a" * 5000,
        "2025-01-01T00:00:00+16:00",
        "2025-01-01T00:00:00-23:59",
        "2025-13-45",
        "all",
        "[" * 3000 + "]" * 3000,
        '{"a":' * 2000 + "1" + "}" * 2000,
    ]
) | st.text(max_size=30)
PARAMS = st.dictionaries(
    st.sampled_from(NAMES) | st.text(max_size=8), NASTY | st.lists(NASTY, max_size=3), max_size=6
)


def routes() -> list[str]:
    out: list[str] = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                out.append(prefix + str(p.pattern))

    walk(get_resolver().url_patterns)
    return [r for r in out if not r.startswith(("admin/", "api/"))]


ROUTES = routes()


@pytest.fixture
def world(analyst, other_analyst, lead, viewer):
    article = ArticleFactory(user=analyst)
    own = StatementFactory(article=article, user=analyst, speaker=ActorFactory().pk)
    services.condition_add(statement=own, user=analyst, description="If")
    StatementFactory(article=article, user=other_analyst, quote="very promising")
    return {"analyst": analyst, "lead": lead, "viewer": viewer, "ids": [article.pk, own.pk, 1, 0, 2**63]}


def _url(route: str, draw, ids) -> str:
    def fill(m: re.Match) -> str:
        kind = m.group(1) or "str"
        if kind == "int":
            return str(draw(st.sampled_from(ids)))
        if kind == "slug":
            return draw(st.sampled_from([default_project().slug, "nope", "x" * 90]))
        return draw(st.sampled_from(["abc", "MQ", "set-password", "😀"]))

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", fill, route)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    data=st.data(),
    who=st.sampled_from(["analyst", "lead", "viewer", None]),
    method=st.sampled_from(["get", "post"]),
)
def test_no_page_answers_with_a_server_error(client, world, data, who, method):
    route = data.draw(st.sampled_from(ROUTES))
    url = _url(route, data.draw, world["ids"])
    params = data.draw(PARAMS)
    if who:
        client.force_login(world[who])
    headers = {"HX-Request": "true"} if data.draw(st.booleans()) else {}
    response = getattr(client, method)(url, params, headers=headers)
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code < 500, (method, url, params, who, response.status_code)
