"""Streaming export of statements as JSONL, JSON, CSV or W3C Web Annotations.

Shared by `/api/export/statements` and `manage.py export_statements`. Every row carries what a
researcher needs without a second request: the statement, its article's metadata, a little context
before and after the quote, speaker and addressee (with kind and affiliation), conditions, annotator,
review counts and times. Rows come in statement id order.

Two engines produce exactly the same bytes (a test compares them on PostgreSQL):

- **PostgreSQL** (`copy`): one `COPY (SELECT …) TO STDOUT` streams the rows, read straight from
  libpq. PostgreSQL escapes the text fields (`to_json`, CSV quoting) and aggregates conditions and
  review counts (merge joins in id order: no sort, the first rows leave at once). Python formats
  each line with one template and adds what PostgreSQL is slow at or would repeat on every row:
  the context (Python slices code points in O(1), PostgreSQL walks the UTF-8 text) and the
  article, actor and user fragments. The article travels once per run of statements of the same
  article (`lag()` over the id order); actors and users come from two small queries first. COPY's
  CSV mode with control characters as quote and delimiter passes JSON through untouched.
- **Python** (`python`): portable ORM queries, merged in id order (statements, conditions, review
  counts), for SQLite and as the reference.

Either way the number of queries is fixed (actors, users, the rows; the Python engine adds
conditions and reviews), memory stays flat (one article text, the actor and user fragments and a
256 KB output buffer), and a client that goes away stops the query: closing the generator cancels
the COPY.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import select
from collections.abc import Callable, Generator, Iterator
from json.encoder import encode_basestring  # the C escaper, the same rules as PostgreSQL's to_json()
from typing import Any

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Count, Q, QuerySet
from psycopg import pq

from statements.data.csv_safety import neutralize_csv_line
from statements.models import Actor, Article, Condition, Review, Statement, User, Verdict
from statements.services import CONTEXT_CHARS

FORMATS = ("jsonl", "json", "csv", "w3c")
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
)
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CHUNK_BYTES = 256 * 1024


# ---------------------------------------------------------------------------------------------
# Encoders. Each has a twin in SQL (the _SQL_* helpers) that gives the same bytes.


def _js(value: str) -> bytes:
    """A JSON string, as PostgreSQL's to_json(text) writes it (non-ASCII kept, controls escaped)."""
    return encode_basestring(value).encode()


def _cq(value: str) -> bytes:
    """A CSV field, always quoted: strings are quoted, numbers and booleans are not, NULL is empty."""
    return b'"' + value.replace('"', '""').encode() + b'"'


def _ts(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a Z, trailing zeros of the fraction trimmed (as PostgreSQL's to_json)."""
    value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def _int(value: int | None) -> bytes:
    return b"" if value is None else b"%d" % value


def _sql_js(expr: str) -> str:
    return f"to_json({expr})::text"


def _sql_cq(expr: str) -> str:
    return f"""('"' || replace({expr}, '"', '""') || '"')"""


# ---------------------------------------------------------------------------------------------
# Row layout. Both engines give, per statement, the same 21 byte strings:
ID, ARTICLE, START, END, SPEAKER, ADDRESSEE, ANNOTATOR = range(7)
QUOTE, STANCE, NOTE, CONDITIONS, STATUS, GOLD = range(7, 13)
REVIEWS, ACCEPTS, REJECTS, CHANGES, CREATED, UPDATED = range(13, 19)
ARTICLE_FRAGMENT, TEXT = 19, 20
# QUOTE and NOTE come encoded for the format (a JSON string, or a quoted CSV field); CONDITIONS is
# a pre-encoded fragment (empty without conditions); GOLD is true or false; CREATED/UPDATED are
# to_json() of the UTC time, quotes included, without the Z;
# ARTICLE_FRAGMENT and TEXT (a JSON string) are set on the first statement of a run of statements of
# the same article only.

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


def _copy_sql(fmt: str, filtered_sql: str, *, selective: bool) -> tuple[str, int]:
    """The COPY statement for `fmt` over the statements selected by `filtered_sql` (a SELECT of
    the statement table's columns, as the ORM compiles the filtered queryset), and how many times
    it uses `filtered_sql` (its parameters repeat as many times).

    Conditions and review counts come either from merge joins with their tables aggregated by
    statement (a whole pass over them: the right thing for most of the statements), or, when the
    filter keeps few statements (`selective`), from one index lookup per statement."""
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
    sql = f"""COPY (
SELECT s.id, s.article_id, s.start, s."end", s.speaker_id, s.addressee_id, s.annotator_id,
  {text("s.quote")}, s.stance, {text("s.note")}, c.frag, s.status,
  CASE WHEN s.is_gold THEN 'true' ELSE 'false' END,
  coalesce(r.n_total, 0), coalesce(r.n_accept, 0), coalesce(r.n_reject, 0), coalesce(r.n_changes, 0),
  to_json(s.created_at AT TIME ZONE 'UTC'), to_json(s.updated_at AT TIME ZONE 'UTC'),
  CASE WHEN s.prev_article_id IS DISTINCT FROM s.article_id
    THEN (SELECT {_ARTICLE_SQL[family]} FROM "{t_article}" a WHERE a.id = s.article_id) END,
  CASE WHEN s.prev_article_id IS DISTINCT FROM s.article_id
    THEN (SELECT to_json(a.text) FROM "{t_article}" a WHERE a.id = s.article_id) END
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


def _python_conditions(family: str, conditions: list[tuple]) -> bytes:
    """The CONDITIONS field, as _CONDITION_SQL builds it."""
    if not conditions:
        return b""
    if family == "csv":
        return _readable_conditions(conditions).encode()  # quoted by the assembler
    if family == "w3c":
        return b"".join(
            b',{"type":"TextualBody","purpose":"describing","value":%s}' % _js(d)
            for d, _s, _e, _q in conditions
        )
    return b",".join(
        b'{"description":%s,"evidence":%s}'
        % (_js(d), b"null" if s is None else b'{"start":%d,"end":%d,"quote":%s}' % (s, e, _js(q)))
        for d, s, e, q in conditions
    )


def _python_article(family: str, r: dict) -> bytes:
    """The ARTICLE_FRAGMENT field, as _ARTICLE_SQL builds it."""
    published = r["published"]
    if family == "csv":
        date = b"" if published is None else b'"%s"' % published.isoformat().encode()
        return b",%d,%s,%s,%s,%s" % (r["article_id"], _cq(r["title"]), _cq(r["source"]), _cq(r["url"]), date)
    if family == "w3c":
        return b""
    date = b"null" if published is None else b'"%s"' % published.isoformat().encode()
    return b'{"id":%d,"title":%s,"source":%s,"url":%s,"published":%s}' % (
        r["article_id"],
        _js(r["title"]),
        _js(r["source"]),
        _js(r["url"]),
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
# Actor and user fragments (loaded once per export: few rows, one query each)


def _actor_fragments(fmt: str, using: str) -> dict[bytes, bytes]:
    rows = Actor.objects.using(using).values_list("id", "name", "kind", "affiliation_id", "affiliation__name")
    family = _FAMILY[fmt]
    out: dict[bytes, bytes] = {}
    for pk, name, kind, aff_id, aff_name in rows.iterator(chunk_size=2000):
        if family == "csv":
            aff = b",," if aff_id is None else b",%d,%s" % (aff_id, _cq(aff_name))
            frag = b",%d,%s,%s" % (pk, _cq(name), _cq(kind)) + aff
        elif family == "w3c":
            frag = _js(name)  # wrapped into a body by the assembler
        else:
            aff = b"null" if aff_id is None else b'{"id":%d,"name":%s}' % (aff_id, _js(aff_name))
            frag = b'{"id":%d,"name":%s,"kind":%s,"affiliation":%s}' % (pk, _js(name), _js(kind), aff)
        out[b"%d" % pk] = frag
    out[b""] = b",,,,," if family == "csv" else b"null"
    return out


def _user_fragments(fmt: str, using: str, base_url: str) -> dict[bytes, bytes]:
    family = _FAMILY[fmt]
    out: dict[bytes, bytes] = {}
    for pk, username in User.objects.using(using).values_list("id", "username").iterator(chunk_size=2000):
        if family == "csv":
            frag = b",%d,%s" % (pk, _cq(username))
        elif family == "w3c":
            frag = b'{"id":%s,"type":"Person","nickname":%s}' % (
                _js(f"{base_url}/api/users/{pk}/"),
                _js(username),
            )
        else:
            frag = b'{"id":%d,"username":%s}' % (pk, _js(username))
        out[b"%d" % pk] = frag
    return out


# ---------------------------------------------------------------------------------------------
# Line templates: one `%` per statement


_JSON_LINE = (
    b'{"id":%s,"article":%s,"start":%s,"end":%s,"quote":%s,"context_before":%s,"context_after":%s,'
    b'"speaker":%s,"addressee":%s,"stance":"%s","note":%s,"conditions":[%s],"annotator":%s,'
    b'"status":"%s","gold":%s,"reviews":{"total":%s,"accept":%s,"reject":%s,"request_changes":%s},'
    b'"created_at":%sZ","updated_at":%sZ"}'
)
_CSV_LINE = b'%s%s,%s,%s,%s,%s,%s%s%s,"%s",%s,%s%s,"%s",%s,%s,%s,%s,%s,%sZ",%sZ"\n'
_W3C_LINE = (
    b'{"@context":"' + W3C_CONTEXT.encode() + b'","id":%s%s/","type":"Annotation","motivation":"classifying",'
    b'"created":%sZ","modified":%sZ","creator":%s,"body":[{"type":"TextualBody","purpose":"classifying",'
    b'"value":"%s"}%s%s%s%s],"target":{"source":%s%s/","selector":[{"type":"TextQuoteSelector","exact":%s'
    b'%s%s},{"type":"TextPositionSelector","start":%s,"end":%s}]}}'
)


def _lines(
    fmt: str, fields: Iterator[list[bytes]], actors: dict, users: dict, base_url: str
) -> Iterator[bytes]:
    """One encoded line per statement. The hot loop of the export: everything it needs is local."""
    text, article = "", b""
    esc = encode_basestring
    n = CONTEXT_CHARS
    family = _FAMILY[fmt]
    if family == "json":
        template = _JSON_LINE + (b"\n" if fmt == "jsonl" else b"")
        for f in fields:
            if f[TEXT]:
                text, article = json.loads(f[TEXT]), f[ARTICLE_FRAGMENT]
            s, e = int(f[START]), int(f[END])
            yield template % (
                f[ID],
                article,
                f[START],
                f[END],
                f[QUOTE],
                esc(text[max(0, s - n) : s]).encode(),
                esc(text[e : e + n]).encode(),
                actors[f[SPEAKER]],
                actors[f[ADDRESSEE]],
                f[STANCE],
                f[NOTE],
                f[CONDITIONS],
                users[f[ANNOTATOR]],
                f[STATUS],
                f[GOLD],
                f[REVIEWS],
                f[ACCEPTS],
                f[REJECTS],
                f[CHANGES],
                f[CREATED][:-1],
                f[UPDATED][:-1],
            )
    elif family == "csv":
        for f in fields:
            if f[TEXT]:
                text, article = json.loads(f[TEXT]), f[ARTICLE_FRAGMENT]
            s, e = int(f[START]), int(f[END])
            yield _CSV_LINE % (
                f[ID],
                article,
                f[START],
                f[END],
                f[QUOTE],
                _cq(text[max(0, s - n) : s]),
                _cq(text[e : e + n]),
                actors[f[SPEAKER]],
                actors[f[ADDRESSEE]],
                f[STANCE],
                f[NOTE],
                b'"' + f[CONDITIONS].replace(b'"', b'""') + b'"',
                users[f[ANNOTATOR]],
                f[STATUS],
                f[GOLD],
                f[REVIEWS],
                f[ACCEPTS],
                f[REJECTS],
                f[CHANGES],
                f[CREATED][:-1],
                f[UPDATED][:-1],
            )
    else:
        statement_iri = _js(f"{base_url}/api/statements/")[:-1]
        article_iri = _js(f"{base_url}/api/articles/")[:-1]
        body = b',{"type":"TextualBody","purpose":"%s","value":%s}'
        speaker = {k: body % (b"identifying", v) for k, v in actors.items() if k}
        addressee = {k: body % (b"tagging", v) for k, v in actors.items() if k}
        speaker[b""] = addressee[b""] = b""
        for f in fields:
            if f[TEXT]:
                text = json.loads(f[TEXT])
            s, e = int(f[START]), int(f[END])
            before, after = text[max(0, s - n) : s], text[e : e + n]
            note = f[NOTE]
            yield _W3C_LINE % (
                statement_iri,
                f[ID],
                f[CREATED][:-1],
                f[UPDATED][:-1],
                users[f[ANNOTATOR]],
                f[STANCE],
                speaker[f[SPEAKER]],
                addressee[f[ADDRESSEE]],
                b"" if note == b'""' else b',{"type":"TextualBody","purpose":"commenting","value":%s}' % note,
                f[CONDITIONS],
                article_iri,
                f[ARTICLE],
                f[QUOTE],
                b',"prefix":' + esc(before).encode() if before else b"",
                b',"suffix":' + esc(after).encode() if after else b"",
                f[START],
                f[END],
            )


# ---------------------------------------------------------------------------------------------
# Row sources


def _copy_fields(queryset: QuerySet[Statement], fmt: str) -> Generator[list[bytes], None, None]:
    """The fields per statement from one COPY on PostgreSQL (see the module docstring)."""
    try:
        sql, params = queryset.order_by().values_list(*_STATEMENT_COLUMNS).query.sql_with_params()
    except EmptyResultSet:  # e.g. .none(): nothing to read
        return
    connection = connections[queryset.db]
    statement, uses = _copy_sql(fmt, sql, selective=_is_selective(connection, sql, params))
    if connection.queries_logged:  # libpq directly: tell Django's query log (tests count queries)
        connection.queries_log.append({"sql": statement, "time": "0.000"})
    yield from _copy_out(connection.connection, statement, params * uses)


def _copy_out(
    conn: psycopg.Connection[Any], statement: str, params: tuple[Any, ...]
) -> Iterator[list[bytes]]:
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
                row = bytes(data)
                if b"\x01" in row:  # COPY quoted a field (a newline or a control character in it)
                    yield [v.encode() for v in next(csv.reader(io.StringIO(row.decode()), "_copy_dialect"))]
                else:
                    yield row[:-1].split(b"\x02")
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


def _python_fields(queryset: QuerySet[Statement], fmt: str) -> Generator[list[bytes], None, None]:
    """The same fields from portable ORM queries: statements, conditions and review counts, each
    ordered by statement id and merged here (three queries whatever the number of rows)."""
    family = _FAMILY[fmt]
    text_field = _cq if family == "csv" else _js
    ids = queryset.order_by().values("id")
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
    next_condition = next(conditions, None)
    next_review = next(reviews, None)
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
        counts: tuple[bytes, ...] = (b"0", b"0", b"0", b"0")
        while next_review is not None and next_review[0] <= sid:
            if next_review[0] == sid:
                counts = tuple(b"%d" % n for n in next_review[1:])
            next_review = next(reviews, None)
        first_of_run = r["article_id"] != previous_article
        previous_article = r["article_id"]
        yield [
            b"%d" % sid,
            b"%d" % r["article_id"],
            b"%d" % r["start"],
            b"%d" % r["end"],
            _int(r["speaker_id"]),
            _int(r["addressee_id"]),
            b"%d" % r["annotator_id"],
            text_field(r["quote"]),
            r["stance"].encode(),
            text_field(r["note"]),
            _python_conditions(family, mine),
            r["status"].encode(),
            b"true" if r["is_gold"] else b"false",
            *counts,
            b'"%s"' % _ts(r["created_at"])[:-1].encode(),  # to_json's form: quoted, no Z
            b'"%s"' % _ts(r["updated_at"])[:-1].encode(),
            _python_article(family, r) if first_of_run else b"",
            _js(r["text"]) if first_of_run else b"",
        ]


# ---------------------------------------------------------------------------------------------
# The public entry point


def default_engine(using: str = "default") -> str:
    return "copy" if connections[using].vendor == "postgresql" else "python"


def export_statements(
    queryset: QuerySet[Statement],
    *,
    fmt: str,
    base_url: str = "http://localhost",
    collection_id: str | None = None,
    engine: str | None = None,
    on_rows: Callable[[int], None] | None = None,
    raw: bool = False,
) -> Generator[bytes, None, None]:
    """Yield the export of `queryset` (already filtered and scoped to what the user may see) in
    `fmt`, as chunks of about 256 KB, the first as soon as the first row is read.

    CSV cells starting with `=`, `+`, `-`, `@`, tab or CR get a `'` before them (formula
    injection, statements/data/csv_safety.py) unless `raw` is true; the other formats ignore it.

    `base_url` (no trailing slash) makes the W3C IRIs absolute; `collection_id` is the W3C
    collection's IRI (the export URL). `engine` is "copy" (PostgreSQL) or "python" (any database);
    by default the fastest available. `on_rows(n)` is called as rows go out (a progress bar).
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    engine = engine or default_engine(queryset.db)
    if engine == "copy" and connections[queryset.db].vendor != "postgresql":
        raise ValueError("The copy engine needs PostgreSQL.")
    return _stream(queryset, fmt, base_url.rstrip("/"), collection_id, engine, on_rows, raw)


def _stream(
    queryset: QuerySet[Statement],
    fmt: str,
    base_url: str,
    collection_id: str | None,
    engine: str,
    on_rows: Callable[[int], None] | None,
    raw: bool = False,
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
            fmt, queryset, collection_id or f"{base_url}/api/export/statements"
        )
        fields = _copy_fields(queryset, fmt) if engine == "copy" else _python_fields(queryset, fmt)
        lines = _lines(fmt, fields, actors, users, base_url)
        if fmt == "csv" and not raw:  # the one place CSV cells are made safe for spreadsheets
            lines = map(neutralize_csv_line, lines)
        try:
            yield from _chunks(lines, header, separator, footer, on_rows)
        finally:
            # Stop the query now (COPY is cancelled), before the transaction ends: a client that
            # went away costs nothing further.
            fields.close()


def _frame(fmt: str, queryset: QuerySet[Statement], collection_id: str) -> tuple[bytes, bytes, bytes]:
    """What goes before the first row, between rows and after the last."""
    if fmt == "csv":
        return ",".join(CSV_COLUMNS).encode() + b"\n", b"", b""
    if fmt == "jsonl":
        return b"", b"", b""
    if fmt == "json":
        return b"[\n", b",\n", b"\n]\n"
    total = queryset.count()
    header = (
        b'{"@context":"%s","id":%s,"type":"AnnotationCollection","label":"Annotator statements",'
        b'"total":%d,"first":{"id":%s,"type":"AnnotationPage","startIndex":0,"items":[\n'
        % (W3C_CONTEXT.encode(), _js(collection_id), total, _js(collection_id + "#page-1"))
    )
    return header, b",\n", b"\n]}}\n"


def _chunks(
    lines: Iterator[bytes],
    header: bytes,
    separator: bytes,
    footer: bytes,
    on_rows: Callable[[int], None] | None,
) -> Iterator[bytes]:
    """Lines into chunks of about CHUNK_BYTES, the first line at once; `separator` between lines."""
    buffer = [header]
    rows = 0
    for line in lines:  # the first line goes out alone, at once
        buffer.append(line)
        rows = 1
        if on_rows:
            on_rows(1)
        yield b"".join(buffer)
        break
    buffer, size, pending = [], 0, 0
    append = buffer.append
    for line in lines:
        if separator:
            append(separator)
        append(line)
        size += len(line)
        rows += 1
        if size >= CHUNK_BYTES:
            if on_rows:
                on_rows(rows - 1 - pending)
                pending = rows - 1
            yield b"".join(buffer)
            buffer.clear()
            size = 0
    if rows == 0:
        buffer.insert(0, header[:-1] if separator else header)  # no rows: "[]", an empty page
    append(footer[1:] if rows == 0 and separator else footer)
    if on_rows and rows > 1:
        on_rows(rows - 1 - pending)
    data = b"".join(buffer)
    if data:
        yield data


def export_filename(fmt: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"statements-{now:%Y%m%d-%H%M%S}.{EXTENSIONS[fmt]}"
