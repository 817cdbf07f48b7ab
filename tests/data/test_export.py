"""The statement export: every format parses back and agrees with the database (emoji, `\\r\\n`
normalized text, quotes, backslashes, control characters, newlines), W3C annotations pass the
W3C test suite's MUST assertions, both engines give the same bytes, the number of queries does not
grow with the rows, the stream starts at once and stops when the client goes away."""

import csv
import io
import json
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements import permissions, services
from statements.data import exporting
from statements.models import Article, Statement
from statements.services import CONTEXT_CHARS
from tests.factories import ActorFactory, ArticleFactory

pytestmark = pytest.mark.django_db

# The W3C Web Annotation test suite's JSON Schema assertions and validator, vendored from
# ../shared/w3c-annotation-tests (see its SOURCE.txt and license.md) so that a clean clone runs it.
W3C_TESTS = Path(__file__).resolve().parent / "w3c_annotation_tests"

# A text that tries everything: \r\n and \r line ends (normalized to \n), an emoji (one code point,
# two UTF-16 units), straight and curly quotes, a backslash, a tab, control characters that COPY
# would quote (\x01, \x02), commas and pipes for CSV, and quotes at the very start and end.
HARD_TEXT = (
    'Kyiv 😀 said: "We demand a ceasefire", she wrote.\r\nThen: ‘caveat’ \\ tab\there,'
    " ctrl\x01\x02 | end\rLast words"
)


def client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _at(article: Article, quote: str) -> dict:
    start = article.text.index(quote)
    return {"start": start, "end": start + len(quote), "quote": quote}


@pytest.fixture
def corpus(analyst, other_analyst, lead):
    """Two articles whose statements interleave by id; speakers with and without affiliation,
    conditions with and without evidence, every verdict, a gold statement, notes with newlines."""
    russia = services.actor_create(user=lead, name="Russia", kind="state")
    putin = services.actor_create(user=lead, name='Vladimir "VVP" Putin', affiliation=russia.pk)
    trump = ActorFactory(name="Donald Trump, 47th")
    hard = services.article_create(user=analyst, title='Hard "text", 😀', text=HARD_TEXT, source="", url="")
    plain = ArticleFactory(title="Plain", source="Reuters", url="https://example.org/a")
    made = {}

    def add(name, article, user, quote, **kw):
        made[name] = services.statement_create(article=article, user=user, **_at(article, quote), **kw)

    add("first", hard, analyst, "Kyiv 😀", stance="support", speaker=putin.pk, addressee=trump.pk)
    add("plain1", plain, other_analyst, "very promising", stance="caveat", note="line one\nline two")
    add(
        "quoted",
        hard,
        other_analyst,
        '"We demand a ceasefire"',
        stance="demand",
        speaker=trump.pk,
        conditions=[
            {"description": 'Only "if" | they agree, first'},
            {"description": "Evidence", **{f"evidence_{k}": v for k, v in _at(hard, "ctrl\x01\x02").items()}},
        ],
    )
    add("last", hard, analyst, "Last words", stance="caveat", note='back\\slash "and"\ttab')
    add("plain2", plain, analyst, "do the right thing", stance="demand", speaker=putin.pk)
    add("newline", hard, analyst, "she wrote.\nThen", stance="support")
    services.statement_review(statement=made["plain1"], reviewer=analyst, verdict="accept")
    services.statement_review(statement=made["quoted"], reviewer=analyst, verdict="reject", comment="no")
    services.statement_review(statement=made["quoted"], reviewer=lead, verdict="request_changes", comment="x")
    made["gold"] = services.statement_adjudicate(
        article=plain,
        user=lead,
        sources=[made["plain1"]],
        **_at(plain, "very promising"),
        stance="caveat",
        speaker=trump.pk,
    )
    made.update(hard=hard, plain=plain, putin=putin, trump=trump, russia=russia)
    return made


def export(queryset=None, fmt="jsonl", engine=None, **kw) -> bytes:
    queryset = Statement.objects.all() if queryset is None else queryset
    return b"".join(
        exporting.export_statements(queryset, fmt=fmt, engine=engine, base_url="http://testserver", **kw)
    )


def _expected(statement: Statement) -> dict:
    """What a row must say, computed here from the database, independently of the exporter."""
    article = statement.article
    text = article.text

    def actor(a):
        if a is None:
            return None
        aff = {"id": a.affiliation.pk, "name": a.affiliation.name} if a.affiliation_id else None
        return {"id": a.pk, "name": a.name, "kind": a.kind, "affiliation": aff}

    verdicts = [r.verdict for r in statement.reviews.all()]
    return {
        "id": statement.pk,
        "article": {
            "id": article.pk,
            "title": article.title,
            "source": article.source,
            "url": article.url,
            "published": article.published.isoformat() if article.published else None,
        },
        "start": statement.start,
        "end": statement.end,
        "quote": statement.quote,
        "context_before": text[max(0, statement.start - CONTEXT_CHARS) : statement.start],
        "context_after": text[statement.end : statement.end + CONTEXT_CHARS],
        "speaker": actor(statement.speaker),
        "addressee": actor(statement.addressee),
        "stance": statement.stance,
        "note": statement.note,
        "conditions": [
            {
                "description": c.description,
                "evidence": None
                if c.evidence_start is None
                else {"start": c.evidence_start, "end": c.evidence_end, "quote": c.evidence_quote},
            }
            for c in statement.conditions.order_by("position", "id")
        ],
        "annotator": {"id": statement.annotator.pk, "username": statement.annotator.username},
        "status": statement.status,
        "gold": statement.is_gold,
        "reviews": {
            "total": len(verdicts),
            "accept": verdicts.count("accept"),
            "reject": verdicts.count("reject"),
            "request_changes": verdicts.count("request_changes"),
        },
        "created_at": exporting._ts(statement.created_at),
        "updated_at": exporting._ts(statement.updated_at),
        "suggested": None,  # typed by hand (tests/data/test_export_provenance.py: from suggestions)
    }


def _all_expected() -> list[dict]:
    return [_expected(s) for s in Statement.objects.order_by("id")]


# ---- Each format parses back and agrees with the database --------------------------------------


def test_jsonl_is_one_json_document_per_line_matching_the_database(corpus):
    lines = export(fmt="jsonl").decode().split("\n")
    assert lines[-1] == ""  # every line ends with \n
    rows = [json.loads(line) for line in lines[:-1]]
    assert rows == _all_expected()
    first = rows[0]
    assert first["quote"] == "Kyiv 😀" and first["context_before"] == ""
    assert first["speaker"]["affiliation"] == {"id": corpus["russia"].pk, "name": "Russia"}
    assert "\r" not in corpus["hard"].text and "she wrote.\nThen" in corpus["hard"].text
    last = next(r for r in rows if r["quote"] == "Last words")
    assert last["context_after"] == "" and last["note"] == 'back\\slash "and"\ttab'


def test_json_is_an_array_of_the_same_objects(corpus):
    data = json.loads(export(fmt="json"))
    assert data == _all_expected()
    assert json.loads(export(Statement.objects.none(), fmt="json")) == []


def test_csv_parses_with_the_csv_module_and_flattens_conditions(corpus):
    reader = csv.DictReader(io.StringIO(export(fmt="csv").decode(), newline=""))
    assert reader.fieldnames == list(exporting.CSV_COLUMNS)
    rows = list(reader)
    expected = _all_expected()
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected, strict=True):
        assert int(row["statement_id"]) == want["id"]
        assert int(row["article_id"]) == want["article"]["id"]
        assert row["article_title"] == want["article"]["title"]
        assert row["article_published"] == (want["article"]["published"] or "")
        assert (int(row["start"]), int(row["end"])) == (want["start"], want["end"])
        assert row["quote"] == want["quote"]
        assert row["context_before"] == want["context_before"]
        assert row["context_after"] == want["context_after"]
        speaker = want["speaker"] or {}
        assert row["speaker_name"] == speaker.get("name", "")
        assert row["speaker_affiliation"] == ((speaker.get("affiliation") or {}).get("name") or "")
        assert row["addressee_id"] == str((want["addressee"] or {}).get("id", ""))
        assert row["stance"] == want["stance"] and row["note"] == want["note"]
        assert row["annotator"] == want["annotator"]["username"]
        assert row["status"] == want["status"] and row["gold"] == str(want["gold"]).lower()
        assert int(row["reviews"]) == want["reviews"]["total"]
        assert int(row["rejects"]) == want["reviews"]["reject"]
        assert row["created_at"] == want["created_at"]
    quoted = next(r for r in rows if r["quote"] == '"We demand a ceasefire"')
    assert quoted["conditions"] == 'Only "if" | they agree, first | Evidence [evidence: “ctrl\x01\x02”]'


def test_w3c_annotations_pass_the_w3c_must_assertions(corpus):
    sys.path.insert(0, str(W3C_TESTS))
    try:
        import validate
    finally:
        sys.path.remove(str(W3C_TESTS))
    musts = W3C_TESTS / "annotations" / "annotationMusts.test"
    collection = json.loads(
        export(fmt="w3c", collection_id="http://testserver/api/export/statements?format=w3c")
    )
    assert collection["type"] == "AnnotationCollection" and collection["total"] == Statement.objects.count()
    items = collection["first"]["items"]
    assert [a["id"] for a in items] == [
        f"http://testserver/api/statements/{pk}/"
        for pk in Statement.objects.order_by("id").values_list("id", flat=True)
    ]
    for annotation, want in zip(items, _all_expected(), strict=True):
        with redirect_stdout(io.StringIO()) as report:
            failures = validate.run(annotation, musts)
        assert failures == 0, report.getvalue()
        quote_selector, position = annotation["target"]["selector"]
        assert quote_selector["exact"] == want["quote"]
        assert quote_selector.get("prefix", "") == want["context_before"]
        assert quote_selector.get("suffix", "") == want["context_after"]
        assert (position["start"], position["end"]) == (want["start"], want["end"])
        assert annotation["target"]["source"] == f"http://testserver/api/articles/{want['article']['id']}/"
        purposes = {b["purpose"]: b["value"] for b in annotation["body"]}
        assert purposes["classifying"] == want["stance"]
        if want["speaker"]:
            assert purposes["identifying"] == want["speaker"]["name"]
        assert (
            annotation["created"].endswith("Z")
            and annotation["creator"]["nickname"] == want["annotator"]["username"]
        )


def test_text_position_selectors_count_code_points_not_utf16_units(corpus):
    rows = [json.loads(line) for line in export().decode().splitlines()]
    after_emoji = next(r for r in rows if r["quote"] == '"We demand a ceasefire"')
    text = corpus["hard"].text
    assert text[after_emoji["start"] : after_emoji["end"]] == after_emoji["quote"]
    # 13 code points before it; a browser's JavaScript would count 14 UTF-16 units
    assert after_emoji["start"] == 13 and len(text[:13].encode("utf-16-le")) // 2 == 14


# ---- Both engines, the same bytes ---------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY engine needs PostgreSQL")
@pytest.mark.parametrize("fmt", exporting.FORMATS)
@pytest.mark.parametrize("selective", [True, False])
def test_the_copy_and_python_engines_give_the_same_bytes(corpus, fmt, selective, monkeypatch):
    # both ways of joining conditions and reviews: a lookup per statement, or merge joins
    monkeypatch.setattr(exporting, "_is_selective", lambda *args: selective)
    python = export(fmt=fmt, engine="python")
    assert export(fmt=fmt, engine="copy") == python
    filtered = Statement.objects.filter(stance="demand")
    assert export(filtered, fmt=fmt, engine="copy") == export(filtered, fmt=fmt, engine="python")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the sqlite engine needs SQLite")
@pytest.mark.parametrize("fmt", exporting.FORMATS)
def test_the_sqlite_and_python_engines_give_the_same_bytes(corpus, fmt):
    assert export(fmt=fmt, engine="sqlite") == export(fmt=fmt, engine="python")
    for filtered in (
        Statement.objects.filter(stance="demand"),
        # through the article index: SQLite reads the rows article by article and sorts them by
        # id afterwards, so the article changes in another order than the rows come out
        Statement.objects.filter(article__in=[corpus["hard"], corpus["plain"]]),
        Statement.objects.none(),
    ):
        assert export(filtered, fmt=fmt, engine="sqlite") == export(filtered, fmt=fmt, engine="python")
    by_article = Statement.objects.filter(article__in=[corpus["hard"], corpus["plain"]])
    sql, params = by_article.order_by().values_list("id").query.sql_with_params()
    with connection.cursor() as cursor:  # the case above really sorts
        cursor.execute(f"EXPLAIN QUERY PLAN SELECT f.id FROM ({sql}) f ORDER BY f.id", params)
        assert any("TEMP B-TREE FOR ORDER BY" in row[3] for row in cursor.fetchall())


@pytest.mark.parametrize("fmt", exporting.FORMATS)
def test_every_engine_gives_the_same_bytes_with_fields_and_context(corpus, fmt):
    engines = ["python", exporting.default_engine()]
    some = {
        "csv": ["quote", "statement_id", "context_after", "speaker_name", "conditions", "created_at"],
        "w3c": ["quote", "context_before", "start", "annotator"],
    }.get(fmt, ["quote", "id", "context_after", "speaker", "conditions", "reviews", "created_at"])
    for kwargs in ({"context": 0}, {"context": 200}, {"fields": some, "context": 5}, {"fields": some[:1]}):
        outputs = {export(fmt=fmt, engine=engine, **kwargs) for engine in engines}
        assert len(outputs) == 1, kwargs


# ---- Queries, streaming, disconnects --------------------------------------------------------------


def _bulk_statements(analyst, n: int) -> None:
    """`n` more statements over one long article, quickly (bulk insert; the trigger checks quotes)."""
    text = " ".join(f"w{i}" for i in range(n))
    article = services.article_create(user=None, title=f"Bulk {n}", text=text)
    rows, pos = [], 0
    for i in range(n):
        word = f"w{i}"
        rows.append(
            Statement(
                article=article,
                start=pos,
                end=pos + len(word),
                quote=word,
                stance="support",
                annotator=analyst,
            )
        )
        pos += len(word) + 1
    Statement.objects.bulk_create(rows, batch_size=1000)


@pytest.mark.parametrize("fmt", exporting.FORMATS)
def test_the_export_uses_the_same_queries_for_few_or_many_rows(analyst, corpus, fmt):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            export(fmt=fmt)
        return len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])

    few = count()
    _bulk_statements(analyst, 3000)
    assert count() == few
    # PostgreSQL: actors, users, the filter's row estimate and the tables' sizes, one COPY (the
    # suggestion provenance joined in); the SQLite and Python engines: actors, users, statements,
    # conditions, reviews, suggestion provenance
    expected = 5 if exporting.default_engine() == "copy" else 6
    assert few == expected + (1 if fmt == "w3c" else 0)  # W3C's collection states its total


def test_the_first_bytes_come_before_the_rest_is_read(analyst, monkeypatch):
    monkeypatch.setattr(exporting, "CHUNK_BYTES", 4096)
    _bulk_statements(analyst, 2000)
    rows = []
    chunks = exporting.export_statements(Statement.objects.all(), fmt="jsonl", on_rows=rows.append)
    first = next(chunks)
    assert first.count(b"\n") == 1 and rows == [1]  # one row out, the others not read yet
    rest = b"".join(chunks)
    assert (first + rest).count(b"\n") == sum(rows) == 2000


@pytest.mark.django_db(transaction=True)  # no test transaction around it: as on a real server
def test_a_client_that_goes_away_stops_the_export(analyst, lead):
    _bulk_statements(analyst, 3000)
    response = client_for(lead).get("/api/export/statements?format=csv")
    stream = iter(response.streaming_content)
    assert next(stream).startswith(b"statement_id,")
    response.close()  # what the WSGI server does when the client disconnects
    with pytest.raises(StopIteration):
        next(stream)
    with connection.cursor() as cursor:  # the connection is free: no COPY left in flight
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY (%%' AND state = 'active'"
            )
            assert cursor.fetchone() == (0,)


# ---- The endpoint -------------------------------------------------------------------------------


def test_the_endpoint_streams_each_format_with_its_media_type(viewer, corpus):
    client = client_for(viewer)
    for fmt, media in (("jsonl", "application/x-ndjson"), ("csv", "text/csv"), ("json", "application/json")):
        response = client.get(f"/api/export/statements?format={fmt}")
        assert response.status_code == 200 and response.streaming
        assert response["Content-Type"].startswith(media)
        assert f'.{exporting.EXTENSIONS[fmt]}"' in response["Content-Disposition"]
        assert b"".join(response.streaming_content)
    w3c = client.get("/api/export/statements?format=w3c")
    assert w3c["Content-Type"].startswith("application/ld+json")
    collection = json.loads(b"".join(w3c.streaming_content))
    assert collection["id"] == "http://testserver/api/export/statements?format=w3c"


def test_the_endpoint_takes_the_statement_filters(viewer, corpus):
    client = client_for(viewer)

    def ids(query: str) -> list[int]:
        response = client.get(f"/api/export/statements?{query}")
        assert response.status_code == 200
        return [json.loads(line)["id"] for line in b"".join(response.streaming_content).splitlines()]

    assert ids("status=rejected&stance=demand") == []
    assert ids("status=changes_requested&stance=demand") == [corpus["quoted"].pk]
    assert ids("gold=true") == [corpus["gold"].pk]
    assert ids(f"speaker={corpus['putin'].pk}&stance=demand") == [corpus["plain2"].pk]
    assert ids(f"article={corpus['plain'].pk}&q=promising") == [corpus["plain1"].pk, corpus["gold"].pk]
    assert ids("q=😀") == [corpus["first"].pk]


@pytest.mark.parametrize(
    "query", ["format=xml", "format=csv&stance=neutral", "article=x", "created_after=soon"]
)
def test_the_endpoint_refuses_a_bad_format_or_filter_with_a_json_400(viewer, query):
    response = client_for(viewer).get(f"/api/export/statements?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()


# ---- The command --------------------------------------------------------------------------------


def test_the_command_writes_a_file_with_the_same_filters(corpus, tmp_path):
    target = tmp_path / "demands.csv"
    call_command("export_statements", "--format", "csv", "-o", str(target), "--stance", "demand", verbosity=0)
    rows = list(csv.DictReader(target.open(newline="", encoding="utf-8")))
    assert sorted(int(r["statement_id"]) for r in rows) == sorted([corpus["quoted"].pk, corpus["plain2"].pk])
    assert target.read_bytes() == export(Statement.objects.filter(stance="demand"), fmt="csv")


def test_the_command_writes_stdout_and_refuses_bad_filters(corpus, analyst, lead):
    out = io.StringIO()
    call_command("export_statements", "--annotator", str(analyst.pk), "--gold", "false", stdout=out)
    ids = [json.loads(line)["id"] for line in out.getvalue().splitlines()]
    assert ids == list(
        Statement.objects.filter(annotator=analyst).order_by("id").values_list("id", flat=True)
    )
    services.assignment_create(article=corpus["plain"], analyst=analyst, user=lead)
    blind = io.StringIO()
    call_command(
        "export_statements", "--as-user", "amira", "--article", str(corpus["plain"].pk), stdout=blind
    )
    assert [json.loads(line)["id"] for line in blind.getvalue().splitlines()] == [corpus["plain2"].pk]
    with pytest.raises(CommandError, match="--article"):
        call_command("export_statements", "--article", "abc", stdout=io.StringIO())


def test_the_command_exports_one_project_by_id_or_slug(corpus, analyst, lead):
    from statements.models import Membership, Role
    from tests.factories import ProjectFactory

    other = ProjectFactory(name="Other study", slug="other")
    Membership.objects.create(project=other, user=lead, role=Role.LEAD)
    permissions.forget_roles(lead)  # her roles were read before: read them again
    elsewhere = services.article_create(
        user=lead, project=other, title="Elsewhere", text="We agree elsewhere."
    )
    theirs = services.statement_create(
        article=elsewhere, user=lead, **_at(elsewhere, "We agree"), stance="support"
    )
    sample = corpus["plain"].project

    def ids(*args: str) -> list[int]:
        out = io.StringIO()
        call_command("export_statements", *args, stdout=out)
        return [json.loads(line)["id"] for line in out.getvalue().splitlines()]

    everything = ids()
    assert ids("--project", "other") == ids("--project", str(other.pk)) == [theirs.pk]
    assert ids("--project", sample.slug) == [pk for pk in everything if pk != theirs.pk]
    assert ids("--project", "other", "--stance", "demand") == []
    # as a user: only among their projects; another project does not exist for them
    assert ids("--project", "other", "--as-user", "lena") == [theirs.pk]
    with pytest.raises(CommandError, match="no project 'other'"):
        call_command("export_statements", "--project", "other", "--as-user", "amira", stdout=io.StringIO())
    with pytest.raises(CommandError, match="no project 'nope'"):
        call_command("export_statements", "--project", "nope", stdout=io.StringIO())
