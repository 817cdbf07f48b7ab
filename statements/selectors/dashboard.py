"""Reads for the leads' dashboard: progress per analyst, the review backlog, the articles with
open disagreements, and the corpus fingerprint the page caches on. Each says its queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Count,
    Max,
    Min,
    Q,
)

from statements import agreement
from statements.models import (
    Article,
    ArticleAssignment,
    Condition,
    Statement,
    Status,
    User,
)
from statements.selectors import alignment, catalog


@dataclass
class AnalystProgress:
    user: User
    assigned: int = 0
    finished: int = 0
    statements: int = 0
    reviewed: int = 0
    accepted: int = 0
    pending: int = 0

    @property
    def share_accepted(self) -> float | None:
        """Accepted as a share of the statements that got a verdict (None before any)."""
        return self.accepted / self.reviewed if self.reviewed else None


def analyst_progress(project: int) -> list[AnalystProgress]:
    """Per analyst of `project`: assignments (finished of assigned), statements by status. Three
    aggregate queries (users, statement counts by annotator and status, assignment counts).
    Pending counts only what still awaits review: a statement of a unit a lead closed (gold or
    dismissed) is decided, neither pending nor reviewed."""
    awaiting = Statement.objects.awaiting_review().values("pk")
    users = {u.pk: AnalystProgress(user=u) for u in catalog.annotators(project).order_by("username")}
    for annotator_id, status, n, n_awaiting in (
        Statement.objects.filter(is_gold=False, article__project_id=project)
        .values_list("annotator_id", "status")
        .annotate(n=Count("id"), n_awaiting=Count("id", filter=Q(pk__in=awaiting)))
        .order_by()
    ):
        progress = users.get(annotator_id)
        if progress is None:
            continue
        progress.statements += n
        if status == Status.PENDING:
            progress.pending += n_awaiting
        else:
            progress.reviewed += n
            if status == Status.ACCEPTED:
                progress.accepted += n
    for analyst_id, finished, n in (
        ArticleAssignment.objects.filter(article__project_id=project)
        .values_list("analyst_id")
        .annotate(finished=Count("id", filter=Q(finished_at__isnull=False)), n=Count("id"))
        .order_by()
    ):
        if analyst_id in users:
            users[analyst_id].assigned = n
            users[analyst_id].finished = finished
    return [p for p in users.values() if p.statements or p.assigned]


def corpus_fingerprint(project: int) -> str:
    """A string that changes whenever anything the corpus-wide agreement depends on changes:
    statements (created, edited, reviewed, deleted, adjudicated: count, highest id, latest
    update), conditions (count, highest id), articles (count, latest update, dismissed units) and assignments
    (count, finished count, latest finish). Four aggregate queries on indexed columns, cheap
    next to recomputing agreement over the whole corpus; pages cache on it."""
    parts = [
        Statement.objects.filter(article__project_id=project).aggregate(
            n=Count("id"), top=Max("id"), last=Max("updated_at")
        ),
        Condition.objects.filter(statement__article__project_id=project).aggregate(
            n=Count("id"), top=Max("id")
        ),
        # with the units dismissed on them (a dismissal writes no statement)
        Article.objects.filter(project_id=project).aggregate(
            n=Count("id", distinct=True),
            last=Max("updated_at"),
            n_dismissed=Count("dismissals", distinct=True),
            top_dismissal=Max("dismissals__id"),
        ),
        ArticleAssignment.objects.filter(article__project_id=project).aggregate(
            n=Count("id"), done=Count("finished_at"), last=Max("finished_at")
        ),
    ]
    raw = f"{project}|" + "|".join(",".join(str(v) for v in part.values()) for part in parts)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass
class BacklogArticle:
    article_id: int
    title: str
    pending: int
    oldest: dt.datetime


@dataclass
class Backlog:
    pending: int
    oldest: dt.datetime | None
    articles: list[BacklogArticle]


def review_backlog(project: int, *, limit: int = 10) -> Backlog:
    """Analysts' statements awaiting review (pending, never gold, not in a unit a lead closed):
    how many, since when (the oldest last change: an edit after a verdict puts a statement back
    in the queue), and the articles with the most. Two queries: the totals, and the top articles."""
    pending = Statement.objects.awaiting_review().filter(article__project_id=project)
    totals = pending.aggregate(n=Count("id"), oldest=Min("updated_at"))
    rows = (
        pending.values("article_id", "article__title")
        .annotate(n=Count("id"), oldest=Min("updated_at"))
        .order_by("-n", "oldest", "article_id")[:limit]
    )
    return Backlog(
        pending=totals["n"],
        oldest=totals["oldest"],
        articles=[
            BacklogArticle(
                article_id=r["article_id"], title=r["article__title"], pending=r["n"], oldest=r["oldest"]
            )
            for r in rows
        ],
    )


@dataclass
class DisagreementRow:
    article_id: int
    title: str
    analysts: int
    units: int
    open: int  # units that differ and have no gold statement yet
    agreed: int  # units everyone agrees on, without a gold statement yet


def open_disagreements(
    project: int, *, threshold: float = agreement.DEFAULT_THRESHOLD, limit: int = 20
) -> tuple[list[DisagreementRow], int]:
    """Articles annotated by two analysts or more that still need a lead: units that differ
    (span, stance, speaker, addressee, conditions, or someone missing; the same rule as the
    compare page) and have no gold statement. Returns the articles with the most open units
    first (at most `limit`) and how many articles need adjudication in all.

    Five queries whatever the size of the corpus: the analysts' statements, their condition
    descriptions, the statements already adjudicated into gold, the assignments, and the titles
    of the listed articles. The units come from agreement.cluster_spans, exactly as on the compare page."""
    rows = list(
        Statement.objects.filter(is_gold=False, article__project_id=project).values_list(
            "pk", "annotator_id", "article_id", "start", "end", "stance", "speaker_id", "addressee_id"
        )
    )
    conditions: dict[int, list[str]] = defaultdict(list)
    for statement_id, description in Condition.objects.filter(
        statement__is_gold=False, statement__article__project_id=project
    ).values_list("statement_id", "description"):
        conditions[statement_id].append(description)
    # closed units: adjudicated into gold, or dismissed (one query for both)
    adjudicated = set(
        Statement.objects.filter(is_gold=False, article__project_id=project)
        .unit_settled()
        .values_list("pk", flat=True)
    )
    # as on the compare page: on an article with assignments only the assigned analysts count
    assigned = alignment.assigned_analysts({row[2] for row in rows})
    analysts: dict[int, set[int]] = defaultdict(set)
    versions: dict[int, agreement.Version] = {}
    spans = []
    for pk, annotator, article, start, end, stance, speaker, addressee in rows:
        if article in assigned and annotator not in assigned[article]:
            continue
        analysts[article].add(annotator)
        versions[pk] = agreement.Version(
            start, end, stance, speaker, addressee, agreement.conditions_key(conditions.get(pk, ()))
        )
        spans.append(agreement.Span(annotator, article, start, end, stance, speaker, (), pk))
    spans = [s for s in spans if len(analysts[s.article]) > 1]
    per_article: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # units, open, agreed
    for cluster in agreement.cluster_spans(spans, threshold=threshold):
        article = cluster[0].article
        counts = per_article[article]
        counts[0] += 1
        if any(s.id in adjudicated for s in cluster):
            continue
        agreed = agreement.unit_is_agreed(
            [versions[s.id] for s in cluster],
            analysts=len(analysts[article]),
            complete=len(cluster) == len(analysts[article]),
        )
        counts[2 if agreed else 1] += 1
    needing = [a for a, c in per_article.items() if c[1] or c[2]]
    needing.sort(key=lambda a: (-per_article[a][1], -per_article[a][2], a))
    shown = needing[:limit]
    titles = dict(Article.objects.filter(pk__in=shown).values_list("pk", "title")) if shown else {}
    out = [
        DisagreementRow(
            article_id=a,
            title=titles.get(a, f"#{a}"),
            analysts=len(analysts[a]),
            units=per_article[a][0],
            open=per_article[a][1],
            agreed=per_article[a][2],
        )
        for a in shown
    ]
    return out, len(needing)
