"""Reads for the annotate page: the article's statements as rows (speaker, addressee, annotator and
conditions joined), one statement's verdicts and discussion, the user's assignment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import F

from statements import permissions
from statements.models import (
    Actor,
    AnchorState,
    Article,
    ArticleAssignment,
    Comment,
    Condition,
    Review,
    Stance,
    Statement,
    Status,
    User,
    label_of,
    person_name,
    read_one,
)
from statements.permissions import AnyUser


def assignment_for(user: AnyUser, article: Article) -> ArticleAssignment | None:
    """`user`'s assignment to `article`, if any (one query; none for anonymous users)."""
    if not user.is_authenticated:
        return None
    # one row at most (assignment_unique_per_analyst); read by hand: every page load asks
    return read_one(ArticleAssignment, "t.article_id = %s AND t.analyst_id = %s", [article.pk, user.pk])


def statement_activity(statement_id: int) -> dict:
    """The verdicts (with reviewers) and the discussion (with authors) of one statement: two
    queries, for the side panel of the annotate page."""
    return {
        "reviews": list(
            Review.objects.filter(statement_id=statement_id)
            .select_related("reviewer")
            .annotate(current_version=F("statement__version"))
            .order_by("created_at", "id")
        ),
        "comments": list(
            Comment.objects.filter(statement_id=statement_id)
            .select_related("author")
            .order_by("created_at", "id")
        ),
    }


def is_blind(user: AnyUser, article: Article) -> bool:
    """Whether others' statements on `article` are hidden from `user` (one query, none for leads)."""
    return permissions.is_blind(user, article)


@dataclass(slots=True)
class ConditionRow:
    pk: int
    description: str
    evidence_start: int | None
    evidence_end: int | None
    evidence_quote: str
    # Orphaned evidence (issue 14): its span and quote are this old text revision's, not the
    # article's current text: never drawn (rendering.py), shown as orphaned in the list entry.
    evidence_orphan_of_id: int | None = None

    @property
    def has_evidence(self) -> bool:
        return self.evidence_start is not None


@dataclass(slots=True)
class StatementRow:
    """What the annotate page shows of one statement (highlight, list entry, panel): plain
    values, no model instances, because building thousands of those would cost more than the
    whole page."""

    pk: int
    start: int
    end: int
    quote: str
    stance: str
    status: str
    is_gold: bool
    note: str
    speaker_name: str
    addressee_name: str
    annotator_id: int
    annotator_name: str
    conditions: list[ConditionRow] = field(default_factory=list)

    @property
    def stance_label(self) -> str:
        return label_of(Stance, self.stance)

    @property
    def status_label(self) -> str:
        return label_of(Status, self.status)

    def as_statement(self, article: Article) -> Statement:
        """An unsaved stand-in with the fields permissions.can_edit_statement() reads."""
        return Statement(pk=self.pk, annotator_id=self.annotator_id, is_gold=self.is_gold, article=article)


def _page_where(article: Article, user: AnyUser, *, mine: bool, gold: bool) -> tuple[str, list[Any]]:
    """The statements (alias s) of `article` the annotate page's layer shows `user`: those they
    may see (permissions.visible_statements_in_project_sql: the visibility rule without the
    project test, which the article's project answers once), not orphaned
    (no span in the current text, issue 14), only their own with `mine`, only gold with `gold`."""
    visible, params = permissions.visible_statements_in_project_sql(user, article)
    where = f"s.article_id = %s AND s.anchor_state <> %s AND {visible}"
    params = [article.pk, AnchorState.ORPHAN, *params]
    if mine:
        where += " AND s.annotator_id = %s"
        params.append(user.pk)
    if gold:
        where += " AND s.is_gold = %s"
        params.append(True)
    return where, params


# The hand-written reads below replace ORM querysets whose building and compiling cost several
# times the query itself (issue #10: a save answered in 25 ms, most of it in three of them).
_STATEMENT, _CONDITION = Statement._meta.db_table, Condition._meta.db_table
_ACTOR, _USER = Actor._meta.db_table, User._meta.db_table


# The columns of a StatementRow (_statement_rows), as (joined, looked up): the names of the speaker,
# the addressee and the annotator come from joined tables for the page, which reads every
# statement; a save's answer, which reads a few, looks each up in a scalar subquery, because
# PostgreSQL re-plans the five-table join every time (a custom plan: 1 ms, twice the query) and
# keeps a generic plan for the lookups.
_ROW_FIELDS = (
    ("s.id", None),
    ("s.start", None),
    ('s."end"', None),
    ("s.quote", None),
    ("s.stance", None),
    ("s.status", None),
    ("s.is_gold", None),
    ("s.note", None),
    ("sp.name", f"(SELECT sp.name FROM {_ACTOR} sp WHERE sp.id = s.speaker_id)"),
    ("ad.name", f"(SELECT ad.name FROM {_ACTOR} ad WHERE ad.id = s.addressee_id)"),
    ("s.annotator_id", None),
    ("u.first_name", f"(SELECT u.first_name FROM {_USER} u WHERE u.id = s.annotator_id)"),
    ("u.last_name", f"(SELECT u.last_name FROM {_USER} u WHERE u.id = s.annotator_id)"),
    ("u.username", f"(SELECT u.username FROM {_USER} u WHERE u.id = s.annotator_id)"),
    ("c.id", None),
    ("c.description", None),
    ("c.evidence_start", None),
    ("c.evidence_end", None),
    ("c.evidence_quote", None),
    ("c.evidence_orphan_of_id", None),
)
_ROW_COLUMNS = ", ".join(joined for joined, _ in _ROW_FIELDS)
_ROW_JOINS = (
    f"{_STATEMENT} s JOIN {_USER} u ON u.id = s.annotator_id"
    f" LEFT JOIN {_ACTOR} sp ON sp.id = s.speaker_id LEFT JOIN {_ACTOR} ad ON ad.id = s.addressee_id"
    f" LEFT JOIN {_CONDITION} c ON c.statement_id = s.id"
)
_FEW_ROW_COLUMNS = ", ".join(
    f"{looked_up or joined} AS r{i}" for i, (joined, looked_up) in enumerate(_ROW_FIELDS)
)
_FEW_ROW_JOINS = f"{_STATEMENT} s LEFT JOIN {_CONDITION} c ON c.statement_id = s.id"
_ROW_ORDER = 's.start, s."end" DESC, s.id, c.position, c.id'


def _rows_where(
    article: Article,
    user: AnyUser,
    *,
    mine: bool,
    gold: bool,
    ids: Sequence[int] | None,
    regions: Sequence[tuple[int, int]] | None,
) -> tuple[str, list[Any]]:
    where, params = _page_where(article, user, mine=mine, gold=gold)
    if ids is not None:
        where += f" AND s.id IN ({', '.join(['%s'] * len(ids)) or 'NULL'})"
        params += list(ids)
    if regions is not None:
        near = []
        for a, b in regions:
            near.append(
                f'(s.start < %s AND s."end" > %s) OR s.id IN (SELECT e.statement_id FROM {_CONDITION} e'
                " WHERE e.evidence_start < %s AND e.evidence_end > %s AND e.evidence_orphan_of_id IS NULL)"
            )
            params += [b, a, b, a]
        where += f" AND ({' OR '.join(near) or '1 = 0'})"
    return where, params


def _statement_rows(found: Sequence[Sequence[Any]], offset: int = 0) -> list[StatementRow]:
    """Rows of _ROW_COLUMNS (from column `offset` on; a row whose id is NULL is skipped) as
    StatementRows, one per statement with its conditions, in the order found."""
    names: dict[int, str] = {}
    rows: dict[int, StatementRow] = {}
    for whole in found:
        values = whole[offset:] if offset else whole
        pk = values[0]
        if pk is None:
            continue
        row = rows.get(pk)
        if row is None:
            start, end, quote, stance, status, is_gold, note, speaker, addressee = values[1:10]
            annotator_id, first, last, username = values[10:14]
            if annotator_id not in names:  # once per annotator
                names[annotator_id] = person_name(first, last, username)
            row = rows[pk] = StatementRow(
                pk,
                start,
                end,
                quote,
                stance,
                status,
                bool(is_gold),
                note,
                speaker or "",
                addressee or "",
                annotator_id,
                names[annotator_id],
            )
        if values[14] is not None:
            row.conditions.append(ConditionRow(*values[14:]))
    return list(rows.values())


def article_page_rows(
    article: Article,
    user: AnyUser,
    *,
    mine: bool = False,
    gold: bool = False,
    ids: Sequence[int] | None = None,
    regions: Sequence[tuple[int, int]] | None = None,
) -> list[StatementRow]:
    """The statements of `article` that `user` may see (only their own with `mine`, only gold
    ones with `gold`, only `ids`, in that order, when given; only those whose span or a
    condition's evidence overlaps one of `regions`, code-point [start, end) ranges, when given:
    what a save redraws), in text order, with speaker, addressee, annotator and conditions, as
    plain rows: one query however many there are (a LEFT JOIN on the conditions: one row per
    condition, or one with NULLs)."""
    if ids is not None and not ids:
        return []
    where, params = _rows_where(article, user, mine=mine, gold=gold, ids=ids, regions=regions)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_ROW_COLUMNS} FROM {_ROW_JOINS} WHERE {where} ORDER BY {_ROW_ORDER}", params)
        rows = _statement_rows(cursor.fetchall())
    if ids is not None:
        by_id = {row.pk: row for row in rows}
        return [by_id[i] for i in ids if i in by_id]
    return rows


# The list's text order (start, longest first, id): the statements after (start, end, id).
_AFTER = '(s.start > %s OR (s.start = %s AND s."end" < %s) OR (s.start = %s AND s."end" = %s AND s.id > %s))'


@dataclass(slots=True)
class SavedView:
    """What the answer to a save redraws (views/annotate.py, _after_save)."""

    counts: dict[str, int]  # {stance: how many the layer shows}, stances with none left out
    rows: list[StatementRow]  # article_page_rows(regions=…)
    next_id: int | None  # the entry after the saved one in the list; None when last or not given


def saved_view(
    article: Article,
    user: AnyUser,
    *,
    regions: Sequence[tuple[int, int]],
    saved: tuple[int, int, int] | None,
    mine: bool = False,
    gold: bool = False,
) -> SavedView:
    """What the answer to a save redraws, in one query: how many statements of each stance the
    layer shows (the legend and the list heading, without reading every row), the statements
    overlapping `regions` (article_page_rows(regions=…)) and the id of the statement after the
    `saved` one ((start, end, id); None after a delete) in the list's text order, where its
    entry goes. Each is a derived table on the same layer rule, joined to the one-row counts: a
    save waits for one round trip instead of three. Stances are the model's (a check constraint
    keeps the column to them)."""
    where, params = _page_where(article, user, mine=mine, gold=gold)
    stances = list(Stance.values)
    counts = ", ".join(f"COUNT(CASE WHEN s.stance = %s THEN 1 END) AS n{i}" for i in range(len(stances)))
    sql = f"SELECT k.*, nx.id, r.* FROM (SELECT {counts} FROM {_STATEMENT} s WHERE {where}) k"
    all_params: list[Any] = [*stances, *params]
    if saved is not None:
        start, end, pk = saved
        sql += (
            f" LEFT JOIN (SELECT s.id FROM {_STATEMENT} s WHERE {where} AND {_AFTER}"
            ' ORDER BY s.start, s."end" DESC, s.id LIMIT 1) nx ON 1 = 1'
        )
        all_params += [*params, start, start, end, start, end, pk]
    else:
        sql += " LEFT JOIN (SELECT NULL AS id) nx ON 1 = 1"
    rows_where, rows_params = _rows_where(article, user, mine=mine, gold=gold, ids=None, regions=regions)
    order = "r.r1, r.r2 DESC, r.r0, r.r20, r.r14"  # _ROW_ORDER on the derived table's names
    sql += (
        f" LEFT JOIN (SELECT {_FEW_ROW_COLUMNS}, c.position AS r20 FROM {_FEW_ROW_JOINS}"
        f" WHERE {rows_where}) r ON 1 = 1 ORDER BY {order}"
    )
    all_params += rows_params
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        found = cursor.fetchall()
    n = len(stances)
    first = found[0]
    return SavedView(
        counts={stance: first[i] for i, stance in enumerate(stances) if first[i]},
        rows=_statement_rows([values[: n + 1 + 20] for values in found], offset=n + 1),
        next_id=first[n] if saved is not None else None,
    )


def stored_version(pk: int) -> tuple[Statement, str]:
    """A statement as stored now (speaker, addressee, conditions), and who changed it last:
    the other side of a version conflict on the edit form. Three queries."""
    stored = (
        Statement.objects.select_related("speaker", "addressee").prefetch_related("conditions").get(pk=pk)
    )
    last = stored.events.order_by("-id").select_related("user").first()
    return stored, str(last.user) if last is not None else ""


def statement_row(statement: Statement) -> StatementRow:
    """The row of one statement already loaded with its speaker, addressee, annotator and
    conditions (no query)."""
    return StatementRow(
        statement.pk,
        statement.start,
        statement.end,
        statement.quote,
        statement.stance,
        statement.status,
        statement.is_gold,
        statement.note,
        statement.speaker.name if statement.speaker else "",
        statement.addressee.name if statement.addressee else "",
        statement.annotator_id,
        str(statement.annotator),
        [
            ConditionRow(
                c.pk,
                c.description,
                c.evidence_start,
                c.evidence_end,
                c.evidence_quote,
                c.evidence_orphan_of_id,
            )
            for c in statement.conditions.all()
        ],
    )
