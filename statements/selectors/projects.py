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

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OrderBy,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

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
_REVERSE_ORDER: tuple[OrderBy, OrderBy] = (F("published").asc(nulls_first=True), F("pk").asc())


def _count(rows: QuerySet[Any], group_by: str) -> Coalesce:
    """A correlated `COUNT(*)` of `rows` (filtered on an OuterRef) as an annotation, 0 for none
    (as catalog's article counts: evaluated only for the rows of a page)."""
    counted = rows.order_by().values(group_by).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# Statements still open: waiting for a verdict, or sent back to their annotator.
_OPEN = Q(status__in=[Status.PENDING, Status.CHANGES_REQUESTED])


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


def document_rows(
    user: AnyUser,
    project: Project,
    *,
    q: str = "",
    source: str = "",
    actor_id: int | None = None,
    progress: str = "",
) -> QuerySet[Article]:
    """The project's articles as the article list shows them (`catalog.article_rows`: counts
    of visible statements by stance and the user's own), in DOCUMENT_ORDER, with
    `my_progress` and `team_progress` (NOT_STARTED, IN_PROGRESS, DONE: the rule in this
    module's docstring); `progress` keeps the rows with that progress of the user's. One query
    for the rows (and one to count them for pagination)."""
    rows = catalog.article_rows(user, project=project.pk, q=q, source=source, actor_id=actor_id)
    # the articles are the project's: the visibility rule without its per-row project test
    visible = Statement.objects.filter(permissions.visible_statements_in_project_q(user, project)).filter(
        article=OuterRef("pk")
    )
    assignments = ArticleAssignment.objects.filter(article=OuterRef("pk"))
    mine = assignments.filter(analyst_id=user.pk)
    rows = rows.annotate(
        n_mine_open=_count(visible.filter(_OPEN, annotator_id=user.pk), "article"),
        n_open=_count(visible.filter(_OPEN), "article"),
        n_assigned=_count(assignments, "article"),
        n_finished=_count(assignments.filter(finished_at__isnull=False), "article"),
        assigned_to_me=Exists(mine),
        finished_by_me=Exists(mine.filter(finished_at__isnull=False)),
    ).annotate(
        my_progress=Case(
            When(finished_by_me=True, then=Value(DONE)),
            When(n_mine=0, then=Value(NOT_STARTED)),
            When(assigned_to_me=True, then=Value(IN_PROGRESS)),
            When(n_mine_open=0, then=Value(DONE)),
            default=Value(IN_PROGRESS),
            output_field=CharField(),
        ),
        team_progress=Case(
            # with assignments: done when all finished, started when one did or there is work
            When(Q(n_assigned__gt=0, n_finished=F("n_assigned")), then=Value(DONE)),
            When(Q(n_assigned__gt=0) & Q(n_finished__gt=0), then=Value(IN_PROGRESS)),
            When(n_statements=0, then=Value(NOT_STARTED)),
            When(n_assigned__gt=0, then=Value(IN_PROGRESS)),
            # without: done when there are statements and none is still open
            When(n_open=0, then=Value(DONE)),
            default=Value(IN_PROGRESS),
            output_field=CharField(),
        ),
    )
    if progress in PROGRESS_VALUES:
        rows = rows.filter(my_progress=progress)
    return rows.order_by(*DOCUMENT_ORDER)


def project_counts(user: AnyUser, project: Project, rows: QuerySet[Article] | None = None) -> dict[str, int]:
    """The project page's summary: its articles and how many of them are done, in progress or
    not started by the user (one aggregate query over the same rule as `document_rows`).
    `rows`: the page's own unfiltered `document_rows(user, project)`, when it has them (building
    that queryset's annotations costs about as much as running it)."""
    rows = document_rows(user, project) if rows is None else rows
    counts = {value: 0 for value in PROGRESS_VALUES}
    for value in rows.order_by().values_list("my_progress", flat=True):  # type: ignore[misc]
        counts[value] += 1
    return {**counts, "total": sum(counts.values())}


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
    if untouched:
        visible, visible_params = permissions.visible_statements_sql(user)
        parts.append(
            f"SELECT * FROM (SELECT 2 AS k, a.id, a.title FROM {table} a WHERE a.project_id = %s"
            f" AND a.id <> %s AND NOT EXISTS (SELECT 1 FROM {Statement._meta.db_table} s"
            f" WHERE s.article_id = a.id AND s.annotator_id = %s AND {visible})"
            f" ORDER BY CASE WHEN {after} THEN 1 ELSE 2 END, {_ORDER_SQL} LIMIT 1) u"
        )
        params += [article.project_id, article.pk, user.pk, *visible_params, *after_params]
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
