"""Streaming export of statements as JSONL, JSON, CSV or W3C Web Annotations.

Shared by `/api/export/statements` and `manage.py export_statements`. Every row carries what a
researcher needs without a second request: the statement, its article's metadata, a little context
before and after the quote, speaker and addressee (with kind and affiliation), conditions, annotator,
review counts and times. Rows come in statement id order.

Two engines produce exactly the same bytes (a test compares them on PostgreSQL):

- **PostgreSQL** (`copy`): one `COPY (SELECT …) TO STDOUT` streams the rows. PostgreSQL escapes
  the text fields and aggregates conditions and reviews (merge joins in id order: no sort, the first
  rows leave at once); Python only splices in what PostgreSQL is slow at or would repeat on every
  row: the context (Python slices code points in O(1), PostgreSQL walks the UTF-8 text) and the
  article, actor and user fragments. The article text travels once per run of statements of the
  same article (`lag()` over the id order), actors and users come from two small queries first.
  COPY's CSV mode with control characters as quote and delimiter passes JSON through untouched.
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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring  # the C escaper, the same rules as PostgreSQL's to_json()

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import Count, Q, QuerySet
from psycopg import pq

from statements.models import Actor, Article, Condition, Review, User, Verdict
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
ROWS_PER_PROGRESS = 2048


# ---------------------------------------------------------------------------------------------
# Encoders. Each has a twin in SQL (see _sql_*) that gives the same bytes.


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
    return b"" if value is None else str(value).encode()


def _bool(value: bool) -> bytes:
    return b"true" if value else b"false"


def _readable_conditions(conditions: list[tuple]) -> str:
    """The CSV's one readable column: `description [evidence: “quote”] | …`."""
    return " | ".join(
        desc if ev_start is None else f"{desc} [evidence: “{ev_quote}”]"
        for desc, ev_start, _ev_end, ev_quote in conditions
    )


# ---------------------------------------------------------------------------------------------
# Row layout. Both engines produce, per statement, the same list of byte fields:
#   id, article_id, start, end, speaker_id, addressee_id, annotator_id, B1, B2, B3, article, text
# B1–B3 are pre-encoded, format-specific blocks of the statement's own fields; `article` and `text`
# are set only on the first statement of a run of the same article (empty otherwise).


@dataclass(frozen=True)
class _Blocks:
    """What goes into B1, B2, B3 and the article fragment, for one format, in Python."""

    b1: Callable[[dict], bytes]
    b2: Callable[[dict], bytes]
    b3: Callable[[dict], bytes]
    article: Callable[[dict], bytes]


def _json_blocks() -> _Blocks:
    def b2(r):
        conds = b",".join(
            b'{"description":'
            + _js(d)
            + b',"evidence":'
            + (b"null" if s is None else b'{"start":%d,"end":%d,"quote":%s}' % (s, e, _js(q)))
            + b"}"
            for d, s, e, q in r["conditions"]
        )
        return b',"stance":"%s","note":%s,"conditions":[%s]' % (r["stance"].encode(), _js(r["note"]), conds)

    def b3(r):
        n = r["reviews"]
        return (
            b',"status":"%s","gold":%s,"reviews":{"total":%d,"accept":%d,"reject":%d,"request_changes":%d},'
            b'"created_at":"%s","updated_at":"%s"}'
            % (
                r["status"].encode(),
                _bool(r["is_gold"]),
                sum(n),
                *n,
                _ts(r["created_at"]).encode(),
                _ts(r["updated_at"]).encode(),
            )
        )

    def article(r):
        published = b"null" if r["published"] is None else b'"%s"' % r["published"].isoformat().encode()
        return b'{"id":%d,"title":%s,"source":%s,"url":%s,"published":%s}' % (
            r["article_id"],
            _js(r["title"]),
            _js(r["source"]),
            _js(r["url"]),
            published,
        )

    return _Blocks(b1=lambda r: _js(r["quote"]), b2=b2, b3=b3, article=article)


def _csv_blocks() -> _Blocks:
    def b2(r):
        return b',"%s",%s,%s' % (
            r["stance"].encode(),
            _cq(r["note"]),
            _cq(_readable_conditions(r["conditions"])),
        )

    def b3(r):
        n = r["reviews"]
        return b',"%s",%s,%d,%d,%d,%d,"%s","%s"' % (
            r["status"].encode(),
            _bool(r["is_gold"]),
            sum(n),
            *n,
            _ts(r["created_at"]).encode(),
            _ts(r["updated_at"]).encode(),
        )

    def article(r):
        published = b"" if r["published"] is None else b'"%s"' % r["published"].isoformat().encode()
        return b",%d,%s,%s,%s,%s" % (
            r["article_id"],
            _cq(r["title"]),
            _cq(r["source"]),
            _cq(r["url"]),
            published,
        )

    return _Blocks(b1=lambda r: _cq(r["quote"]), b2=b2, b3=b3, article=article)


def _w3c_blocks() -> _Blocks:
    def b2(r):
        stance = b'{"type":"TextualBody","purpose":"classifying","value":"%s"}' % r["stance"].encode()
        note = b""
        if r["note"]:
            note = b',{"type":"TextualBody","purpose":"commenting","value":%s}' % _js(r["note"])
        conds = b"".join(
            b',{"type":"TextualBody","purpose":"describing","value":%s}' % _js(d)
            for d, _s, _e, _q in r["conditions"]
        )
        return stance + note + conds

    def b3(r):
        return b'"created":"%s","modified":"%s"' % (
            _ts(r["created_at"]).encode(),
            _ts(r["updated_at"]).encode(),
        )

    # An annotation links its article by IRI: no article metadata to repeat.
    return _Blocks(b1=lambda r: _js(r["quote"]), b2=b2, b3=b3, article=lambda r: b"")


BLOCKS = {"jsonl": _json_blocks, "json": _json_blocks, "csv": _csv_blocks, "w3c": _w3c_blocks}


# The same blocks in SQL, over `s` (the statement), `c` (its conditions), `r` (its review counts)
# and `a` (the article). _SQL_TS is to_json() of the UTC timestamp with a Z before the closing quote.
def _sql_ts(column: str) -> str:
    return f"left(to_json({column} AT TIME ZONE 'UTC')::text, -1) || 'Z\"'"


def _sql_cq(expr: str) -> str:
    return f"""('"' || replace({expr}, '"', '""') || '"')"""


def _sql_js(expr: str) -> str:
    return f"to_json({expr})::text"


_SQL_REVIEWS = (
    "coalesce(r.n_total, 0)",
    "coalesce(r.n_accept, 0)",
    "coalesce(r.n_reject, 0)",
    "coalesce(r.n_changes, 0)",
)

_SQL_GOLD = "(CASE WHEN s.is_gold THEN 'true' ELSE 'false' END)"

_SQL = {
    "json": {
        "b1": _sql_js("s.quote"),
        "b2": f"""',"stance":"' || s.stance || '","note":' || {_sql_js("s.note")}
            || ',"conditions":[' || coalesce(c.frag, '') || ']'""",
        "b3": f"""',"status":"' || s.status || '","gold":' || {_SQL_GOLD}
            || ',"reviews":{{"total":' || {_SQL_REVIEWS[0]} || ',"accept":' || {_SQL_REVIEWS[1]}
            || ',"reject":' || {_SQL_REVIEWS[2]} || ',"request_changes":' || {_SQL_REVIEWS[3]}
            || '}},"created_at":' || {_sql_ts("s.created_at")}
            || ',"updated_at":' || {_sql_ts("s.updated_at")} || '}}'""",
        "article": f"""'{{"id":' || a.id || ',"title":' || {_sql_js("a.title")} || ',"source":'
            || {_sql_js("a.source")} || ',"url":' || {_sql_js("a.url")} || ',"published":'
            || coalesce(to_json(a.published)::text, 'null') || '}}'""",
        "condition": f"""'{{"description":' || {_sql_js("x.description")} || ',"evidence":' || (CASE
            WHEN x.evidence_start IS NULL THEN 'null' ELSE '{{"start":' || x.evidence_start || ',"end":'
            || x.evidence_end || ',"quote":' || {_sql_js("x.evidence_quote")} || '}}' END) || '}}'""",
        "separator": "','",
    },
    "csv": {
        "b1": _sql_cq("s.quote"),
        "b2": f"""',"' || s.stance || '",' || {_sql_cq("s.note")}
            || ',' || {_sql_cq("coalesce(c.frag, '')")}""",
        "b3": f"""',"' || s.status || '",' || {_SQL_GOLD}
            || ',' || {_SQL_REVIEWS[0]} || ',' || {_SQL_REVIEWS[1]} || ',' || {_SQL_REVIEWS[2]}
            || ',' || {_SQL_REVIEWS[3]} || ',' || {_sql_ts("s.created_at")}
            || ',' || {_sql_ts("s.updated_at")}""",
        "article": f"""',' || a.id || ',' || {_sql_cq("a.title")} || ',' || {_sql_cq("a.source")} || ','
            || {_sql_cq("a.url")} || ',' || coalesce(to_json(a.published)::text, '')""",
        "condition": """x.description || (CASE WHEN x.evidence_start IS NULL THEN ''
            ELSE ' [evidence: “' || x.evidence_quote || '”]' END)""",
        "separator": "' | '",
    },
    "w3c": {
        "b1": _sql_js("s.quote"),
        "b2": f"""'{{"type":"TextualBody","purpose":"classifying","value":"' || s.stance || '"}}'
            || (CASE WHEN s.note = '' THEN '' ELSE ',{{"type":"TextualBody","purpose":"commenting","value":'
            || {_sql_js("s.note")} || '}}' END) || coalesce(c.frag, '')""",
        "b3": f"""'"created":' || {_sql_ts("s.created_at")} || ',"modified":' || {_sql_ts("s.updated_at")}""",
        "article": "NULL",
        "condition": f"""',{{"type":"TextualBody","purpose":"describing","value":'
            || {_sql_js("x.description")} || '}}'""",
        "separator": "''",
    },
}
_SQL["jsonl"] = _SQL["json"]


def _copy_sql(fmt: str, filtered_sql: str) -> str:
    """The COPY statement for `fmt` over the statements selected by `filtered_sql` (a SELECT of
    the statement table's columns, as the ORM compiles the filtered queryset)."""
    q = _SQL[fmt]
    t_article = Article._meta.db_table
    t_condition, t_review = Condition._meta.db_table, Review._meta.db_table
    return f"""COPY (
SELECT s.id, s.article_id, s.start, s."end", s.speaker_id, s.addressee_id, s.annotator_id,
  {q["b1"]}, {q["b2"]}, {q["b3"]}, t.frag, t.text
FROM (SELECT f.*, lag(f.article_id) OVER (ORDER BY f.id) AS prev_article_id FROM ({filtered_sql}) f) s
LEFT JOIN (
  SELECT x.statement_id, string_agg({q["condition"]}, {q["separator"]} ORDER BY x.position, x.id) AS frag
  FROM "{t_condition}" x WHERE x.statement_id IN (SELECT f2.id FROM ({filtered_sql}) f2)
  GROUP BY x.statement_id
) c ON c.statement_id = s.id
LEFT JOIN (
  SELECT y.statement_id, count(*) AS n_total,
    count(*) FILTER (WHERE y.verdict = '{Verdict.ACCEPT}') AS n_accept,
    count(*) FILTER (WHERE y.verdict = '{Verdict.REJECT}') AS n_reject,
    count(*) FILTER (WHERE y.verdict = '{Verdict.REQUEST_CHANGES}') AS n_changes
  FROM "{t_review}" y WHERE y.statement_id IN (SELECT f3.id FROM ({filtered_sql}) f3)
  GROUP BY y.statement_id
) r ON r.statement_id = s.id
LEFT JOIN LATERAL (
  SELECT {q["article"]} AS frag, a.text FROM "{t_article}" a
  WHERE a.id = CASE WHEN s.prev_article_id IS DISTINCT FROM s.article_id THEN s.article_id END
) t ON true
ORDER BY s.id
) TO STDOUT (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02', ENCODING 'UTF8')"""


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
    out: dict[bytes, bytes] = {}
    for pk, name, kind, aff_id, aff_name in rows.iterator(chunk_size=2000):
        if fmt == "csv":
            aff = b",," if aff_id is None else b",%d,%s" % (aff_id, _cq(aff_name))
            frag = b",%d,%s,%s" % (pk, _cq(name), _cq(kind)) + aff
        elif fmt == "w3c":
            frag = _js(name)  # wrapped into a body by the assembler
        else:
            aff = b"null" if aff_id is None else b'{"id":%d,"name":%s}' % (aff_id, _js(aff_name))
            frag = b'{"id":%d,"name":%s,"kind":%s,"affiliation":%s}' % (pk, _js(name), _js(kind), aff)
        out[str(pk).encode()] = frag
    out[b""] = b",,,,," if fmt == "csv" else b"null"
    return out


def _user_fragments(fmt: str, using: str, base_url: str) -> dict[bytes, bytes]:
    out: dict[bytes, bytes] = {}
    for pk, username in User.objects.using(using).values_list("id", "username").iterator(chunk_size=2000):
        if fmt == "csv":
            frag = b",%d,%s" % (pk, _cq(username))
        elif fmt == "w3c":
            frag = b'{"id":%s,"type":"Person","nickname":%s}' % (
                _js(f"{base_url}/api/users/{pk}/"),
                _js(username),
            )
        else:
            frag = b'{"id":%d,"username":%s}' % (pk, _js(username))
        out[str(pk).encode()] = frag
    return out


# ---------------------------------------------------------------------------------------------
# Assemblers: one line per statement from the fields, the fragments and the context


def _context(text: str, start: bytes, end: bytes) -> tuple[str, str]:
    s, e = int(start), int(end)
    return text[max(0, s - CONTEXT_CHARS) : s], text[e : e + CONTEXT_CHARS]


def _assembler(fmt: str, actors: dict, users: dict, base_url: str) -> Callable[[list, str], bytes]:
    if fmt in ("jsonl", "json"):
        end = b"\n" if fmt == "jsonl" else b""

        def line(f, text):
            sid, _aid, start, stop, sp, ad, ann, b1, b2, b3, art, _text = f
            before, after = _context(text, start, stop)
            return b"".join(
                (
                    b'{"id":',
                    sid,
                    b',"article":',
                    art,
                    b',"start":',
                    start,
                    b',"end":',
                    stop,
                    b',"quote":',
                    b1,
                    b',"context_before":',
                    encode_basestring(before).encode(),
                    b',"context_after":',
                    encode_basestring(after).encode(),
                    b',"speaker":',
                    actors[sp],
                    b',"addressee":',
                    actors[ad],
                    b2,
                    b',"annotator":',
                    users[ann],
                    b3,
                    end,
                )
            )

        return line
    if fmt == "csv":

        def line(f, text):
            sid, _aid, start, stop, sp, ad, ann, b1, b2, b3, art, _text = f
            before, after = _context(text, start, stop)
            return b"".join(
                (sid, art, b",", start, b",", stop, b",", b1, b",", _cq(before), b",", _cq(after))
                + (actors[sp], actors[ad], b2, users[ann], b3, b"\n")
            )

        return line
    statement_iri = _js(f"{base_url}/api/statements/")[:-1]
    article_iri = _js(f"{base_url}/api/articles/")[:-1]
    speaker = {
        k: b"" if k == b"" else b',{"type":"TextualBody","purpose":"identifying","value":%s}' % v
        for k, v in actors.items()
    }
    addressee = {
        k: b"" if k == b"" else b',{"type":"TextualBody","purpose":"tagging","value":%s}' % v
        for k, v in actors.items()
    }

    def line(f, text):
        sid, aid, start, stop, sp, ad, ann, b1, b2, b3, _art, _text = f
        before, after = _context(text, start, stop)
        prefix = b',"prefix":' + encode_basestring(before).encode() if before else b""
        suffix = b',"suffix":' + encode_basestring(after).encode() if after else b""
        return b"".join(
            (
                b'{"@context":"' + W3C_CONTEXT.encode() + b'","id":',
                statement_iri,
                sid,
                b'/","type":"Annotation","motivation":"classifying",',
                b3,
                b',"creator":',
                users[ann],
                b',"body":[',
                b2,
                speaker[sp],
                addressee[ad],
                b'],"target":{"source":',
                article_iri,
                aid,
                b'/","selector":[{"type":"TextQuoteSelector","exact":',
                b1,
                prefix,
                suffix,
                b'},{"type":"TextPositionSelector","start":',
                start,
                b',"end":',
                stop,
                b"}]}}",
            )
        )

    return line


# ---------------------------------------------------------------------------------------------
# Row sources


def _copy_fields(queryset: QuerySet, fmt: str) -> Iterator[list[bytes]]:
    """Fields per statement from one COPY on PostgreSQL (see the module docstring)."""
    try:
        sql, params = queryset.order_by().values_list(*_STATEMENT_COLUMNS).query.sql_with_params()
    except EmptyResultSet:  # e.g. .none(): nothing to read
        return
    connection = connections[queryset.db]
    connection.ensure_connection()
    statement = _copy_sql(fmt, sql)
    if connection.queries_logged:  # libpq directly: tell Django's query log (tests count queries)
        connection.queries_log.append({"sql": statement, "time": "0.000"})
    for row in _copy_out(connection.connection, statement, params * 3):
        if b"\x01" in row:  # COPY quoted a field (a newline, or a control character in the data)
            yield [value.encode() for value in next(csv.reader(io.StringIO(row.decode()), "_copy_dialect"))]
        else:
            yield row[:-1].split(b"\x02")


def _copy_out(conn, statement: str, params: tuple) -> Iterator[bytes]:
    """The rows of `COPY … TO STDOUT`, read straight from libpq (psycopg's `pgconn`, documented
    for this): a row costs one C call instead of a trip through psycopg's generators, which halves
    the Python time per row. Closing the generator early cancels the query and drains what is in
    flight, so the connection is ready for the next query and the server stops working."""
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
                yield bytes(data)
            elif size == 0:
                select.select([pgconn.socket], [], [])
                pgconn.consume_input()
            else:
                break
        finished = True
    finally:
        if not finished:
            conn.cancel_safe()
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


def _python_fields(queryset: QuerySet, fmt: str) -> Iterator[list[bytes]]:
    """The same fields from portable ORM queries: statements, conditions and review counts, each
    ordered by statement id and merged here (three queries whatever the number of rows)."""
    blocks = BLOCKS[fmt]()
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
            accept=Count("id", filter=Q(verdict=Verdict.ACCEPT)),
            reject=Count("id", filter=Q(verdict=Verdict.REJECT)),
            changes=Count("id", filter=Q(verdict=Verdict.REQUEST_CHANGES)),
        )
        .values_list("statement_id", "accept", "reject", "changes")
        .iterator(chunk_size=2000)
    )
    next_condition = next(conditions, None)
    next_review = next(reviews, None)
    previous_article = None
    keys = (*_STATEMENT_COLUMNS, "title", "source", "url", "published", "text")
    for values in statements:
        r = dict(zip(keys, values, strict=True))
        sid = r["id"]
        r["conditions"] = []
        while next_condition is not None and next_condition[0] <= sid:
            if next_condition[0] == sid:
                r["conditions"].append(next_condition[1:])
            next_condition = next(conditions, None)
        r["reviews"] = (0, 0, 0)
        while next_review is not None and next_review[0] <= sid:
            if next_review[0] == sid:
                r["reviews"] = next_review[1:]
            next_review = next(reviews, None)
        first_of_run = r["article_id"] != previous_article
        previous_article = r["article_id"]
        yield [
            str(sid).encode(),
            str(r["article_id"]).encode(),
            str(r["start"]).encode(),
            str(r["end"]).encode(),
            _int(r["speaker_id"]),
            _int(r["addressee_id"]),
            str(r["annotator_id"]).encode(),
            blocks.b1(r),
            blocks.b2(r),
            blocks.b3(r),
            blocks.article(r) if first_of_run else b"",
            r["text"].encode() if first_of_run else b"",
        ]


# ---------------------------------------------------------------------------------------------
# The public entry point


def default_engine(using: str = "default") -> str:
    return "copy" if connections[using].vendor == "postgresql" else "python"


def export_statements(
    queryset: QuerySet,
    *,
    fmt: str,
    base_url: str = "http://localhost",
    collection_id: str | None = None,
    engine: str | None = None,
    on_rows: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    """Yield the export of `queryset` (already filtered and scoped to what the user may see) in
    `fmt`, as chunks of about 256 KB, the first as soon as the first rows are read.

    `base_url` (no trailing slash) makes the W3C IRIs absolute; `collection_id` is the W3C
    collection's IRI (the export URL). `engine` is "copy" (PostgreSQL) or "python" (any database);
    by default the fastest available. `on_rows(n)` is called as rows go out (a progress bar).
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    engine = engine or default_engine(queryset.db)
    if engine == "copy" and connections[queryset.db].vendor != "postgresql":
        raise ValueError("The copy engine needs PostgreSQL.")
    return _stream(queryset, fmt, base_url.rstrip("/"), collection_id, engine, on_rows)


def _stream(queryset, fmt, base_url, collection_id, engine, on_rows) -> Iterator[bytes]:
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
        actors = _actor_fragments(fmt, queryset.db)
        users = _user_fragments(fmt, queryset.db, base_url)
        header, separator, footer = _frame(
            fmt, queryset, collection_id or f"{base_url}/api/export/statements"
        )
        line = _assembler(fmt, actors, users, base_url)
        fields = _copy_fields(queryset, fmt) if engine == "copy" else _python_fields(queryset, fmt)
        try:
            yield from _chunks(fields, line, header, separator, footer, on_rows)
        finally:
            # Stop the query now (COPY is cancelled), before the transaction ends: a client that
            # went away costs nothing further.
            fields.close()


def _frame(fmt: str, queryset: QuerySet, collection_id: str) -> tuple[bytes, bytes, bytes]:
    """What goes before the first row, between rows and after the last."""
    if fmt == "csv":
        return ",".join(CSV_COLUMNS).encode() + b"\n", b"", b""
    if fmt == "jsonl":
        return b"", b"", b""
    if fmt == "json":
        return b"[", b",\n", b"\n]\n"
    total = queryset.count()
    header = (
        b'{"@context":"%s","id":%s,"type":"AnnotationCollection","label":"Annotator statements",'
        b'"total":%d,"first":{"id":%s,"type":"AnnotationPage","startIndex":0,"items":['
        % (W3C_CONTEXT.encode(), _js(collection_id), total, _js(collection_id + "#page-1"))
    )
    return header, b",\n", b"\n]}}\n"


def _chunks(fields, line, header, separator, footer, on_rows) -> Iterator[bytes]:
    buffer = [header]
    size = len(header)
    text, article = "", b""
    rows = pending = 0
    first = True
    for f in fields:
        if f[11]:  # the first statement of a run of the same article brings the article
            text, article = f[11].decode(), f[10]
        else:
            f[10] = article
        piece = line(f, text)
        if separator:
            piece = (b"\n" if first else separator) + piece
        first = False
        buffer.append(piece)
        size += len(piece)
        rows += 1
        if size >= CHUNK_BYTES or rows == 1:  # the first row goes out at once
            if on_rows:
                on_rows(rows - pending)
                pending = rows
            yield b"".join(buffer)
            buffer, size = [], 0
    if first and separator:  # an empty JSON array or W3C page
        buffer.append(b"")
    buffer.append(footer)
    data = b"".join(buffer)
    if data:
        yield data
    if on_rows and rows > pending:
        on_rows(rows - pending)


def export_filename(fmt: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"statements-{now:%Y%m%d-%H%M%S}.{EXTENSIONS[fmt]}"


def parse_jsonl(data: bytes | str) -> list[dict]:
    """Every line of a JSONL export as a dict (a helper for tests and notebooks)."""
    if isinstance(data, bytes):
        data = data.decode()
    return [json.loads(line) for line in data.splitlines() if line]


def iter_chunks(chunks: Iterable[bytes]) -> bytes:
    return b"".join(chunks)
