"""Suggestion provenance in the statement export (#11): a statement accepted from a suggestion
carries its rule, score, engine version and whether it was changed before accepting (`suggested`
in JSON, four `suggested_*` columns in CSV, a commenting body in W3C); a plain statement carries
null / empty cells / nothing. Every engine gives the same bytes, `fields=` selects it, and it costs
at most one query more (none when it is left out)."""

from __future__ import annotations

import csv
import io
import json
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements import services
from statements.data import exporting
from statements.models import Decision, Statement, SuggestionDecision
from statements.services import suggestions as svc
from statements.suggestions import ENGINE_VERSION
from tests.suggestions.helpers import MUST, OLSEN, WELCOME, article, registry, sid

pytestmark = pytest.mark.django_db

W3C_TESTS = Path(__file__).resolve().parent / "w3c_annotation_tests"  # as in test_export.py

# A score whose shortest round-trip digits (0.30000000000000004) differ from 15-digit printing
# (SQLite's and PostgreSQL's with extra_float_digits=0): every engine must print Python's digits.
AWKWARD_SCORE = 0.1 + 0.2


@pytest.fixture
def provenance(analyst, lead):
    """An article with a statement accepted unchanged (MUST), one changed before accepting
    (WELCOME, another stance; its score made awkward), a rejected suggestion (OLSEN: no
    statement), and a plain statement typed by hand."""
    actors = registry()
    doc = article()
    unchanged = svc.suggestion_accept(article=doc, user=analyst, suggestion=sid(MUST))
    changed = svc.suggestion_accept(
        article=doc, user=analyst, suggestion=sid(WELCOME), edits={"stance": "caveat"}
    )
    SuggestionDecision.objects.filter(statement=changed).update(score=AWKWARD_SCORE)
    svc.suggestion_reject(article=doc, user=analyst, suggestion=sid(OLSEN))
    quote = "in principle"
    start = doc.text.index(quote)
    plain = services.statement_create(
        article=doc,
        user=lead,
        start=start,
        end=start + len(quote),
        quote=quote,
        stance="caveat",
        speaker=actors["kovac"].pk,
    )
    return {"unchanged": unchanged, "changed": changed, "plain": plain, "article": doc}


def export(queryset=None, fmt="jsonl", engine=None, **kw) -> bytes:
    queryset = Statement.objects.all() if queryset is None else queryset
    return b"".join(
        exporting.export_statements(queryset, fmt=fmt, engine=engine, base_url="http://testserver", **kw)
    )


def engines() -> list[str]:
    return ["python", exporting.default_engine()]


def expected_suggested(statement: Statement) -> dict | None:
    """What a row must say, from the database, independently of the exporter."""
    decision = SuggestionDecision.objects.filter(statement=statement).first()
    if decision is None:
        return None
    return {
        "rule": decision.rule,
        "score": decision.score,
        "engine_version": decision.engine_version,
        "changed": decision.decision == Decision.CHANGED,
    }


def test_it_stores_what_the_fixture_says(provenance):
    # the three cases really are three cases (and the rejection made no statement)
    assert provenance["unchanged"].suggestion_decision.decision == Decision.ACCEPTED
    assert provenance["changed"].suggestion_decision.decision == Decision.CHANGED
    assert not SuggestionDecision.objects.filter(statement=provenance["plain"]).exists()
    assert SuggestionDecision.objects.filter(decision=Decision.REJECTED, statement=None).count() == 1
    assert Statement.objects.count() == 3


@pytest.mark.parametrize("engine", engines())
@pytest.mark.parametrize("fmt", ["jsonl", "json"])
def test_it_carries_the_provenance_in_json(provenance, engine, fmt):
    data = export(fmt=fmt, engine=engine).decode()
    rows = json.loads(data) if fmt == "json" else [json.loads(line) for line in data.splitlines()]
    by_id = {row["id"]: row for row in rows}
    assert by_id[provenance["unchanged"].pk]["suggested"] == {
        "rule": "direct",
        "score": 0.85,
        "engine_version": ENGINE_VERSION,
        "changed": False,
    }
    changed = by_id[provenance["changed"].pk]["suggested"]
    assert changed["changed"] is True and changed["score"] == AWKWARD_SCORE
    assert by_id[provenance["plain"].pk]["suggested"] is None
    for row in rows:
        assert row["suggested"] == expected_suggested(Statement.objects.get(pk=row["id"]))
        assert list(row)[-1] == "suggested"  # appended: the earlier keys keep their order
    assert '"score":0.30000000000000004' in data


@pytest.mark.parametrize("engine", engines())
def test_it_carries_the_provenance_in_four_csv_columns(provenance, engine):
    reader = csv.DictReader(io.StringIO(export(fmt="csv", engine=engine).decode(), newline=""))
    assert reader.fieldnames[-4:] == [
        "suggested_rule",
        "suggested_score",
        "suggested_engine_version",
        "suggested_changed",
    ]
    rows = {int(row["statement_id"]): row for row in reader}
    unchanged, changed, plain = (rows[provenance[k].pk] for k in ("unchanged", "changed", "plain"))
    assert (unchanged["suggested_rule"], unchanged["suggested_score"]) == ("direct", "0.85")
    assert unchanged["suggested_engine_version"] == ENGINE_VERSION
    assert unchanged["suggested_changed"] == "false" and changed["suggested_changed"] == "true"
    assert float(changed["suggested_score"]) == AWKWARD_SCORE
    assert [plain[c] for c in exporting.SUGGESTED_COLUMNS] == ["", "", "", ""]
    # strings quoted, the score and the flag not (the CSV's rule: an empty cell is NULL)
    text = export(fmt="csv", engine=engine).decode()
    assert f'Z","direct",0.85,"{ENGINE_VERSION}",false\n' in text  # after updated_at
    assert text.count('Z",,,,\n') == 1  # the plain statement


@pytest.mark.parametrize("engine", engines())
def test_it_carries_the_provenance_in_w3c_as_a_note_that_passes_the_musts(provenance, engine):
    sys.path.insert(0, str(W3C_TESTS))
    try:
        import validate
    finally:
        sys.path.remove(str(W3C_TESTS))
    musts = W3C_TESTS / "annotations" / "annotationMusts.test"
    items = json.loads(export(fmt="w3c", engine=engine))["first"]["items"]
    notes = {}
    for annotation in items:
        with redirect_stdout(io.StringIO()) as report:
            assert validate.run(annotation, musts) == 0, report.getvalue()
        pk = int(annotation["id"].rstrip("/").rsplit("/", 1)[1])
        notes[pk] = [b["value"] for b in annotation["body"] if b["purpose"] == "commenting"]
    assert notes[provenance["unchanged"].pk] == [
        f"Suggested by the rule direct of the suggestion engine {ENGINE_VERSION} (score 0.85),"
        " accepted unchanged"
    ]
    assert notes[provenance["changed"].pk] == [
        f"Suggested by the rule direct of the suggestion engine {ENGINE_VERSION}"
        " (score 0.30000000000000004), accepted with changes"
    ]
    assert notes[provenance["plain"].pk] == []


@pytest.mark.parametrize("fmt", exporting.FORMATS)
def test_every_engine_gives_the_same_bytes_with_provenance(provenance, fmt, monkeypatch):
    some = {
        "csv": [["suggested_changed", "statement_id", "suggested_score"], ["quote"]],
        "w3c": [["suggested"], ["quote", "suggested", "note"], ["quote"]],
    }.get(fmt, [["suggested"], ["id", "suggested", "stance"], ["quote"]])
    selective_modes = [True, False] if connection.vendor == "postgresql" else [None]
    for selective in selective_modes:
        if selective is not None:  # both ways of joining on PostgreSQL (lookups or merge joins)
            monkeypatch.setattr(exporting, "_is_selective", lambda *args, s=selective: s)
        for kwargs in ({}, *({"fields": names} for names in some), {"context": 0}):
            outputs = {export(fmt=fmt, engine=engine, **kwargs) for engine in engines()}
            assert len(outputs) == 1, (selective, kwargs)
        filtered = Statement.objects.filter(stance="caveat")  # the changed one and the plain one
        assert len({export(filtered, fmt=fmt, engine=engine) for engine in engines()}) == 1
    assert len({export(Statement.objects.none(), fmt=fmt, engine=e) for e in engines()}) == 1


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_fields_selects_the_provenance_alone(provenance, fmt):
    if fmt == "csv":
        names = ["statement_id", *exporting.SUGGESTED_COLUMNS]
        rows = list(csv.DictReader(io.StringIO(export(fmt="csv", fields=names).decode(), newline="")))
        assert [list(r) for r in rows] == [names] * 3
        assert {r["suggested_changed"] for r in rows} == {"true", "false", ""}
    else:
        rows = [json.loads(line) for line in export(fields=["id", "suggested"]).decode().splitlines()]
        assert [list(r) for r in rows] == [["id", "suggested"]] * 3
        assert sum(r["suggested"] is None for r in rows) == 1
    assert exporting.parse_fields(fmt, "suggested" if fmt == "jsonl" else "suggested_rule")


def _queries(fmt: str, engine: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        export(fmt=fmt, engine=engine, **kwargs)
    return len([q for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]])


@pytest.mark.parametrize("engine", engines())
@pytest.mark.parametrize("fmt", exporting.FORMATS)
def test_the_provenance_costs_at_most_one_query(provenance, engine, fmt):
    without = {"csv": ["statement_id", "quote"]}.get(fmt, ["id", "quote"])
    with_it = without + (["suggested_rule"] if fmt == "csv" else ["suggested"])
    base = _queries(fmt, engine, fields=without)
    # COPY joins it into its one query; the SQLite and Python engines read it in one more query
    more = 0 if engine == "copy" else 1
    assert _queries(fmt, engine, fields=with_it) == base + more
    assert _queries(fmt, engine) == base + more


def test_the_endpoint_and_the_command_carry_it(provenance, viewer, tmp_path):
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=viewer)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = client.get("/api/export/statements?format=jsonl&fields=id,suggested")
    assert response.status_code == 200
    rows = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    assert {r["id"]: r["suggested"] for r in rows} == {
        s.pk: expected_suggested(s) for s in Statement.objects.all()
    }
    bad = client.get("/api/export/statements?format=csv&fields=suggested")  # a JSON name in CSV
    assert bad.status_code == 400 and "suggested_rule" in str(bad.json()["fields"])
    target = tmp_path / "all.csv"
    call_command("export_statements", "--format", "csv", "-o", str(target), verbosity=0)
    rows_csv = list(csv.DictReader(target.open(newline="", encoding="utf-8")))
    assert {r["suggested_rule"] for r in rows_csv} == {"direct", ""}
