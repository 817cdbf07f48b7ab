"""Statements for the API as rows, not model instances: a page of 100 (or `?article=`'s ~50)
costs three queries (the statements with their speaker, addressee and annotator joined; their
conditions; the sources of the gold ones) and no model construction, queryset cloning or related
managers per statement, which took most of the time of a list (issue #15's profile). The dicts
are exactly what StatementSerializer renders from an instance (a test compares them)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from statements import permissions
from statements.models import Actor, Condition, Statement, User
from statements.permissions import AnyUser

COLUMNS = (
    "id",
    "article_id",
    "start",
    "end",
    "quote",
    "speaker_id",
    "speaker_name",
    "addressee_id",
    "addressee_name",
    "stance",
    "note",
    "annotator_id",
    "annotator_username",
    "status",
    "is_gold",
    "version",
    "created_at",
    "updated_at",
)
_CONDITION_COLUMNS = (
    "statement_id",
    "id",
    "description",
    "evidence_start",
    "evidence_end",
    "evidence_quote",
    "position",
)


def rows(queryset: QuerySet[Statement]) -> QuerySet[Statement, dict[str, Any]]:
    """The statements of `queryset` (already scoped and filtered) as the rows `render` takes; one
    query when evaluated (a paginator may slice it first)."""

    # The names as correlated subqueries, not joins: evaluated for the rows of the page only, and
    # without a join on the users SQLite's planner would not walk the annotator index and sort
    # every statement before the LIMIT (500 ms instead of 1 on 100,000 statements).
    def name(model: type[Actor] | type[User], column: str, field: str) -> Subquery:
        return Subquery(model.objects.filter(pk=OuterRef(column)).values(field)[:1])

    return queryset.annotate(
        speaker_name=name(Actor, "speaker_id", "name"),
        addressee_name=name(Actor, "addressee_id", "name"),
        annotator_username=name(User, "annotator_id", "username"),
    ).values(*COLUMNS)


def _time(value: Any, tz: dt.tzinfo | None = None) -> str:
    """As DRF's DateTimeField renders a time (ISO 8601 in the current time zone, UTC as Z);
    `tz`: that zone, looked up once by a caller rendering many."""
    text = value.astimezone(tz or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _ids_in(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """`column IN ids` for a hand-written query: on PostgreSQL one array parameter, because
    psycopg re-parses (does not cache) a query with more than 50 parameters."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


class RawPage:
    """The statements `user` may see (on `articles` only, when given) as rows, for the API's
    list without filters (issue #15): one hand-written query instead of the ORM's, which cost
    ten times the query itself. It offers what DRF's CursorPagination calls on a queryset
    (order_by and filter on the id, a slice), so the pages and their links are the paginator's
    own; anything else goes through the ORM path (rows())."""

    model = Statement

    def __init__(
        self, user: AnyUser | None, articles: Sequence[int] | None = None, *, pk: int | None = None
    ) -> None:
        self.user, self.articles, self.pk = user, articles, pk
        self.descending = False
        self.bound: tuple[str, int] | None = None

    @classmethod
    def written(cls, pk: int) -> list[dict[str, Any]]:
        """The row of the statement `pk` just written by the caller (the answer to a create or
        an edit: its writer sees it), without the visibility test."""
        return cls(None, pk=pk)[0:1]

    def _clone(self) -> RawPage:
        other = RawPage(self.user, self.articles, pk=self.pk)
        other.descending, other.bound = self.descending, self.bound
        return other

    def order_by(self, *fields: str) -> RawPage:
        if fields not in (("id",), ("-id",)):
            raise ValueError(f"RawPage orders by id only, not {fields}")
        other = self._clone()
        other.descending = fields == ("-id",)
        return other

    def filter(self, **kwargs: Any) -> RawPage:
        ((name, value),) = kwargs.items()
        if name not in ("id__gt", "id__lt"):
            raise ValueError(f"RawPage filters on the id only, not {name}")
        other = self._clone()
        other.bound = (">" if name == "id__gt" else "<", int(value))
        return other

    def __getitem__(self, window: slice) -> list[dict[str, Any]]:
        offset, stop = window.start or 0, window.stop
        if self.pk is not None:
            where, params = "s.id = %s", [self.pk]
        else:
            where, params = permissions.visible_statements_sql(self.user)
        if self.articles is not None:
            among, ids = _ids_in("s.article_id", self.articles)
            where, params = f"{where} AND {among}", [*params, *ids]
        if self.bound is not None:
            where += f" AND s.id {self.bound[0]} %s"
            params = [*params, self.bound[1]]
        order = "DESC" if self.descending else "ASC"
        sql = (
            'SELECT s.id, s.article_id, s.start, s."end", s.quote, s.speaker_id, sp.name,'
            " s.addressee_id, ad.name, s.stance, s.note, s.annotator_id, u.username, s.status,"
            " s.is_gold, s.version, s.created_at, s.updated_at"
            f" FROM (SELECT * FROM {Statement._meta.db_table} s WHERE {where}"
            f" ORDER BY s.id {order} LIMIT %s OFFSET %s) s"
            f" LEFT JOIN {Actor._meta.db_table} sp ON sp.id = s.speaker_id"
            f" LEFT JOIN {Actor._meta.db_table} ad ON ad.id = s.addressee_id"
            f" JOIN {User._meta.db_table} u ON u.id = s.annotator_id"
            f" ORDER BY s.id {order}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, stop - offset, offset])
            return [dict(zip(COLUMNS, values, strict=True)) for values in cursor.fetchall()]


def _aware(value: Any) -> dt.datetime:
    """A timestamp from a raw cursor (SQLite: text without the UTC offset it is stored in)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _children(ids: list[int]) -> list[tuple[Any, ...]]:
    """The conditions and gold sources of the statements `ids`, as render() reads them."""
    of_conditions, params = _ids_in("c.statement_id", ids)
    of_sources, more = _ids_in("t.from_statement_id", ids)
    through = Statement.adjudicated_from.through._meta.db_table
    sql = (
        # kind 0: a condition (statement, id, description, evidence, position); kind 1: a gold
        # statement's source (gold, source), in the sources' Statement.Meta.ordering
        "SELECT 0, c.statement_id, c.id, c.description, c.evidence_start, c.evidence_end,"
        " c.evidence_quote, c.position, NULL, NULL, NULL, NULL"
        f" FROM {Condition._meta.db_table} c WHERE {of_conditions}"
        " UNION ALL"
        " SELECT 1, t.from_statement_id, t.to_statement_id, NULL, NULL, NULL, NULL, NULL,"
        ' src.article_id, src.start, src."end", src.id'
        f" FROM {through} t JOIN {Statement._meta.db_table} src ON src.id = t.to_statement_id"
        f" WHERE {of_sources}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *more])
        return list(cursor.fetchall())


def render(page: Sequence[dict[str, Any]], *, childless: bool = False) -> list[dict[str, Any]]:
    """The API's JSON of each statement of `page` (rows from `rows()` or RawPage): one more
    query, the conditions in their order and the gold statements' sources in the statements'
    order (one UNION, hand-written: the ORM's two cost more than the rows). `childless`: the
    caller knows that these statements have neither (one just created without conditions), so
    the query is not made."""
    ids = [row["id"] for row in page]
    conditions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    sources: dict[int, list[int]] = defaultdict(list)
    if not ids:
        return []
    found: list[tuple[Any, ...]] = [] if childless else _children(ids)
    # The order (conditions by position, id; sources as Statement.Meta.ordering: article, start,
    # -end, id), in Python: a UNION takes one ORDER BY for both kinds.
    found.sort(key=lambda r: (r[0], r[7], r[2]) if r[0] == 0 else (1, r[8], r[9], -r[10], r[11]))
    for kind, sid, pk, description, evidence_start, evidence_end, evidence_quote, position, *_ in found:
        if kind == 1:
            sources[sid].append(pk)
            continue
        conditions[sid].append(
            {
                "id": pk,
                "description": description,
                "evidence_start": evidence_start,
                "evidence_end": evidence_end,
                "evidence_quote": evidence_quote,
                "position": position,
            }
        )
    tz = timezone.get_current_timezone()
    return [
        {
            "id": row["id"],
            "article": row["article_id"],
            "start": row["start"],
            "end": row["end"],
            "quote": row["quote"],
            "speaker": row["speaker_id"],
            "speaker_name": row["speaker_name"],
            "addressee": row["addressee_id"],
            "addressee_name": row["addressee_name"],
            "stance": row["stance"],
            "note": row["note"],
            "conditions": conditions.get(row["id"], []),
            "annotator": row["annotator_id"],
            "annotator_username": row["annotator_username"],
            "status": row["status"],
            "gold": bool(row["is_gold"]),
            "adjudicated_from": sources.get(row["id"], []),
            "version": row["version"],
            "created_at": _time(_aware(row["created_at"]), tz),
            "updated_at": _time(_aware(row["updated_at"]), tz),
        }
        for row in page
    ]
