"""Reads for the project pages: the projects home (each project with its progress), the project
page's articles with per-document progress, the annotate page's previous / next document, the
members and the guidelines history. Scoped to the user like every selector, fixed query counts.

Progress of a document (the one home of the rule; the project page's help text and the README
say the same):

- **yours** (someone who annotates): *done* when your assignment to it is marked finished, or,
  without an assignment, when you have statements on it and none of them awaits review or asks
  for changes; *in progress* when you have statements on it otherwise; *not started* when you
  have none.
- **the team's**: with assignments, *done* when every assigned analyst finished, *in progress*
  when someone finished or there are statements, else *not started*; without assignments,
  *done* when it has statements and none awaits review or asks for changes, *in progress* when
  some do, *not started* without statements. Counted over the statements the user may see (a
  blind analyst's "team" is what they see), so it never reveals hidden work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OrderBy,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse

from statements import permissions
from statements.models import (
    Article,
    ArticleAssignment,
    GuidelinesRevision,
    Membership,
    Project,
    Stance,
    Statement,
    Status,
)
from statements.permissions import AnyUser
from statements.selectors import catalog

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DONE = "done"
PROGRESS_CHOICES = [(NOT_STARTED, "Not started"), (IN_PROGRESS, "In progress"), (DONE, "Done")]
PROGRESS_VALUES = {value for value, _ in PROGRESS_CHOICES}

# The order of a project's documents: the project page lists them so, and the annotate page's
# previous / next follow it. Newest first, undated last, then the newest added first. Explicit
# about NULLs because PostgreSQL and SQLite sort them differently by default.
DOCUMENT_ORDER: tuple[OrderBy, OrderBy] = (F("published").desc(nulls_last=True), F("pk").desc())


def _count(rows: QuerySet[Any], group_by: str) -> Coalesce:
    """A correlated `COUNT(*)` of `rows` (filtered on an OuterRef) as an annotation, 0 for none
    (as catalog's article counts: evaluated only for the rows of a page)."""
    counted = rows.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# --------------------------------------------------------------------------------------------
# The projects home


def project_rows(user: AnyUser) -> QuerySet[Project]:
    """The user's projects by name (administrators: all), each with `n_articles`, the
    statements the user may see (`n_statements`, `n_support`, `n_caveat`, `n_demand`),
    `n_pending` (awaiting review), `n_mine` (the user's own) and `n_touched` (articles where
    the user has a statement). One query: correlated counts, however many projects."""
    statements = catalog.visible_statements(user)
    visible = statements.filter(article__project=OuterRef("pk"))
    group = "article__project"
    articles = Article.objects.filter(project=OuterRef("pk"))
    mine = visible.filter(annotator_id=user.pk)
    # (its own OuterRef: inside `articles`, "pk" is the article's)
    touched = articles.filter(Exists(statements.filter(article=OuterRef("pk"), annotator_id=user.pk)))
    return (
        catalog.visible_projects(user)
        .defer("guidelines")
        .annotate(
            n_articles=_count(articles, "project"),
            n_statements=_count(visible, group),
            n_support=_count(visible.filter(stance=Stance.SUPPORT), group),
            n_caveat=_count(visible.filter(stance=Stance.CAVEAT), group),
            n_demand=_count(visible.filter(stance=Stance.DEMAND), group),
            n_pending=_count(visible.awaiting_review(), group),
            n_mine=_count(mine, group),
            n_touched=_count(touched, "project"),
        )
        .order_by("archived", "name", "id")
    )


# --------------------------------------------------------------------------------------------
# The project page


@dataclass(slots=True)
class Document:
    """One row of the project page. `documents()` sets the user's own side (their statements,
    their progress, the assignments); `fill_documents()` the rest for the rows of one page: the
    article's list columns and the statements the user may see on it (`n_statements`, by
    stance) with the team's progress."""

    pk: int
    n_mine: int
    my_progress: str
    blind: bool  # the user sees only their own statements here
    n_assigned: int
    n_finished: int
    title: str = ""
    source: str = ""
    published: dt.date | None = None
    dateline: str = ""
    language: str = ""
    n_statements: int = 0
    n_support: int = 0
    n_caveat: int = 0
    n_demand: int = 0
    team_progress: str = NOT_STARTED

    def get_absolute_url(self) -> str:
        return reverse("article_detail", args=[self.pk])


@dataclass(frozen=True, slots=True)
class Documents:
    """The project page's documents: `rows`, those kept by the filters and the progress
    filter, in DOCUMENT_ORDER (fill_documents() completes the ones a page shows); `counts`, the
    user's progress over all of them (and "total")."""

    rows: list[Document]
    counts: dict[str, int]


def my_progress(*, n_mine: int, n_mine_open: int, assigned: bool, finished: bool) -> str:
    """The user's progress on one document (the rule in this module's docstring)."""
    if finished:
        return DONE
    if n_mine == 0:
        return NOT_STARTED
    if assigned or n_mine_open:
        return IN_PROGRESS
    return DONE


def team_progress(*, n_statements: int, n_open: int, n_assigned: int, n_finished: int) -> str:
    """The team's progress on one document, over the statements the user may see."""
    if n_assigned:  # with assignments: done when all finished, started when one did or there is work
        if n_finished == n_assigned:
            return DONE
        return IN_PROGRESS if n_finished or n_statements else NOT_STARTED
    if n_statements == 0:
        return NOT_STARTED
    return IN_PROGRESS if n_open else DONE  # without: done when none is still open


# open: waiting for a verdict, or sent back to its annotator
_OPEN_SQL = f"st.status IN ('{Status.PENDING.value}', '{Status.CHANGES_REQUESTED.value}')"


def _by(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _documents_sql(
    user: AnyUser, project: Project, filtered: QuerySet[Article] | None
) -> tuple[str, list[Any]]:
    """Every article of the project with the user's own statements on it (how many, how many
    open) and its assignments (how many, finished, the user's), each table grouped once and only
    over the rows concerned (the user's statements: an index range), so that the cost follows
    the user's work and the number of articles, not the project's statements. `filtered`: the
    articles the page's filters keep, as a subquery (a column says which rows it keeps)."""
    article, statement = Article._meta.db_table, Statement._meta.db_table
    assignment = ArticleAssignment._meta.db_table
    params: list[Any] = []
    matches = "1"
    if filtered is not None:
        try:
            sub, sub_params = filtered.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            matches = "0"
        else:
            matches = f"CASE WHEN a.id IN ({sub}) THEN 1 ELSE 0 END"
            params += sub_params
    sql = (
        f"SELECT a.id, {matches}, m.m, m.m_open, g.n_assigned, g.n_finished, g.me, g.me_finished"
        f" FROM {article} a"
        f" LEFT JOIN (SELECT st.article_id, COUNT(*) AS m, {_by(_OPEN_SQL)} AS m_open FROM {statement} st"
        f" WHERE st.annotator_id = %s AND st.article_id IN (SELECT id FROM {article} WHERE project_id = %s)"
        " GROUP BY st.article_id) m ON m.article_id = a.id"
        " LEFT JOIN (SELECT ga.article_id, COUNT(*) AS n_assigned,"
        f" {_by('ga.finished_at IS NOT NULL')} AS n_finished, {_by('ga.analyst_id = %s')} AS me,"
        f" {_by('ga.analyst_id = %s AND ga.finished_at IS NOT NULL')} AS me_finished"
        f" FROM {assignment} ga WHERE ga.article_id IN (SELECT id FROM {article} WHERE project_id = %s)"
        " GROUP BY ga.article_id) g ON g.article_id = a.id"
        f" WHERE a.project_id = %s ORDER BY {_ORDER_SQL}"
    )
    return sql, [*params, user.pk, project.pk, user.pk, user.pk, project.pk, project.pk]


def documents(
    user: AnyUser,
    project: Project,
    *,
    q: str = "",
    source: str = "",
    actor_id: int | None = None,
    progress: str = "",
) -> Documents:
    """The project page's documents (one query): every article of the project with the user's
    progress on it; the rows the page's search and filters keep (`catalog.article_rows`' rules,
    as a subquery) and, with `progress`, that progress of the user's; and the user's progress
    over all documents. fill_documents() then completes the rows a page shows."""
    filtered = None
    if q.strip() or source or actor_id is not None:
        filtered = catalog.article_rows(user, project=project.pk, q=q, source=source, actor_id=actor_id)
    sql, params = _documents_sql(user, project, filtered)
    member = permissions.role_in(user, project) is not None
    rows: list[Document] = []
    counts = {value: 0 for value in PROGRESS_VALUES}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    for pk, hit, *numbers in fetched:
        m, m_open, n_assigned, n_finished, me, me_finished = (int(x or 0) for x in numbers)
        if not member:  # no statement is visible to a non-member, not even their own
            m = m_open = 0
        mine = my_progress(n_mine=m, n_mine_open=m_open, assigned=bool(me), finished=bool(me_finished))
        counts[mine] += 1
        if hit and (progress not in PROGRESS_VALUES or mine == progress):
            rows.append(
                Document(
                    pk=pk,
                    n_mine=m,
                    my_progress=mine,
                    # on an article where the user is blind, they see only their own statements
                    blind=permissions.blind_on(user, project, assigned=bool(me), finished=bool(me_finished)),
                    n_assigned=n_assigned,
                    n_finished=n_finished,
                )
            )
    return Documents(rows, {**counts, "total": sum(counts.values())})


def fill_documents(user: AnyUser, project: Project, rows: list[Document]) -> list[Document]:
    """Complete the project page's `rows` (one page of documents(), all of one project) with the
    article's list columns and the statements the user may see on it, counted as
    `catalog.article_rows` counts them (on an article where the user is blind, only their own;
    nothing for a non-member), and the team's progress: one query, grouped over the statements
    of these articles only."""
    if not rows:
        return rows
    article, statement = Article._meta.db_table, Statement._meta.db_table
    stance = {value: f"st.stance = '{value}'" for value in (Stance.SUPPORT, Stance.CAVEAT, Stance.DEMAND)}
    mine = "st.annotator_id = %s"
    counted = ", ".join(
        [
            "COUNT(*) AS n",
            *(f"{_by(c)} AS n_{v}" for v, c in stance.items()),
            f"{_by(_OPEN_SQL)} AS n_open",
            *(f"{_by(f'{mine} AND {c}')} AS m_{v}" for v, c in stance.items()),
            f"{_by(f'{mine} AND {_OPEN_SQL}')} AS m_open",
        ]
    )
    ids = [row.pk for row in rows]
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        "SELECT a.id, a.title, a.source, a.published, a.dateline, a.language, s.n, s.n_support,"
        " s.n_caveat, s.n_demand, s.n_open, s.m_support, s.m_caveat, s.m_demand, s.m_open"
        f" FROM {article} a LEFT JOIN (SELECT st.article_id, {counted} FROM {statement} st"
        f" WHERE st.article_id IN ({marks}) GROUP BY st.article_id) s ON s.article_id = a.id"
        f" WHERE a.project_id = %s AND a.id IN ({marks})"
    )
    params = [user.pk] * 4 + ids + [project.pk] + ids
    member = permissions.role_in(user, project) is not None
    by_id = {row.pk: row for row in rows}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    for pk, title, src, published, dateline, language, *numbers in fetched:
        n, n_support, n_caveat, n_demand, n_open, m_support, m_caveat, m_demand, m_open = (
            int(x or 0) for x in numbers
        )
        row = by_id[pk]
        if not member:
            n = n_support = n_caveat = n_demand = n_open = 0
        elif row.blind:
            n, n_support, n_caveat, n_demand, n_open = row.n_mine, m_support, m_caveat, m_demand, m_open
        if isinstance(published, str):  # SQLite's raw rows: ISO text
            published = dt.date.fromisoformat(published)
        row.title, row.source, row.published, row.dateline, row.language = (
            title,
            src,
            published,
            dateline,
            language,
        )
        row.n_statements, row.n_support, row.n_caveat, row.n_demand = n, n_support, n_caveat, n_demand
        row.team_progress = team_progress(
            n_statements=n, n_open=n_open, n_assigned=row.n_assigned, n_finished=row.n_finished
        )
    return rows


# --------------------------------------------------------------------------------------------
# The annotate page: previous / next document


@dataclass(frozen=True, slots=True)
class Neighbours:
    """The documents around one article in its project (DOCUMENT_ORDER), as (pk, title)."""

    previous: Article | None
    next: Article | None
    next_untouched: Article | None  # the next one (wrapping around) with no statement of mine


def _after_sql(article: Article) -> tuple[str, list[Any]]:
    """The articles (alias a) that come after `article` in DOCUMENT_ORDER (published, newest
    first and undated last; then the higher id first)."""
    if article.published is None:
        return "(a.published IS NULL AND a.id < %s)", [article.pk]
    return (
        "(a.published < %s OR (a.published = %s AND a.id < %s) OR a.published IS NULL)",
        [article.published, article.published, article.pk],
    )


def _before_sql(article: Article) -> tuple[str, list[Any]]:
    """The articles (alias a) that come before `article` in DOCUMENT_ORDER."""
    if article.published is None:
        return "(a.published IS NOT NULL OR a.id > %s)", [article.pk]
    return "(a.published > %s OR (a.published = %s AND a.id > %s))", [
        article.published,
        article.published,
        article.pk,
    ]


_ORDER_SQL = "CASE WHEN a.published IS NULL THEN 1 ELSE 0 END, a.published DESC, a.id DESC"
_REVERSE_SQL = "CASE WHEN a.published IS NULL THEN 0 ELSE 1 END, a.published ASC, a.id ASC"


def neighbours(user: AnyUser, article: Article, *, untouched: bool = True) -> Neighbours:
    """The previous and next documents of `article`'s project in the project page's order, and
    (with `untouched`) the next one after it, wrapping around, where the user has no statement
    they may see: one hand-written query (the ORM's three cost 4-8 ms of query building for
    rows that take 0.3 ms; issue #10). `article` is one the user may read, so its project's
    articles are too."""
    table = Article._meta.db_table
    after, after_params = _after_sql(article)
    before, before_params = _before_sql(article)
    parts = [
        f"SELECT * FROM (SELECT 0 AS k, a.id, a.title FROM {table} a WHERE a.project_id = %s AND {before}"
        f" ORDER BY {_REVERSE_SQL} LIMIT 1) p",
        f"SELECT * FROM (SELECT 1 AS k, a.id, a.title FROM {table} a WHERE a.project_id = %s AND {after}"
        f" ORDER BY {_ORDER_SQL} LIMIT 1) n",
    ]
    params: list[Any] = [article.project_id, *before_params, article.project_id, *after_params]
    if untouched and permissions.role_in(user, article) is not None:
        # The user's own statements: a member sees their own in every role (the visibility
        # rule's first clause), so no visibility test per statement (which also led
        # PostgreSQL's planner to a nested loop over every article of the project).
        parts.append(
            f"SELECT * FROM (SELECT 2 AS k, a.id, a.title FROM {table} a WHERE a.project_id = %s"
            f" AND a.id <> %s AND NOT EXISTS (SELECT 1 FROM {Statement._meta.db_table} s"
            f" WHERE s.article_id = a.id AND s.annotator_id = %s)"
            f" ORDER BY CASE WHEN {after} THEN 1 ELSE 2 END, {_ORDER_SQL} LIMIT 1) u"
        )
        params += [article.project_id, article.pk, user.pk, *after_params]
    found: dict[int, Article] = {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, pk, title in cursor.fetchall():
            found[kind] = Article(pk=pk, title=title, project_id=article.project_id)
    return Neighbours(found.get(0), found.get(1), found.get(2))


# --------------------------------------------------------------------------------------------
# Members and guidelines


def members(project: Project) -> QuerySet[Membership]:
    """The project's memberships with their users (and who added them), leads first, then by
    name: one query."""
    lead_first = Case(
        When(role="lead", then=Value(0)),
        When(role="analyst", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Membership.objects.filter(project=project)
        .select_related("user", "added_by")
        .annotate(role_rank=lead_first)
        .order_by("role_rank", "user__first_name", "user__last_name", "user__username")
    )


def guideline_revisions(project: Project, *, limit: int = 100) -> list[GuidelinesRevision]:
    """The latest `limit` revisions of the project's guidelines, newest first, with their
    editors and without their text (one query)."""
    return list(
        GuidelinesRevision.objects.filter(project=project)
        .select_related("edited_by")
        .defer("body")
        .order_by("-edited_at", "-id")[:limit]
    )


def guideline_revision(project: Project, pk: int | None) -> GuidelinesRevision | None:
    """One revision of the project's guidelines (None: no such revision in this project)."""
    if pk is None:
        return None
    return GuidelinesRevision.objects.filter(project=project, pk=pk).select_related("edited_by").first()
