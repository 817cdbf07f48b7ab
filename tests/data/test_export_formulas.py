"""CSV formula injection: cells starting with =, +, -, @, tab or CR are neutralised by default in
the CSV export (API and command, both engines, byte-identical), exact with `raw`."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from statements import services
from statements.data import exporting
from statements.data.csv_safety import neutralize_cell, neutralize_csv_line
from statements.models import Statement

pytestmark = pytest.mark.django_db

# (a stored text never holds \r: it is normalized to \n; the last test covers CR)
DANGEROUS = ['=HYPERLINK("http://evil")', "+1+2", "-3-4", "@SUM(A1)", "\tTab"]
TEXT = "Opening words. " + " ".join(f"<{d}>" for d in DANGEROUS) + ' And ,"=1 inside, safe.'


@pytest.fixture
def formulas(analyst, lead):
    speaker = services.actor_create(user=lead, name="=Evil Actor", kind="person")
    article = services.article_create(user=analyst, title="@title", text=TEXT, source="-source", url="")
    made = []
    for i, d in enumerate(DANGEROUS):
        quote, start = d, article.text.index(f"<{d}>") + 1
        made.append(
            services.statement_create(
                article=article,
                user=analyst,
                start=start,
                end=start + len(quote),
                quote=quote,
                stance="support",
                speaker=speaker.pk,
                note=DANGEROUS[(i + 1) % 4],  # a note is stripped: never a leading tab
                conditions=[{"description": "=cmd|' /C calc'!A0"}],
            )
        )
    return made


def _rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode(), newline="")))


def _export(**kw) -> bytes:
    return b"".join(exporting.export_statements(Statement.objects.all(), fmt="csv", **kw))


def test_it_neutralises_formula_cells_by_default(formulas):
    rows = _rows(_export())
    assert len(rows) == len(DANGEROUS)
    for row in rows:
        for column in ("quote", "note", "conditions", "speaker_name", "article_title", "article_source"):
            assert row[column][0] == "'", (column, row[column])
            assert row[column][0] not in "=+-@\t\r"
    assert [r["quote"] for r in rows] == [neutralize_cell(d) for d in DANGEROUS]
    assert rows[0]["context_after"].startswith("> <+1+2>")  # not a formula: left alone


def test_it_keeps_the_exact_text_with_raw(formulas):
    rows = _rows(_export(raw=True))
    assert [r["quote"] for r in rows] == DANGEROUS
    assert rows[0]["speaker_name"] == "=Evil Actor"
    assert rows[0]["conditions"] == "=cmd|' /C calc'!A0"


def test_the_api_and_the_command_neutralise_unless_raw(formulas, analyst):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=analyst)[0].key}")
    safe = b"".join(client.get("/api/export/statements?format=csv").streaming_content)
    raw = b"".join(client.get("/api/export/statements?format=csv&raw=true").streaming_content)
    assert _rows(safe)[0]["quote"] == "'" + DANGEROUS[0]
    assert _rows(raw)[0]["quote"] == DANGEROUS[0]
    bad = client.get("/api/export/statements?format=csv&raw=maybe")
    assert bad.status_code == 400 and "raw" in bad.json()
    # JSON formats are data, never touched
    jsonl = b"".join(client.get("/api/export/statements?format=jsonl").streaming_content)
    assert b'"quote":"=HYPERLINK' in jsonl
    out = io.StringIO()
    call_command("export_statements", "--format", "csv", "--no-progress", stdout=out)
    assert _rows(out.getvalue().encode())[0]["quote"] == "'" + DANGEROUS[0]
    out = io.StringIO()
    call_command("export_statements", "--format", "csv", "--raw", "--no-progress", stdout=out)
    assert _rows(out.getvalue().encode())[0]["quote"] == DANGEROUS[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY engine needs PostgreSQL")
@pytest.mark.parametrize("raw", [False, True])
def test_both_engines_give_the_same_bytes_with_formula_cells(formulas, raw):
    assert _export(engine="copy", raw=raw) == _export(engine="python", raw=raw)


def test_an_escaped_quote_inside_a_cell_is_not_taken_for_a_cell_start():
    line = b'1,"a,""=b","=c","\rd",2\n'
    assert neutralize_csv_line(line) == b'1,"a,""=b","\'=c","\'\rd",2\n'
    assert neutralize_cell("safe") == "safe" and neutralize_cell("-1") == "'-1"
