"""Smaller downloads: `fields=` keeps some fields of every format, `context=` sets the characters
of context (0 to 200), and the endpoint compresses on the fly when the client accepts gzip (every
format, the stream still streaming). Each round-trips: what comes back parses to exactly the
full export's values, cut down."""

import csv
import gzip
import io
import json
import zlib

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements import services
from statements.data import exporting
from statements.models import Statement
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

TEXT = (
    'Kyiv 😀 said: "We demand a ceasefire", she wrote.\nThen: ‘caveat’ \\ tab\there, '
    + "padding " * 40
    + "and at last they agree, on conditions."
)


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def statements(analyst, lead):
    article = services.article_create(user=analyst, title='A "title", 😀', text=TEXT)
    other = ArticleFactory(title="Plain", source="Reuters", url="https://example.org/a")
    speaker = services.actor_create(user=lead, name="Putin, V.", kind="person")
    made = []
    for quote, stance, art in (
        ('"We demand a ceasefire"', "demand", article),
        ("very promising", "caveat", other),
        ("they agree", "support", article),
    ):
        start = art.text.index(quote)
        made.append(
            services.statement_create(
                article=art,
                user=analyst,
                start=start,
                end=start + len(quote),
                quote=quote,
                stance=stance,
                speaker=speaker.pk,
                note='a note, with "quotes"',
                conditions=[{"description": "if | when"}],
            )
        )
    return made


def _rows(fmt: str, data: bytes) -> list[dict]:
    text = data.decode()
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(text, newline="")))
    if fmt == "jsonl":
        return [json.loads(line) for line in text.splitlines()]
    if fmt == "json":
        return json.loads(text)
    return json.loads(text)["first"]["items"]


def _export(fmt: str, **kwargs) -> bytes:
    return b"".join(exporting.export_statements(Statement.objects.all(), fmt=fmt, **kwargs))


@pytest.mark.parametrize("fmt", ["jsonl", "json", "csv"])
def test_it_keeps_only_the_fields_asked_for_in_their_order(statements, fmt):
    full = _rows(fmt, _export(fmt))
    names = ["quote", "context_after", "conditions"] + (
        ["statement_id", "speaker_name", "article_title"] if fmt == "csv" else ["id", "speaker", "reviews"]
    )
    some = _rows(fmt, _export(fmt, fields=names))
    assert len(some) == len(full) == 3
    for row, whole in zip(some, full, strict=True):
        assert list(row) == names  # only these, in this order
        assert row == {name: whole[name] for name in names}


def test_it_keeps_the_chosen_parts_of_a_w3c_annotation(statements):
    full = _rows("w3c", _export("w3c"))
    quote_only = _rows("w3c", _export("w3c", fields=["quote"]))
    for annotation, whole in zip(quote_only, full, strict=True):
        assert annotation["id"] == whole["id"] and annotation["target"]["source"] == whole["target"]["source"]
        assert [b["purpose"] for b in annotation["body"]] == ["classifying"]  # the stance stays
        assert annotation["target"]["selector"] == [
            {"type": "TextQuoteSelector", "exact": whole["target"]["selector"][0]["exact"]}
        ]
        assert "created" not in annotation and "creator" not in annotation
    positions = _rows("w3c", _export("w3c", fields=["start", "speaker", "created_at", "context_before"]))
    for annotation, whole in zip(positions, full, strict=True):
        assert annotation["target"]["selector"] == [whole["target"]["selector"][1]]
        assert annotation["created"] == whole["created"] and "modified" not in annotation
        assert [b["purpose"] for b in annotation["body"]] == ["classifying", "identifying"]
    assert _rows("w3c", _export("w3c", fields=list(exporting.JSON_FIELDS))) == full


@pytest.mark.parametrize("fmt", exporting.FORMATS)
@pytest.mark.parametrize("n", [0, 1, 200])
def test_it_cuts_the_context_to_the_characters_asked_for(statements, fmt, n):
    rows = _rows(fmt, _export(fmt, context=n))
    by_id = {s.pk: s for s in Statement.objects.select_related("article")}
    for row in rows:
        if fmt == "w3c":
            statement = by_id[int(row["id"].rstrip("/").rsplit("/", 1)[1])]
            selector = row["target"]["selector"][0]
            before, after = selector.get("prefix", ""), selector.get("suffix", "")
        else:
            statement = by_id[int(row["statement_id" if fmt == "csv" else "id"])]
            before, after = row["context_before"], row["context_after"]
        text = statement.article.text
        assert before == text[max(0, statement.start - n) : statement.start]
        assert after == text[statement.end : statement.end + n]
    if n == 200 and fmt != "w3c":  # "they agree" is more than 200 characters in: a full context
        assert sorted(len(row["context_before"]) for row in rows)[-1] == 200


def test_the_defaults_are_the_full_export(statements):
    for fmt in exporting.FORMATS:
        assert _export(fmt) == _export(fmt, context=exporting.CONTEXT_CHARS, fields=None)


@pytest.mark.parametrize(
    "kwargs", [{"fields": ["nope"]}, {"fields": []}, {"context": -1}, {"context": 201}, {"context": True}]
)
def test_it_refuses_unknown_fields_or_a_context_out_of_range(kwargs):
    with pytest.raises(ValueError):
        exporting.export_statements(Statement.objects.all(), fmt="jsonl", **kwargs)


# ---- The endpoint -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", exporting.FORMATS)
def test_the_endpoint_gzips_every_format_when_the_client_accepts_it(viewer, statements, fmt):
    client = client_for(viewer)
    plain = client.get(f"/api/export/statements?format={fmt}")
    assert "Content-Encoding" not in plain and "Accept-Encoding" in plain["Vary"]
    expected = b"".join(plain.streaming_content)
    response = client.get(f"/api/export/statements?format={fmt}", HTTP_ACCEPT_ENCODING="br, gzip;q=0.8")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    chunks = list(response.streaming_content)
    # a gzip stream, chunk by chunk: each chunk decompresses as it comes
    decompressor = zlib.decompressobj(31)
    assert decompressor.decompress(chunks[0])
    assert gzip.decompress(b"".join(chunks)) == expected


def test_the_endpoint_does_not_gzip_when_gzip_is_refused(viewer, statements):
    for header in ("identity", "gzip;q=0", "deflate"):
        response = client_for(viewer).get("/api/export/statements", HTTP_ACCEPT_ENCODING=header)
        assert "Content-Encoding" not in response, header
        assert b"".join(response.streaming_content).startswith(b"{")


def test_the_endpoint_takes_fields_and_context(viewer, statements):
    response = client_for(viewer).get(
        "/api/export/statements?format=csv&fields=statement_id,quote,context_before&context=4"
    )
    rows = _rows("csv", b"".join(response.streaming_content))
    assert list(rows[0]) == ["statement_id", "quote", "context_before"]
    assert all(len(row["context_before"]) <= 4 for row in rows)
    assert rows[0]["context_before"] == TEXT[: TEXT.index('"We')][-4:]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("format=csv&fields=id", "fields"),  # JSON's name, not a CSV column
        ("format=jsonl&fields=statement_id", "fields"),
        ("format=json&context=201", "context"),
        ("format=w3c&context=-1", "context"),
        ("context=ten", "context"),
    ],
)
def test_the_endpoint_refuses_bad_fields_or_context_with_a_json_400(viewer, query, field):
    response = client_for(viewer).get(f"/api/export/statements?{query}")
    assert response.status_code == 400
    assert field in response.json() or field in json.dumps(response.json())
