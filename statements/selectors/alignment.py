"""Reads for the review, agreement and adjudication workflow: the review queue, quote context,
agreement over a set of articles, and the aligned comparison of analysts' statements.

Each function documents its queries; none issues one query per row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Exists,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import Length

from statements import agreement, permissions
from statements.models import (
    AnchorState,
    Article,
    ArticleAssignment,
    Condition,
    Role,
    Statement,
    UnitDismissal,
    User,
)
from statements.permissions import AnyUser

# ---- Agreement ------------------------------------------------------------------------------


def analyst_statements(articles: QuerySet[Article] | Iterable[Article]) -> QuerySet[Statement]:
    """The analysts' own statements (never the gold ones, nor a gold awaiting its lead's
    confirmation after a text change, nor orphans: their span is not in the current text) on
    `articles`."""
    if isinstance(articles, QuerySet):
        qs = Statement.objects.filter(article__in=articles.values("pk"), is_gold=False)  # type: ignore[misc]
    else:
        qs = Statement.objects.filter(article__in=[a.pk for a in articles], is_gold=False)
    return qs.filter(gold_unconfirmed=False).exclude(anchor_state=AnchorState.ORPHAN)


def _spans_and_lengths(
    articles: QuerySet[Article], statements: QuerySet[Statement] | None
) -> tuple[list[agreement.Span], dict[int, int]]:
    """Agreement input for `articles`: three queries (statements, condition descriptions,
    article lengths), whatever the number of rows."""
    qs = statements if statements is not None else analyst_statements(articles)
    qs = qs.filter(is_gold=False, article__in=articles.values("pk"))
    rows = list(qs.values_list("pk", "annotator_id", "article_id", "start", "end", "stance", "speaker_id"))
    conditions: dict[int, list[str]] = defaultdict(list)
    for statement_id, description in Condition.objects.filter(statement__in=qs.values("pk")).values_list(
        "statement_id", "description"
    ):
        conditions[statement_id].append(description)
    spans = [
        agreement.Span(
            annotator=annotator,
            article=article,
            start=start,
            end=end,
            stance=stance,
            speaker=speaker,
            conditions=tuple(conditions.get(pk, ())),
            id=pk,
        )
        for pk, annotator, article, start, end, stance, speaker in rows
    ]
    article_ids = {s.article for s in spans}
    lengths = dict(
        Article.objects.filter(pk__in=article_ids).annotate(n=Length("text")).values_list("pk", "n")
    )
    return spans, lengths


def assigned_analysts(article_ids: Iterable[int], *, finished_only: bool = False) -> dict[int, set[int]]:
    """The analysts assigned to each of `article_ids` (only those who finished, with
    `finished_only`); an article without any is absent. One query."""
    rows = ArticleAssignment.objects.filter(article_id__in=list(article_ids))
    if finished_only:
        rows = rows.filter(finished_at__isnull=False)
    out: dict[int, set[int]] = defaultdict(set)
    for article_id, analyst_id in rows.values_list("article_id", "analyst_id"):
        out[article_id].add(analyst_id)
    return dict(out)


def agreement_for_articles(
    articles: QuerySet[Article],
    *,
    finished_only: bool = False,
    threshold: float = agreement.DEFAULT_THRESHOLD,
    statements: QuerySet[Statement] | None = None,
) -> agreement.AgreementReport:
    """Agreement over the analysts' statements on `articles` (three queries, plus one for the
    assignments with `finished_only`, which counts on each article only the analysts who
    marked it finished). `statements` narrows the statements (e.g. the API's filters)."""
    spans, lengths = _spans_and_lengths(articles, statements)
    annotators = None
    if finished_only:  # every article present: one where nobody finished counts no analyst
        finished = assigned_analysts(lengths, finished_only=True)
        annotators = {article: finished.get(article, set()) for article in lengths}
    return agreement.agreement_report(spans, lengths=lengths, annotators=annotators, threshold=threshold)


@dataclass
class AgreementPoint:
    month: str  # YYYY-MM
    articles: int
    report: agreement.AgreementReport

    @property
    def overlap_f1(self) -> float | None:
        """Mean overlap F1 over the analyst pairs (None without pairs)."""
        values = [p.overlap.f1 for p in self.report.pairs if p.overlap.f1 is not None]
        return sum(values) / len(values) if values else None


def agreement_over_time(
    articles: QuerySet[Article], *, threshold: float = agreement.DEFAULT_THRESHOLD
) -> list[AgreementPoint]:
    """Agreement per calendar month, an article counting in the month of its first analyst
    statement. Four queries in all (the three of the agreement input, and the months)."""
    spans, lengths = _spans_and_lengths(articles, None)
    month_of = {
        article_id: first.strftime("%Y-%m")
        for article_id, first in Statement.objects.filter(article_id__in=lengths, is_gold=False)
        .values_list("article_id")
        .annotate(first=Min("created_at"))
        .order_by()
    }
    by_month: dict[str, list[agreement.Span]] = defaultdict(list)
    for span in spans:
        by_month[month_of[span.article]].append(span)
    points = []
    for month in sorted(by_month):
        month_spans = by_month[month]
        month_lengths = {s.article: lengths[s.article] for s in month_spans}
        report = agreement.agreement_report(month_spans, lengths=month_lengths, threshold=threshold)
        points.append(AgreementPoint(month=month, articles=len(month_lengths), report=report))
    return points


# ---- Comparison for adjudication --------------------------------------------------------------


@dataclass
class AlignedUnit:
    """One place in the text where analysts marked something: each analyst's version (or None)."""

    start: int
    end: int
    versions: dict[int, Statement] = field(default_factory=dict)  # analyst id -> statement
    gold: Statement | None = None
    dismissal: UnitDismissal | None = None  # closed without gold (services.adjudication.unit_dismiss)

    @property
    def is_closed(self) -> bool:
        """Decided by a lead: adjudicated into gold, or dismissed."""
        return self.gold is not None or self.dismissal is not None

    @property
    def statements(self) -> list[Statement]:
        return list(self.versions.values())

    def _versions(self) -> list[agreement.Version]:
        return [
            agreement.Version(
                s.start,
                s.end,
                s.stance,
                s.speaker_id,
                s.addressee_id,
                agreement.conditions_key(c.description for c in s.conditions.all()),
            )
            for s in self.versions.values()
        ]

    def differences(self, analyst_ids: Iterable[int]) -> list[str]:
        """What the analysts disagree on (agreement.unit_differences; uses the conditions
        prefetch)."""
        complete = all(a in self.versions for a in analyst_ids)
        return agreement.unit_differences(self._versions(), complete=complete)

    def is_agreed(self, analyst_ids: Iterable[int]) -> bool:
        ids = list(analyst_ids)
        complete = all(a in self.versions for a in ids)
        return agreement.unit_is_agreed(self._versions(), analysts=len(ids), complete=complete)


@dataclass
class Comparison:
    article: Article
    analysts: list[User]
    units: list[AlignedUnit]
    assigned_only: bool = False  # the article has assignments: only its assigned analysts count

    @property
    def analyst_ids(self) -> list[int]:
        return [a.pk for a in self.analysts]

    @property
    def agreed(self) -> list[AlignedUnit]:
        return [u for u in self.units if not u.is_closed and u.is_agreed(self.analyst_ids)]

    @property
    def disagreements(self) -> list[AlignedUnit]:
        return [u for u in self.units if not u.is_agreed(self.analyst_ids)]


def compare_article(article: Article, *, threshold: float = agreement.DEFAULT_THRESHOLD) -> Comparison:
    """Each analyst's statements on `article` aligned span by span (the units of the agreement
    computation), with the gold statement adjudicated from each unit, if any. When the article
    has assignments (blind double annotation), only the assigned analysts' statements count:
    anyone else's (an earlier annotation, a lead's try) would turn every unit into a dispute.

    Queries: assignments, analyst statements (speaker, addressee, annotator joined), their
    conditions, gold statements, gold conditions, gold sources, dismissed units: seven,
    whatever the number of statements.
    """
    assigned = assigned_analysts([article.pk]).get(article.pk)
    analyst_filter = {"annotator_id__in": assigned} if assigned else {}
    statements = list(
        Statement.objects.filter(article=article, is_gold=False, gold_unconfirmed=False, **analyst_filter)
        .exclude(anchor_state=AnchorState.ORPHAN)  # issue 14: no span in the current text
        .select_related("speaker", "addressee", "annotator")
        .with_conditions()
        .order_by("start", "-end", "id")
    )
    golds = list(
        Statement.objects.filter(article=article, is_gold=True)
        .select_related("speaker", "addressee", "annotator")
        .with_conditions()
        .prefetch_related("adjudicated_from")
    )
    gold_by_source = {src.pk: g for g in golds for src in g.adjudicated_from.all()}
    dismissed_by_source = {
        link.statement_id: link.unitdismissal
        for link in UnitDismissal.statements.through.objects.filter(
            unitdismissal__article=article
        ).select_related("unitdismissal__dismissed_by")
    }
    by_id = {s.pk: s for s in statements}
    spans = [agreement.Span.from_statement(s, conditions=[]) for s in statements]
    units: list[AlignedUnit] = []
    for cluster in agreement.cluster_spans(spans, threshold=threshold):
        members = [by_id[span.id] for span in cluster]
        unit = AlignedUnit(
            start=min(s.start for s in members),
            end=max(s.end for s in members),
            versions={s.annotator_id: s for s in members},
        )
        unit.gold = next((gold_by_source[s.pk] for s in members if s.pk in gold_by_source), None)
        unit.dismissal = next(
            (dismissed_by_source[s.pk] for s in members if s.pk in dismissed_by_source), None
        )
        units.append(unit)
    units.sort(key=lambda u: (u.start, -u.end))
    analysts = sorted({s.annotator for s in statements}, key=lambda u: (str(u), u.pk))
    return Comparison(article=article, analysts=analysts, units=units, assigned_only=bool(assigned))


# ---- Feedback, history and the lead's dashboard -------------------------------------------------


@dataclass
class AgreementFilters:
    """What the agreement page is about: one article, or the articles matching the filters."""

    article_id: int | None = None
    source: str = ""
    actor_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    finished_only: bool = False
    threshold: float = agreement.DEFAULT_THRESHOLD
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_filtered(self) -> bool:
        """Whether anything narrows the corpus (the threshold does not)."""
        return bool(
            self.article_id
            or self.source
            or self.actor_id
            or self.date_from
            or self.date_to
            or self.finished_only
        )

    def articles(self, user: AnyUser, project: int | None = None) -> QuerySet[Article]:
        """The articles to compute agreement over (a lazy queryset, used as a subquery): in the
        user's projects (in `project`, when given).

        Someone annotating an article blind does not get its numbers: they would tell them
        how the others marked it. Leads see every article of their projects."""
        qs = Article.objects.filter(permissions.visible_projects_q(user, "project_id"))
        if project is not None:
            qs = qs.filter(project_id=project)
        if self.article_id is not None:
            qs = qs.filter(pk=self.article_id)
        if self.source:
            qs = qs.filter(source=self.source)
        if self.actor_id is not None:
            speaks = Statement.objects.filter(article=OuterRef("pk"), is_gold=False).filter(
                Q(speaker_id=self.actor_id) | Q(addressee_id=self.actor_id)
            )
            qs = qs.filter(Exists(speaks))
        if self.date_from:
            qs = qs.filter(published__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(published__lte=self.date_to)
        leading = permissions.project_ids_where(user, Role.LEAD)
        if leading is not None:
            qs = qs.exclude(Q(pk__in=permissions.blind_article_ids(user)) & ~Q(project_id__in=leading))
        return qs
