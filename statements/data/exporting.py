"""Streaming export of statements as JSONL, JSON, CSV or W3C Web Annotations.

Shared by `/api/export/statements` and `manage.py export_statements`. Every row carries what a
researcher needs without a second request: the statement, its article's metadata, a little context
before and after the quote, speaker and addressee (with kind and affiliation), conditions, annotator,
review counts and times, and for a statement accepted from a suggestion its provenance (rule,
score, engine version, changed before accepting; #11). Rows come in statement id order. `fields`
keeps only some of the fields (columns for CSV, keys for JSON, parts of the annotation for W3C)
and `context` sets the number of characters of context on each side (0 to 200, default 80):
smaller downloads.

Three engines produce exactly the same bytes (tests compare them on both databases):

- **PostgreSQL** (`copy`): one `COPY (SELECT …) TO STDOUT` streams the rows, read straight from
  libpq. PostgreSQL escapes the text fields (`to_json`, CSV quoting) and aggregates conditions and
  review counts (merge joins in id order: no sort, the first rows leave at once). Python formats
  each line with one template and adds what PostgreSQL is slow at or would repeat on every row:
  the context (Python slices code points in O(1), PostgreSQL walks the UTF-8 text) and the
  article, actor and user fragments. The article travels once per run of statements of the same
  article (`lag()` over the id order); actors and users come from two small queries first. COPY's
  CSV mode with control characters as quote and delimiter passes JSON through untouched.
- **SQLite** (`sqlite`, the default there): one raw SELECT through the sqlite3 cursor, tuples
  straight from SQLite with no model or converter in the way: SQLite escapes the quote and note
  (`json_quote()`, which escapes exactly as Python's and PostgreSQL's JSON encoders do; CSV
  doubling with `replace()`) and writes the times as text. The article (its metadata and its text,
  as one `json_array()`) comes only on the first row of a run of statements of the same article:
  a small function registered on the connection tells SQLite when the article changes (a
  window function would cost SQLite more than the whole rest of the query). Conditions and review
  counts come from two queries in statement id order, merged here (few rows: one statement in
  six has conditions, one in ten a review).
- **Python** (`python`): portable ORM queries, merged in id order (statements, conditions, review
  counts): the reference, on any database.

The suggestion provenance (`SuggestionDecision`, one per statement at most) is a left join in the
COPY and one more query, merged in id order, in the other two; none of it when `fields` leaves it
out. Either way the number of queries is fixed (actors, users, the rows; the SQLite and Python
engines add conditions, reviews and provenance), memory stays flat (one article text, the actor
and user fragments and a 256 KB output buffer), and a client that goes away stops the query:
closing the generator cancels the COPY (PostgreSQL) or finalizes the SELECT (SQLite).
"""

# ruff: noqa: UP031  (the lines are %-templates, one `%` per line: the fragments use the same form)

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import json
import re
import select
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from json.encoder import encode_basestring  # the C escaper, the same rules as PostgreSQL's to_json()
from operator import itemgetter
from typing import Any

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Q, QuerySet
from psycopg import pq

from statements.data.csv_safety import neutralize_csv_line
from statements.models import (
    Actor,
    Article,
    Condition,
    Decision,
    Review,
    Statement,
    SuggestionDecision,
    User,
    Verdict,
)
from statements.services import CONTEXT_CHARS

FORMATS = ("jsonl", "json", "csv", "w3c")
ENGINES = ("copy", "sqlite", "python")
CONTENT_TYPES = {
    "jsonl": "application/x-ndjson; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "w3c": 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"; charset=utf-8',
}
EXTENSIONS = {"jsonl": "jsonl", "json": "json", "csv": "csv", "w3c": "jsonld"}
CSV_COLUMNS = (
    "statement_id",
    "article_id",
    "article_title",
    "article_source",
    "article_url",
    "article_published",
    "start",
    "end",
    "quote",
    "context_before",
    "context_after",
    "speaker_id",
    "speaker_name",
    "speaker_kind",
    "speaker_affiliation_id",
    "speaker_affiliation",
    "addressee_id",
    "addressee_name",
    "addressee_kind",
    "addressee_affiliation_id",
    "addressee_affiliation",
    "stance",
    "note",
    "conditions",
    "annotator_id",
    "annotator",
    "status",
    "gold",
    "reviews",
    "accepts",
    "rejects",
    "changes_requested",
    "created_at",
    "updated_at",
    "suggested_rule",
    "suggested_score",
    "suggested_engine_version",
    "suggested_changed",
)
JSON_FIELDS = (
    "id",
    "article",
    "start",
    "end",
    "quote",
    "context_before",
    "context_after",
    "speaker",
    "addressee",
    "stance",
    "note",
    "conditions",
    "annotator",
    "status",
    "gold",
    "reviews",
    "created_at",
    "updated_at",
    "suggested",
)
# The CSV columns of the provenance of a statement accepted from a suggestion (empty otherwise).
SUGGESTED_COLUMNS = CSV_COLUMNS[-4:]
# W3C: the annotation's id, target source (the article) and classifying body (the stance) are
# always there; the other JSON names choose the parts they map to (quote: the TextQuoteSelector,
# context_*: its prefix/suffix, start/end: the TextPositionSelector, speaker/addressee/note/
# conditions: bodies, annotator: creator, created_at/updated_at: created/modified, suggested: a
# commenting body saying which rule of which engine version suggested it).
W3C_ALWAYS = ("id", "article", "stance")
FIELDS = {"jsonl": JSON_FIELDS, "json": JSON_FIELDS, "csv": CSV_COLUMNS, "w3c": JSON_FIELDS}
MAX_CONTEXT = 200
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CHUNK_BYTES = 256 * 1024


def parse_fields(fmt: str, value: str | None) -> tuple[str, ...] | None:
    """The `fields=` parameter of `fmt`: comma-separated names (see FIELDS), in the order given,
    duplicates dropped; None or "" for all of them. ValueError (with the valid names) otherwise."""
    if value is None or not value.strip():
        return None
    names = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    unknown = [name for name in names if name not in FIELDS[fmt]]
    if unknown:
        raise ValueError(
            f"Unknown field{'s' if len(unknown) > 1 else ''} {', '.join(repr(u[:40]) for u in unknown[:5])}"
            f" for {fmt}; choose from {', '.join(FIELDS[fmt])}."
        )
    return names


def parse_context(value: str | None) -> int:
    """The `context=` parameter: characters of context on each side, 0 to MAX_CONTEXT."""
    if value is None or value == "":
        return CONTEXT_CHARS
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_CONTEXT:
        raise ValueError(f"Give a whole number of characters from 0 to {MAX_CONTEXT}.")
    return int(text)


# ---------------------------------------------------------------------------------------------
# Encoders. Each has a twin in SQL (the _SQL_* helpers) that gives the same text.


def _js(value: str) -> str:
    """A JSON string, as PostgreSQL's to_json(text) writes it (non-ASCII kept, controls escaped)."""
    return encode_basestring(value)


def _cq(value: str) -> str:
    """A CSV field, always quoted: strings are quoted, numbers and booleans are not, NULL is empty."""
    return '"' + value.replace('"', '""') + '"'


def _ts(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a Z, trailing zeros of the fraction trimmed (as PostgreSQL's to_json)."""
    value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def _int(value: int | None) -> str:
    return "" if value is None else str(value)


def _sql_js(expr: str) -> str:
    return f"to_json({expr})::text"


def _sql_cq(expr: str) -> str:
    return f"""('"' || replace({expr}, '"', '""') || '"')"""


# ---------------------------------------------------------------------------------------------
# Row layout. Every engine gives, per statement, the same 22 fields:
ID, ARTICLE, START, END, SPEAKER, ADDRESSEE, ANNOTATOR = range(7)
QUOTE, STANCE, NOTE, CONDITIONS, STATUS, GOLD = range(7, 13)
REVIEWS, ACCEPTS, REJECTS, CHANGES, CREATED, UPDATED = range(13, 19)
ARTICLE_FRAGMENT, TEXT, SUGGESTED = 19, 20, 21
# Numbers as text (COPY) or ints (SQLite), printed the same; SPEAKER/ADDRESSEE "" or None for none.
# QUOTE and NOTE come encoded for the format (a JSON string, or a quoted CSV field); CONDITIONS is
# a pre-encoded fragment (empty without conditions); GOLD is true or false; CREATED/UPDATED are
# the UTC time as to_json() writes it without the closing quote and without the Z;
# ARTICLE_FRAGMENT and TEXT are set on the first statement of a run of statements of the same
# article only (TEXT: a JSON string from COPY, the text itself from the other engines).
# SUGGESTED is "" (not accepted from a suggestion) or `rule␃score␃engine_version␃decision` (␃ is
# \x03; the score as the database or Python prints it: it is parsed back and printed by Python,
# so that every engine gives the same digits); _Suggested turns it into the format's fragment.

_CONDITION_SQL = {
    "json": f"""'{{"description":' || {_sql_js("x.description")} || ',"evidence":' || (CASE
        WHEN x.evidence_start IS NULL THEN 'null' ELSE '{{"start":' || x.evidence_start || ',"end":'
        || x.evidence_end || ',"quote":' || {_sql_js("x.evidence_quote")} || '}}' END) || '}}'""",
    "csv": """x.description || (CASE WHEN x.evidence_start IS NULL THEN ''
        ELSE ' [evidence: “' || x.evidence_quote || '”]' END)""",
    "w3c": f"""',{{"type":"TextualBody","purpose":"describing","value":'
        || {_sql_js("x.description")} || '}}'""",
}
_CONDITION_SEPARATOR = {"json": "','", "csv": "' | '", "w3c": "''"}
_ARTICLE_SQL = {
    "json": f"""'{{"id":' || a.id || ',"title":' || {_sql_js("a.title")} || ',"source":'
        || {_sql_js("a.source")} || ',"url":' || {_sql_js("a.url")} || ',"published":'
        || coalesce(to_json(a.published)::text, 'null') || '}}'""",
    "csv": f"""',' || a.id || ',' || {_sql_cq("a.title")} || ',' || {_sql_cq("a.source")} || ','
        || {_sql_cq("a.url")} || ',' || coalesce(to_json(a.published)::text, '')""",
    "w3c": "''",
}
_FAMILY = {"jsonl": "json", "json": "json", "csv": "csv", "w3c": "w3c"}


def _copy_sql(fmt: str, filtered_sql: str, *, selective: bool, suggested: bool = True) -> tuple[str, int]:
    """The COPY statement for `fmt` over the statements selected by `filtered_sql` (a SELECT of
    the statement table's columns, as the ORM compiles the filtered queryset), and how many times
    it uses `filtered_sql` (its parameters repeat as many times).

    Conditions and review counts come either from merge joins with their tables aggregated by
    statement (a whole pass over them: the right thing for most of the statements), or, when the
    filter keeps few statements (`selective`), from one index lookup per statement. The suggestion
    provenance (`suggested`) is a left join on its unique statement_id (an index lookup or a merge
    join in id order: no query more)."""
    family = _FAMILY[fmt]
    text = _sql_cq if family == "csv" else _sql_js
    t_article = Article._meta.db_table
    t_condition, t_review = Condition._meta.db_table, Review._meta.db_table
    conditions = (
        f"string_agg({_CONDITION_SQL[family]}, {_CONDITION_SEPARATOR[family]} ORDER BY x.position, x.id)"
    )
    counts = f"""count(*) AS n_total,
    count(*) FILTER (WHERE y.verdict = '{Verdict.ACCEPT}') AS n_accept,
    count(*) FILTER (WHERE y.verdict = '{Verdict.REJECT}') AS n_reject,
    count(*) FILTER (WHERE y.verdict = '{Verdict.REQUEST_CHANGES}') AS n_changes"""
    if selective:
        joins = f"""LEFT JOIN LATERAL (
  SELECT {conditions} AS frag FROM "{t_condition}" x WHERE x.statement_id = s.id
) c ON true
LEFT JOIN LATERAL (
  SELECT {counts} FROM "{t_review}" y WHERE y.statement_id = s.id
) r ON true"""
    else:
        joins = f"""LEFT JOIN (
  SELECT x.statement_id, {conditions} AS frag
  FROM "{t_condition}" x WHERE x.statement_id IN (SELECT f2.id FROM ({filtered_sql}) f2)
  GROUP BY x.statement_id
) c ON c.statement_id = s.id
LEFT JOIN (
  SELECT y.statement_id, {counts}
  FROM "{t_review}" y WHERE y.statement_id IN (SELECT f3.id FROM ({filtered_sql}) f3)
  GROUP BY y.statement_id
) r ON r.statement_id = s.id"""
    t_decision = SuggestionDecision._meta.db_table
    provenance = "NULL"
    if suggested:
        provenance = "d.rule || chr(3) || d.score::text || chr(3) || d.engine_version || chr(3) || d.decision"
        joins += f"""
LEFT JOIN "{t_decision}" d ON d.statement_id = s.id"""
    sql = f"""COPY (
SELECT s.id, s.article_id, s.start, s."end", s.speaker_id, s.addressee_id, s.annotator_id,
  {text("s.quote")}, s.stance, {text("s.note")}, c.frag, s.status,
  CASE WHEN s.is_gold THEN 'true' ELSE 'false' END,
  coalesce(r.n_total, 0), coalesce(r.n_accept, 0), coalesce(r.n_reject, 0), coalesce(r.n_changes, 0),
  left(to_json(s.created_at AT TIME ZONE 'UTC')::text, -1),
  left(to_json(s.updated_at AT TIME ZONE 'UTC')::text, -1),
  CASE WHEN s.prev_article_id IS DISTINCT FROM s.article_id
    THEN (SELECT {_ARTICLE_SQL[family]} FROM "{t_article}" a WHERE a.id = s.article_id) END,
  CASE WHEN s.prev_article_id IS DISTINCT FROM s.article_id
    THEN (SELECT to_json(a.text) FROM "{t_article}" a WHERE a.id = s.article_id) END,
  {provenance}
FROM (SELECT f.*, lag(f.article_id) OVER (ORDER BY f.id) AS prev_article_id FROM ({filtered_sql}) f) s
{joins}
ORDER BY s.id
) TO STDOUT (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02', ENCODING 'UTF8')"""
    return sql, 1 if selective else 3


def _is_selective(connection: BaseDatabaseWrapper, filtered_sql: str, params: tuple[Any, ...]) -> bool:
    """Does the filter keep few enough statements that an index lookup each for their conditions
    and reviews beats a pass over those tables? The planner's row estimate against the tables'
    sizes (pg_class), no counting."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {filtered_sql}", params)
        plan = cursor.fetchone()[0]
        if isinstance(plan, str):
            plan = json.loads(plan)
        estimate = plan[0]["Plan"]["Plan Rows"]
        cursor.execute(
            "SELECT coalesce(sum(greatest(reltuples, 0)), 0) FROM pg_class"
            " WHERE oid IN (%s::regclass, %s::regclass)",
            [Condition._meta.db_table, Review._meta.db_table],
        )
        related = float(cursor.fetchone()[0])
    return estimate < related / 2


def _readable_conditions(conditions: list[tuple]) -> str:
    """The CSV's one readable column: `description [evidence: “quote”] | …`."""
    return " | ".join(
        desc if ev_start is None else f"{desc} [evidence: “{ev_quote}”]"
        for desc, ev_start, _ev_end, ev_quote in conditions
    )


def _python_conditions(family: str, conditions: list[tuple]) -> str:
    """The CONDITIONS field, as _CONDITION_SQL builds it."""
    if not conditions:
        return ""
    if family == "csv":
        return _readable_conditions(conditions)  # quoted by the assembler
    if family == "w3c":
        return "".join(
            ',{"type":"TextualBody","purpose":"describing","value":%s}' % _js(d)
            for d, _s, _e, _q in conditions
        )
    return ",".join(
        '{"description":%s,"evidence":%s}'
        % (_js(d), "null" if s is None else '{"start":%d,"end":%d,"quote":%s}' % (s, e, _js(q)))
        for d, s, e, q in conditions
    )


def _python_article(
    family: str, article_id: int, title: str, source: str, url: str, published: str | None
) -> str:
    """The ARTICLE_FRAGMENT field, as _ARTICLE_SQL builds it (`published`: ISO date or None)."""
    if family == "csv":
        date = "" if published is None else f'"{published}"'
        return f",{article_id},{_cq(title)},{_cq(source)},{_cq(url)},{date}"
    if family == "w3c":
        return ""
    date = "null" if published is None else f'"{published}"'
    return '{"id":%d,"title":%s,"source":%s,"url":%s,"published":%s}' % (
        article_id,
        _js(title),
        _js(source),
        _js(url),
        date,
    )


_STATEMENT_COLUMNS = (
    "id",
    "article_id",
    "start",
    "end",
    "quote",
    "speaker_id",
    "addressee_id",
    "stance",
    "note",
    "annotator_id",
    "status",
    "is_gold",
    "created_at",
    "updated_at",
)


# ---------------------------------------------------------------------------------------------
# Actor and user fragments (loaded once per export: few rows, one query each). Keyed by the id
# as text (COPY) and as a number (SQLite), "" and None for none. For CSV also the columns one by
# one (for `fields`).


def _actor_fragments(fmt: str, using: str) -> tuple[dict[Any, str], dict[Any, tuple[str, ...]]]:
    rows = Actor.objects.using(using).values_list("id", "name", "kind", "affiliation_id", "affiliation__name")
    family = _FAMILY[fmt]
    out: dict[Any, str] = {}
    columns: dict[Any, tuple[str, ...]] = {}
    for pk, name, kind, aff_id, aff_name in rows.iterator(chunk_size=2000):
        if family == "csv":
            cols = (str(pk), _cq(name), _cq(kind), _int(aff_id), "" if aff_id is None else _cq(aff_name))
            columns[pk] = columns[str(pk)] = cols
            frag = "," + ",".join(cols)
        elif family == "w3c":
            frag = _js(name)  # wrapped into a body by the assembler
        else:
            aff = "null" if aff_id is None else '{"id":%d,"name":%s}' % (aff_id, _js(aff_name))
            frag = '{"id":%d,"name":%s,"kind":%s,"affiliation":%s}' % (pk, _js(name), _js(kind), aff)
        out[pk] = out[str(pk)] = frag
    out[""] = out[None] = ",,,,," if family == "csv" else "null"
    columns[""] = columns[None] = ("",) * 5
    return out, columns


def _user_fragments(fmt: str, using: str, base_url: str) -> tuple[dict[Any, str], dict[Any, tuple[str, ...]]]:
    family = _FAMILY[fmt]
    out: dict[Any, str] = {}
    columns: dict[Any, tuple[str, ...]] = {}
    for pk, username in User.objects.using(using).values_list("id", "username").iterator(chunk_size=2000):
        if family == "csv":
            columns[pk] = columns[str(pk)] = (str(pk), _cq(username))
            frag = ",%d,%s" % (pk, _cq(username))
        elif family == "w3c":
            frag = '{"id":%s,"type":"Person","nickname":%s}' % (
                _js(f"{base_url}/api/users/{pk}/"),
                _js(username),
            )
        else:
            frag = '{"id":%d,"username":%s}' % (pk, _js(username))
        out[pk] = out[str(pk)] = frag
    return out, columns


class _Suggested(dict[Any, Any]):
    """The SUGGESTED field as the format writes it, made once per distinct provenance: JSON an
    object or null, CSV its four columns (empty when not suggested), W3C a commenting body (or
    nothing)."""

    def __init__(self, family: str) -> None:
        super().__init__()
        self.family = family
        none: Any = ("",) * 4 if family == "csv" else "" if family == "w3c" else "null"
        self[""] = self[None] = none

    def __missing__(self, key: str) -> Any:
        rule, score_text, version, decision = key.split("\x03")
        changed = decision == Decision.CHANGED
        score = repr(float(score_text))
        value: Any
        if self.family == "csv":
            value = (_cq(rule), score, _cq(version), "true" if changed else "false")
        elif self.family == "w3c":
            value = _W3C_SUGGESTED % _js(
                f"Suggested by the rule {rule} of the suggestion engine {version} (score {score}),"
                f" accepted {'with changes' if changed else 'unchanged'}"
            )
        else:
            value = '{"rule":%s,"score":%s,"engine_version":%s,"changed":%s}' % (
                _js(rule),
                score,
                _js(version),
                "true" if changed else "false",
            )
        self[key] = value
        return value


_W3C_SUGGESTED = ',{"type":"TextualBody","purpose":"commenting","value":%s}'


def _wants_suggested(fmt: str, names: Sequence[str] | None) -> bool:
    """Does the export carry the suggestion provenance (no query or join for it otherwise)?"""
    return names is None or bool({"suggested", *SUGGESTED_COLUMNS} & set(names))


def _suggested_key(rule: str, score: float, version: str, decision: str) -> str:
    return f"{rule}\x03{score!r}\x03{version}\x03{decision}"


# ---------------------------------------------------------------------------------------------
# Line templates: one `%` per statement. Each format is a sequence of parts (name, template
# piece, number of values); `fields` keeps some of them, in the order asked for.

_JSON_PARTS = (
    ("id", '"id":%s', 1),
    ("article", '"article":%s', 1),
    ("start", '"start":%s', 1),
    ("end", '"end":%s', 1),
    ("quote", '"quote":%s', 1),
    ("context_before", '"context_before":%s', 1),
    ("context_after", '"context_after":%s', 1),
    ("speaker", '"speaker":%s', 1),
    ("addressee", '"addressee":%s', 1),
    ("stance", '"stance":"%s"', 1),
    ("note", '"note":%s', 1),
    ("conditions", '"conditions":[%s]', 1),
    ("annotator", '"annotator":%s', 1),
    ("status", '"status":"%s"', 1),
    ("gold", '"gold":%s', 1),
    ("reviews", '"reviews":{"total":%s,"accept":%s,"reject":%s,"request_changes":%s}', 4),
    ("created_at", '"created_at":%sZ"', 1),
    ("updated_at", '"updated_at":%sZ"', 1),
    ("suggested", '"suggested":%s', 1),
)
# CSV: one value per column; the default line packs the article, actor and user columns.
_CSV_PIECES = {"stance": '"%s"', "status": '"%s"', "created_at": '%sZ"', "updated_at": '%sZ"'}
_CSV_PARTS = tuple((name, _CSV_PIECES.get(name, "%s"), 1) for name in CSV_COLUMNS)
_CSV_LINE = '%s%s,%s,%s,%s,%s,%s%s%s,"%s",%s,%s%s,"%s",%s,%s,%s,%s,%s,%sZ",%sZ",%s,%s,%s,%s\n'
# The CSV article fragment (",id,title,source,url,published") split into its encoded columns.
_CSV_ARTICLE = re.compile(r',(\d+),("(?:[^"]|"")*"),("(?:[^"]|"")*"),("(?:[^"]|"")*"),("[^"]*"|)', re.S)


def _picker(parts: Sequence[tuple[str, str, int]], names: Sequence[str]) -> tuple[list[str], Callable]:
    """The template pieces of `names` (in that order) and a function picking their values out of
    the tuple of all values (laid out as `parts`)."""
    offsets, position = {}, 0
    for name, piece, count in parts:
        offsets[name] = (piece, range(position, position + count))
        position += count
    pieces = [offsets[name][0] for name in names]
    indices = [i for name in names for i in offsets[name][1]]
    if len(indices) == 1:
        only = indices[0]
        return pieces, lambda values: (values[only],)
    return pieces, itemgetter(*indices)


def _w3c_template(selected: set[str]) -> str:
    """The W3C annotation's template for the selected parts (see W3C_ALWAYS); its values always
    come in one order: statement IRI, id, created, modified, creator, stance, speaker, addressee,
    note, conditions and suggestion bodies, article IRI, article id, quote, prefix, suffix, start, end. A
    part left out takes an empty string where its value goes."""
    quote, position = "quote" in selected, bool({"start", "end"} & selected)
    selector = ""
    if quote or position:
        exact = '{"type":"TextQuoteSelector","exact":%s%s%s}' if quote else "%.0s%.0s%.0s"
        offsets = '{"type":"TextPositionSelector","start":%s,"end":%s}' if position else "%.0s%.0s"
        selector = ',"selector":[' + exact + ("," if quote and position else "") + offsets + "]"
    else:
        selector = "%.0s" * 5

    def part(name: str, piece: str) -> str:
        return piece if name in selected else "%.0s" * piece.count("%s")

    return (
        '{"@context":"'
        + W3C_CONTEXT
        + '","id":%s%s/","type":"Annotation","motivation":"classifying"'
        + part("created_at", ',"created":%sZ"')
        + part("updated_at", ',"modified":%sZ"')
        + part("annotator", ',"creator":%s')
        + ',"body":[{"type":"TextualBody","purpose":"classifying","value":"%s"}'
        + part("speaker", "%s")
        + part("addressee", "%s")
        + part("note", "%s")
        + part("conditions", "%s")
        + part("suggested", "%s")
        + '],"target":{"source":%s%s/"'
        + selector
        + "}}"
    )


_W3C_NOTE = ',{"type":"TextualBody","purpose":"commenting","value":%s}'


def _lines(
    fmt: str,
    fields: Iterator[Sequence[Any]],
    actors: tuple[dict, dict],
    users: tuple[dict, dict],
    base_url: str,
    *,
    names: Sequence[str] | None = None,
    context: int = CONTEXT_CHARS,
    decode_text: Callable[[Any], str] = str,
) -> Iterator[str]:
    """One line per statement. The hot loop of the export: everything it needs is local.
    `names`: the fields to keep (None: all); `context`: characters of context on each side;
    `decode_text` turns the engine's TEXT field into the article's text."""
    text, article = "", ""
    esc = encode_basestring
    family = _FAMILY[fmt]
    selected = set(FIELDS[fmt] if names is None else names)
    # no slicing for a context nobody asked for
    nb = context if {"context_before"} & selected else 0
    na = context if {"context_after"} & selected else 0
    actor, user = actors[0], users[0]
    suggested = _Suggested(family)
    if family == "json":
        pick = None
        template = "{" + ",".join(piece for _n, piece, _c in _JSON_PARTS) + "}"
        if names is not None:
            pieces, pick = _picker(_JSON_PARTS, names)
            template = "{" + ",".join(pieces) + "}"
        if fmt == "jsonl":
            template += "\n"
        for f in fields:
            if f[TEXT]:
                text, article = decode_text(f[TEXT]), f[ARTICLE_FRAGMENT]
            s, e = int(f[START]), int(f[END])
            values = (
                f[ID],
                article,
                f[START],
                f[END],
                f[QUOTE],
                esc(text[s - nb if s > nb else 0 : s]),
                esc(text[e : e + na]),
                actor[f[SPEAKER]],
                actor[f[ADDRESSEE]],
                f[STANCE],
                f[NOTE],
                f[CONDITIONS],
                user[f[ANNOTATOR]],
                f[STATUS],
                f[GOLD],
                f[REVIEWS],
                f[ACCEPTS],
                f[REJECTS],
                f[CHANGES],
                f[CREATED],
                f[UPDATED],
                suggested[f[SUGGESTED]],
            )
            yield template % (values if pick is None else pick(values))
    elif family == "csv" and names is None:
        for f in fields:
            if f[TEXT]:
                text, article = decode_text(f[TEXT]), f[ARTICLE_FRAGMENT]
            s, e = int(f[START]), int(f[END])
            yield (
                _CSV_LINE
                % (
                    f[ID],
                    article,
                    f[START],
                    f[END],
                    f[QUOTE],
                    _cq(text[s - nb if s > nb else 0 : s]),
                    _cq(text[e : e + na]),
                    actor[f[SPEAKER]],
                    actor[f[ADDRESSEE]],
                    f[STANCE],
                    f[NOTE],
                    '"' + f[CONDITIONS].replace('"', '""') + '"',
                    user[f[ANNOTATOR]],
                    f[STATUS],
                    f[GOLD],
                    f[REVIEWS],
                    f[ACCEPTS],
                    f[REJECTS],
                    f[CHANGES],
                    f[CREATED],
                    f[UPDATED],
                    *suggested[f[SUGGESTED]],
                )
            )
    elif family == "csv":
        assert names is not None
        pieces, pick = _picker(_CSV_PARTS, names)
        template = ",".join(pieces) + "\n"
        actor_columns, user_columns = actors[1], users[1]
        article_columns: tuple[str, ...] = ("",) * 5
        for f in fields:
            if f[TEXT]:
                text = decode_text(f[TEXT])
                match = _CSV_ARTICLE.fullmatch(f[ARTICLE_FRAGMENT])
                assert match is not None, "an article fragment out of shape"
                article_columns = match.groups()
            s, e = int(f[START]), int(f[END])
            values = (
                f[ID],
                *article_columns,
                f[START],
                f[END],
                f[QUOTE],
                _cq(text[s - nb if s > nb else 0 : s]),
                _cq(text[e : e + na]),
                *actor_columns[f[SPEAKER]],
                *actor_columns[f[ADDRESSEE]],
                f[STANCE],
                f[NOTE],
                '"' + f[CONDITIONS].replace('"', '""') + '"',
                *user_columns[f[ANNOTATOR]],
                f[STATUS],
                f[GOLD],
                f[REVIEWS],
                f[ACCEPTS],
                f[REJECTS],
                f[CHANGES],
                f[CREATED],
                f[UPDATED],
                *suggested[f[SUGGESTED]],
            )
            yield template % pick(values)
    else:
        template = _w3c_template(selected | set(W3C_ALWAYS))
        statement_iri = _js(f"{base_url}/api/statements/")[:-1]
        article_iri = _js(f"{base_url}/api/articles/")[:-1]
        body = ',{"type":"TextualBody","purpose":"%s","value":%s}'
        speaker = {k: body % ("identifying", v) for k, v in actor.items() if k}
        addressee = {k: body % ("tagging", v) for k, v in actor.items() if k}
        speaker[""] = addressee[""] = speaker[None] = addressee[None] = ""
        for f in fields:
            if f[TEXT]:
                text = decode_text(f[TEXT])
            s, e = int(f[START]), int(f[END])
            before, after = text[s - nb if s > nb else 0 : s], text[e : e + na]
            note = f[NOTE]
            yield (
                template
                % (
                    statement_iri,
                    f[ID],
                    f[CREATED],
                    f[UPDATED],
                    user[f[ANNOTATOR]],
                    f[STANCE],
                    speaker[f[SPEAKER]],
                    addressee[f[ADDRESSEE]],
                    ""
                    if note == '""'
                    else ',{"type":"TextualBody","purpose":"commenting","value":%s}' % note,
                    f[CONDITIONS],
                    suggested[f[SUGGESTED]],
                    article_iri,
                    f[ARTICLE],
                    f[QUOTE],
                    ',"prefix":' + esc(before) if before else "",
                    ',"suffix":' + esc(after) if after else "",
                    f[START],
                    f[END],
                )
            )


# ---------------------------------------------------------------------------------------------
# Row sources


def _copy_fields(
    queryset: QuerySet[Statement], fmt: str, suggested: bool = True
) -> Generator[list[str], None, None]:
    """The fields per statement from one COPY on PostgreSQL (see the module docstring)."""
    try:
        sql, params = queryset.order_by().values_list(*_STATEMENT_COLUMNS).query.sql_with_params()
    except EmptyResultSet:  # e.g. .none(): nothing to read
        return
    connection = connections[queryset.db]
    statement, uses = _copy_sql(
        fmt, sql, selective=_is_selective(connection, sql, params), suggested=suggested
    )
    if connection.queries_logged:  # libpq directly: tell Django's query log (tests count queries)
        connection.queries_log.append({"sql": statement, "time": "0.000"})
    yield from _copy_out(connection.connection, statement, params * uses)


def _copy_out(conn: psycopg.Connection[Any], statement: str, params: tuple[Any, ...]) -> Iterator[list[str]]:
    """The rows of `COPY … TO STDOUT` in our CSV dialect, as lists of fields, read straight from
    libpq (psycopg's `pgconn`, documented for this): a row costs one C call instead of a trip
    through psycopg's generators, which halves the Python time per row. Closing the generator early
    cancels the query and drains what is in flight, so the connection is ready for the next query
    and the server stops working."""
    if params:  # COPY takes no server-side parameters: bind them client-side, as psycopg does
        statement = psycopg.ClientCursor(conn).mogrify(statement, params)
    pgconn = conn.pgconn
    pgconn.send_query(statement.encode())
    result = pgconn.get_result()
    if result is None or result.status != pq.ExecStatus.COPY_OUT:
        message = result.error_message.decode(errors="replace") if result is not None else ""
        while pgconn.get_result() is not None:
            pass
        raise psycopg.DatabaseError(f"The export query failed: {message}")
    finished = False
    try:
        get = pgconn.get_copy_data
        while True:
            size, data = get(1)  # non-blocking: rows already buffered come without a system call
            if size > 0:
                row = bytes(data).decode()
                if "\x01" in row:  # COPY quoted a field (a newline or a control character in it)
                    yield next(csv.reader(io.StringIO(row), "_copy_dialect"))
                else:
                    yield row[:-1].split("\x02")
            elif size == 0:
                select.select([pgconn.socket], [], [])
                pgconn.consume_input()
            else:
                break
        finished = True
    finally:
        if not finished:
            conn.cancel_safe()
            with contextlib.suppress(psycopg.Error):
                while pgconn.get_copy_data(0)[0] >= 0:
                    pass
        errors = []
        while (result := pgconn.get_result()) is not None:
            if result.status == pq.ExecStatus.FATAL_ERROR and finished:
                errors.append(result.error_message.decode(errors="replace"))
        if errors:
            raise psycopg.DatabaseError(f"The export query failed: {errors[0]}")


class _CopyDialect(csv.Dialect):
    delimiter = "\x02"
    quotechar = "\x01"
    doublequote = True
    lineterminator = "\n"
    quoting = csv.QUOTE_MINIMAL
    strict = True


csv.register_dialect("_copy_dialect", _CopyDialect)


def _related_rows(queryset: QuerySet[Statement]) -> tuple[Iterator[tuple], Iterator[tuple]]:
    """Conditions and review counts of the statements of `queryset`, each in statement id order
    (one query each, streamed): (statement_id, description, evidence_start, evidence_end,
    evidence_quote) and (statement_id, total, accept, reject, request_changes)."""
    ids = queryset.order_by().values("id")
    conditions = (
        Condition.objects.using(queryset.db)
        .filter(statement_id__in=ids)
        .order_by("statement_id", "position", "id")
        .values_list("statement_id", "description", "evidence_start", "evidence_end", "evidence_quote")
        .iterator(chunk_size=2000)
    )
    reviews = (
        Review.objects.using(queryset.db)
        .filter(statement_id__in=ids)
        .order_by("statement_id")
        .values("statement_id")
        .annotate(
            total=Count("id"),
            accept=Count("id", filter=Q(verdict=Verdict.ACCEPT)),
            reject=Count("id", filter=Q(verdict=Verdict.REJECT)),
            changes=Count("id", filter=Q(verdict=Verdict.REQUEST_CHANGES)),
        )
        .values_list("statement_id", "total", "accept", "reject", "changes")
        .iterator(chunk_size=2000)
    )
    return conditions, reviews


def _suggestion_rows(queryset: QuerySet[Statement], suggested: bool) -> Iterator[tuple]:
    """The suggestion provenance of the statements of `queryset` in statement id order (one
    query, streamed; none when the export leaves it out): (statement_id, SUGGESTED field)."""
    if not suggested:
        return iter(())
    rows = (
        SuggestionDecision.objects.using(queryset.db)
        .filter(statement_id__in=queryset.order_by().values("id"))
        .order_by("statement_id")
        .values_list("statement_id", "rule", "score", "engine_version", "decision")
        .iterator(chunk_size=2000)
    )
    return (
        (sid, _suggested_key(rule, score, version, decision)) for sid, rule, score, version, decision in rows
    )


def _python_fields(
    queryset: QuerySet[Statement], fmt: str, suggested: bool = True
) -> Generator[list[Any], None, None]:
    """The same fields from portable ORM queries: statements, conditions, review counts and the
    suggestion provenance, each ordered by statement id and merged here (four queries whatever
    the number of rows)."""
    family = _FAMILY[fmt]
    text_field = _cq if family == "csv" else _js
    statements = (
        queryset.order_by("id")
        .values_list(
            *_STATEMENT_COLUMNS,
            "article__title",
            "article__source",
            "article__url",
            "article__published",
            "article__text",
        )
        .iterator(chunk_size=2000)
    )
    conditions, reviews = _related_rows(queryset)
    provenance = _suggestion_rows(queryset, suggested)
    next_condition = next(conditions, None)
    next_review = next(reviews, None)
    next_provenance = next(provenance, None)
    previous_article = None
    keys = (*_STATEMENT_COLUMNS, "title", "source", "url", "published", "text")
    for values in statements:
        r = dict(zip(keys, values, strict=True))
        sid = r["id"]
        mine = []
        while next_condition is not None and next_condition[0] <= sid:
            if next_condition[0] == sid:
                mine.append(next_condition[1:])
            next_condition = next(conditions, None)
        counts: tuple[str, ...] = ("0", "0", "0", "0")
        while next_review is not None and next_review[0] <= sid:
            if next_review[0] == sid:
                counts = tuple(str(n) for n in next_review[1:])
            next_review = next(reviews, None)
        mine_suggested = ""
        while next_provenance is not None and next_provenance[0] <= sid:
            if next_provenance[0] == sid:
                mine_suggested = next_provenance[1]
            next_provenance = next(provenance, None)
        first_of_run = r["article_id"] != previous_article
        previous_article = r["article_id"]
        published = r["published"].isoformat() if r["published"] is not None else None
        yield [
            str(sid),
            str(r["article_id"]),
            str(r["start"]),
            str(r["end"]),
            _int(r["speaker_id"]),
            _int(r["addressee_id"]),
            str(r["annotator_id"]),
            text_field(r["quote"]),
            r["stance"],
            text_field(r["note"]),
            _python_conditions(family, mine),
            r["status"],
            "true" if r["is_gold"] else "false",
            *counts,
            '"' + _ts(r["created_at"])[:-1],  # to_json's form without the closing quote and Z
            '"' + _ts(r["updated_at"])[:-1],
            _python_article(family, r["article_id"], r["title"], r["source"], r["url"], published)
            if first_of_run
            else "",
            r["text"] if first_of_run else "",
            mine_suggested,
        ]


def _sqlite_ts(expr: str) -> str:
    """SQLite's stored time (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC, as Django writes it) in
    to_json()'s form without the closing quote: a T, the fraction's trailing zeros trimmed."""
    return (
        f"""'"' || replace(CASE WHEN instr({expr}, '.') THEN rtrim(rtrim({expr}, '0'), '.')"""
        f" ELSE {expr} END, ' ', 'T')"
    )


_run_functions = itertools.count()


def _sqlite_fields(
    queryset: QuerySet[Statement], fmt: str, suggested: bool = True
) -> Generator[Sequence[Any], None, None]:
    """The fields per statement from one raw SELECT on SQLite (see the module docstring), with
    conditions, review counts and the suggestion provenance merged in statement id order."""
    try:
        sql, params = queryset.order_by().values_list(*_STATEMENT_COLUMNS).query.sql_with_params()
    except EmptyResultSet:
        return
    family = _FAMILY[fmt]
    connection = connections[queryset.db]
    connection.ensure_connection()
    raw = connection.connection
    t_article = Article._meta.db_table
    article_json = "json_array(a.title, a.source, a.url, a.published, a.text)"
    text = (
        (lambda e: f"""'"' || replace({e}, '"', '""') || '"'""")
        if family == "csv"
        else "json_quote({})".format
    )
    # Tells SQLite, row by row in the order it produces them, whether the article changed.
    last: list[Any] = [None]

    def run_start(article_id: int) -> int:
        if article_id == last[0]:
            return 0
        last[0] = article_id
        return 1

    function = f"annotator_export_run_{next(_run_functions)}"
    raw.create_function(function, 1, run_start)
    statement = f"""SELECT f.id, f.article_id, f.start, f."end", f.speaker_id, f.addressee_id,
  f.annotator_id, {text("f.quote")}, f.stance, {text("f.note")}, '', f.status,
  CASE WHEN f.is_gold THEN 'true' ELSE 'false' END, 0, 0, 0, 0,
  {_sqlite_ts("f.created_at")}, {_sqlite_ts("f.updated_at")}, '',
  CASE WHEN {function}(f.article_id) THEN
    (SELECT {article_json} FROM "{t_article}" a WHERE a.id = f.article_id) END, ''
FROM ({sql}) f
ORDER BY f.id"""
    conditions, reviews = _related_rows(queryset)
    provenance = _suggestion_rows(queryset, suggested)
    cursor = connection.cursor()
    try:
        cursor.execute(statement, params)
        rows = cursor.cursor  # the sqlite3 cursor itself: plain tuples, no converters
        nc = next(conditions, None)
        nr = next(reviews, None)
        never = 1 << 63
        next_c = nc[0] if nc is not None else never
        next_r = nr[0] if nr is not None else never
        ns = next(provenance, None)
        next_s = ns[0] if ns is not None else never
        current = None
        for t in rows:
            sid, article_id, extra = t[0], t[1], t[TEXT]
            if sid < next_c and sid < next_r and sid < next_s and extra is None and article_id == current:
                yield t
                continue
            f = list(t)
            if extra is None and article_id != current:
                # SQLite produced the rows in another order than it returns them (a sort): read
                # this run's article on its own
                extra = raw.execute(
                    f'SELECT {article_json} FROM "{t_article}" a WHERE a.id = ?', (article_id,)
                ).fetchone()[0]
            if extra is not None:
                title, source, url, published, f[TEXT] = json.loads(extra)
                f[ARTICLE_FRAGMENT] = _python_article(family, article_id, title, source, url, published)
                current = article_id
            if sid >= next_c:
                mine = []
                while nc is not None and nc[0] <= sid:
                    if nc[0] == sid:
                        mine.append(nc[1:])
                    nc = next(conditions, None)
                next_c = nc[0] if nc is not None else never
                f[CONDITIONS] = _python_conditions(family, mine)
            if sid >= next_r:
                while nr is not None and nr[0] <= sid:
                    if nr[0] == sid:
                        f[REVIEWS : CHANGES + 1] = nr[1:]
                    nr = next(reviews, None)
                next_r = nr[0] if nr is not None else never
            if sid >= next_s:
                while ns is not None and ns[0] <= sid:
                    if ns[0] == sid:
                        f[SUGGESTED] = ns[1]
                    ns = next(provenance, None)
                next_s = ns[0] if ns is not None else never
            yield f
    finally:
        cursor.close()
        with contextlib.suppress(Exception):  # gone with the connection anyway
            raw.create_function(function, 1, None)


# ---------------------------------------------------------------------------------------------
# The public entry point


def default_engine(using: str = "default") -> str:
    vendor = connections[using].vendor
    return "copy" if vendor == "postgresql" else "sqlite" if vendor == "sqlite" else "python"


def export_statements(
    queryset: QuerySet[Statement],
    *,
    fmt: str,
    base_url: str = "http://localhost",
    collection_id: str | None = None,
    engine: str | None = None,
    on_rows: Callable[[int], None] | None = None,
    raw: bool = False,
    fields: Iterable[str] | None = None,
    context: int = CONTEXT_CHARS,
) -> Generator[bytes, None, None]:
    """Yield the export of `queryset` (already filtered and scoped to what the user may see) in
    `fmt`, as chunks of about 256 KB, the first as soon as the first row is read.

    CSV cells starting with `=`, `+`, `-`, `@`, tab or CR get a `'` before them (formula
    injection, statements/data/csv_safety.py) unless `raw` is true; the other formats ignore it.

    `base_url` (no trailing slash) makes the W3C IRIs absolute; `collection_id` is the W3C
    collection's IRI (the export URL). `engine` is "copy" (PostgreSQL), "sqlite" (SQLite) or
    "python" (any database); by default the fastest available. `on_rows(n)` is called as rows go
    out (a progress bar). `fields`: the names of FIELDS[fmt] to keep, in that order (None: all);
    `context`: characters of context on each side, 0 to MAX_CONTEXT. ValueError for a bad one.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    names = None if fields is None else tuple(dict.fromkeys(fields))
    if names is not None:
        unknown = [name for name in names if name not in FIELDS[fmt]]
        if unknown or not names:
            raise ValueError(f"Choose fields for {fmt} from {', '.join(FIELDS[fmt])}.")
    if isinstance(context, bool) or not isinstance(context, int) or not 0 <= context <= MAX_CONTEXT:
        raise ValueError(f"The context is a whole number of characters from 0 to {MAX_CONTEXT}.")
    engine = engine or default_engine(queryset.db)
    vendor = connections[queryset.db].vendor
    if engine not in ENGINES:
        raise ValueError(f"Unknown export engine {engine!r}; choose one of {', '.join(ENGINES)}.")
    if engine == "copy" and vendor != "postgresql":
        raise ValueError("The copy engine needs PostgreSQL.")
    if engine == "sqlite" and vendor != "sqlite":
        raise ValueError("The sqlite engine needs SQLite.")
    return _stream(queryset, fmt, base_url.rstrip("/"), collection_id, engine, on_rows, raw, names, context)


def _stream(
    queryset: QuerySet[Statement],
    fmt: str,
    base_url: str,
    collection_id: str | None,
    engine: str,
    on_rows: Callable[[int], None] | None,
    raw: bool = False,
    names: tuple[str, ...] | None = None,
    context: int = CONTEXT_CHARS,
) -> Generator[bytes, None, None]:
    connection = connections[queryset.db]
    # On PostgreSQL: one snapshot for the fragments and the rows (a read-only repeatable-read
    # transaction), or a savepoint inside a caller's transaction, so that cancelling the COPY
    # leaves their transaction usable. On SQLite, no transaction: it would take the write lock.
    postgres = connection.vendor == "postgresql"
    isolate = postgres and not connection.in_atomic_block
    with transaction.atomic(using=queryset.db) if postgres else contextlib.nullcontext():
        if isolate:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                # Rows must stream in id order from the first: merge joins and group aggregates
                # keep the order of the id-ordered statements; a hash join or hash aggregate
                # would make PostgreSQL sort everything before sending the first row. And a big
                # export crosses the JIT thresholds: optimizing and inlining the compiled code
                # would hold the first row back about half a second (at 2,000,000 statements).
                for setting in ("enable_hashjoin", "enable_hashagg"):
                    cursor.execute(f"SET LOCAL {setting} = off")
                for setting in ("jit_optimize_above_cost", "jit_inline_above_cost"):
                    cursor.execute(f"SET LOCAL {setting} = -1")
        actors = _actor_fragments(fmt, queryset.db)
        users = _user_fragments(fmt, queryset.db, base_url)
        header, separator, footer = _frame(
            fmt, queryset, collection_id or f"{base_url}/api/export/statements", names
        )
        sources = {"copy": _copy_fields, "sqlite": _sqlite_fields, "python": _python_fields}
        fields = sources[engine](queryset, fmt, _wants_suggested(fmt, names))
        lines = _lines(
            fmt,
            fields,
            actors,
            users,
            base_url,
            names=names,
            context=context,
            decode_text=json.loads if engine == "copy" else str,
        )
        chunks = _chunks(lines, header, separator, footer, on_rows)
        if fmt == "csv" and not raw:  # the one place CSV cells are made safe for spreadsheets
            # (on whole chunks of whole lines: the same substitution as line by line)
            chunks = map(neutralize_csv_line, chunks)
        try:
            yield from chunks
        finally:
            # Stop the query now (COPY is cancelled, the SELECT finalized), before the
            # transaction ends: a client that went away costs nothing further.
            fields.close()


def _frame(
    fmt: str, queryset: QuerySet[Statement], collection_id: str, names: Sequence[str] | None = None
) -> tuple[bytes, bytes, bytes]:
    """What goes before the first row, between rows and after the last."""
    if fmt == "csv":
        return ",".join(names or CSV_COLUMNS).encode() + b"\n", b"", b""
    if fmt == "jsonl":
        return b"", b"", b""
    if fmt == "json":
        return b"[\n", b",\n", b"\n]\n"
    total = queryset.count()
    header = '{"@context":"%s","id":%s,"type":"AnnotationCollection","label":"Annotator statements",' % (
        W3C_CONTEXT,
        _js(collection_id),
    ) + '"total":%d,"first":{"id":%s,"type":"AnnotationPage","startIndex":0,"items":[\n' % (
        total,
        _js(collection_id + "#page-1"),
    )
    return header.encode(), b",\n", b"\n]}}\n"


def _chunks(
    lines: Iterator[str],
    header: bytes,
    separator: bytes,
    footer: bytes,
    on_rows: Callable[[int], None] | None,
) -> Iterator[bytes]:
    """Lines into UTF-8 chunks of about CHUNK_BYTES (counted in characters), the first line at
    once; `separator` between lines."""
    rows = 0
    for line in lines:  # the first line goes out alone, at once
        rows = 1
        if on_rows:
            on_rows(1)
        yield header + line.encode()
        break
    else:
        header_only = header[:-1] if separator else header  # no rows: "[]", an empty page
        empty = header_only + (footer[1:] if separator else footer)
        if empty:
            yield empty
        return
    text_separator = separator.decode()
    buffer: list[str] = []
    size, pending = 0, 0
    append = buffer.append
    for line in lines:
        if text_separator:
            append(text_separator)
        append(line)
        size += len(line)
        rows += 1
        if size >= CHUNK_BYTES:
            if on_rows:
                on_rows(rows - 1 - pending)
                pending = rows - 1
            yield "".join(buffer).encode()
            buffer.clear()
            size = 0
    if on_rows and rows > 1:
        on_rows(rows - 1 - pending)
    data = "".join(buffer).encode() + footer
    if data:
        yield data


def gzip_chunks(chunks: Iterable[bytes], level: int = 6) -> Generator[bytes, None, None]:
    """`chunks` compressed on the fly as one gzip member: each chunk compressed as it comes (and
    flushed, so the client gets bytes at once), memory flat (zlib's window). Closing this
    generator closes `chunks`."""
    import zlib

    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)  # 31: the gzip wrapper
    try:
        for chunk in chunks:
            data = compressor.compress(chunk) + compressor.flush(zlib.Z_SYNC_FLUSH)
            if data:
                yield data
        yield compressor.flush()
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def export_filename(fmt: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"statements-{now:%Y%m%d-%H%M%S}.{EXTENSIONS[fmt]}"
