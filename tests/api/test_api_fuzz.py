"""Fuzzing the API from its own OpenAPI schema (hypothesis): for every operation, path, query and
body values shaped like the schema says, and plenty that are not. Whatever comes in, the answer is
never a 5xx, and a refused write leaves no trace."""

import json
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements import services
from tests.factories import ActorFactory, ArticleFactory, StatementFactory

pytestmark = pytest.mark.django_db

SCHEMA = None


def schema() -> dict:
    global SCHEMA
    if SCHEMA is None:
        SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
    return SCHEMA


def operations() -> list[tuple[str, str, dict]]:
    out = []
    for path, item in schema()["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                out.append((path, method, operation))
    return out


def resolve(node: dict) -> dict:
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[1]
        node = schema()["components"]["schemas"][name]
    return node


junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=8,
)
nasty_text = st.sampled_from(
    ["", " ", "\x00", "😀", "a" * 600, "-1", "0", "1e309", "null", "<b>", "\r\n"]
    # time offsets PostgreSQL refuses (beyond ±15:59) and one Python refuses; Unicode case
    + ["2025-03-14T00:00:00+16:00", "2025-03-14T12:00:00-23:59", "2025-03-14T00:00:00+24:00", "İı", "ς"]
) | st.text(max_size=40)
nasty_int = st.sampled_from([0, -1, 1, 2, 3, 2**31, 2**63, 10**30, -(2**63)]) | st.integers()


def value_for(node: dict, depth: int = 0):
    node = resolve(node)
    if "allOf" in node:
        return value_for(node["allOf"][0], depth)
    if "oneOf" in node or "anyOf" in node:
        return st.one_of([value_for(n, depth) for n in node.get("oneOf", node.get("anyOf"))])
    kind = node.get("type")
    shaped = junk
    if "enum" in node:
        shaped = st.sampled_from([v for v in node["enum"] if v is not None] or [None])
    elif kind == "integer":
        shaped = nasty_int
    elif kind == "string":
        shaped = nasty_text
    elif kind == "boolean":
        shaped = st.booleans()
    elif kind == "array" and depth < 3:
        shaped = st.lists(value_for(node.get("items", {}), depth + 1), max_size=3)
    elif kind == "object" and depth < 3:
        props = node.get("properties", {})
        shaped = st.fixed_dictionaries(
            {}, optional={name: value_for(p, depth + 1) for name, p in props.items() if not p.get("readOnly")}
        )
    return st.one_of(shaped, shaped, junk)  # mostly shaped, sometimes anything


@st.composite
def requests(draw):
    path, method, operation = draw(st.sampled_from(operations()))
    url = re.sub(  # {id}, {membership_pk}, …
        r"\{[^}]+\}", lambda _: str(draw(st.sampled_from([1, 2, 3, 0, 999999]) | nasty_int)), path
    )
    query = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query" and draw(st.booleans()):
            query[parameter["name"]] = draw(value_for(parameter.get("schema", {})) | nasty_text)
    body = None
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = draw(value_for(content["application/json"]["schema"]))
    return method, url, query, body


@pytest.fixture
def world(analyst, other_analyst, lead):
    article = ArticleFactory(user=analyst)
    speaker = ActorFactory()
    own = StatementFactory(article=article, user=analyst, speaker=speaker.pk)
    services.condition_add(statement=own, user=analyst, description="If")
    theirs = StatementFactory(article=article, user=other_analyst, quote="very promising")
    services.statement_review(statement=theirs, reviewer=analyst, verdict="accept")
    return {"analyst": analyst, "lead": lead}


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests(), who=st.sampled_from(["analyst", "lead", None]))
def test_it_never_answers_with_a_server_error(world, request, who):
    method, url, query, body = request
    client = APIClient()
    if who:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=world[who])[0].key}")
    params = {k: v if isinstance(v, str) else json.dumps(v) for k, v in query.items()}
    if method == "get" or method == "delete":
        response = getattr(client, method)(url, params)
    else:
        query_string = "&".join(f"{k}={v}" for k, v in params.items() if "&" not in k + v and "=" not in k)
        response = getattr(client, method)(f"{url}?{query_string}", body, format="json")
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code < 500, (method, url, query, body, response.status_code)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.binary(max_size=200),
    content_type=st.sampled_from(
        ["application/json", "application/x-ndjson", "text/plain", "multipart/form-data; boundary=x"]
    ),
)
def test_garbage_bodies_are_refused_cleanly(world, raw, content_type):
    raw = raw or b"[" * 100_000 + b"]" * 100_000  # the empty body stands for JSON nested 100,000 deep
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=world['lead'])[0].key}")
    for url in ("/api/statements/", "/api/articles/import/", "/api/actors/", "/api/reviews/"):
        response = client.post(url, raw, content_type=content_type)
        assert response.status_code < 500, (url, raw, content_type)
