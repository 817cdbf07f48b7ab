"""Reads for the review, agreement and adjudication workflow: the review queue, quote context,
agreement over a set of articles, and the aligned comparison of analysts' statements.

Each function documents its queries; none issues one query per row.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Length

from statements import agreement, permissions
from statements.models import (
    Article,
    ArticleAssignment,
    Comment,
    Condition,
    Review,
    Role,
    Statement,
    Status,
    User,
)

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) and white space,
# or at a blank line.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+|\n\s*\n")


def quote_context(text: str, start: int, end: int, *, limit: int = 400) -> tuple[str, str]:
    """The text around a quote: from the start of the sentence before the quote's sentence up
    to the quote, and from the quote to the end of the sentence after it (each side at most
    `limit` characters, cut on a word boundary and marked with "…" where a sentence is cut), so
    a reviewer can judge the quote in context."""
    window_lo, window_hi = max(0, start - 2 * limit), min(len(text), end + 2 * limit)
    cuts = [m.end() for m in _SENTENCE_END.finditer(text, window_lo, start)]
    lo = cuts[-2] if len(cuts) >= 2 else window_lo
    ends = _SENTENCE_END.finditer(text, max(start, end - 1), window_hi)
    first, second = next(ends, None), next(ends, None)
    hi = second.end() if second else window_hi
    if first is None:
        hi = window_hi
    cut_lo, cut_hi = max(lo, start - limit), min(hi, end + limit)
    before, after = text[cut_lo:start], text[end:cut_hi].rstrip()
    # Cut inside a sentence: start and end on a word boundary, and say that text is missing.
    if cut_lo > lo:
        space = before.find(" ")
        before = "…" + (before[space + 1 :] if 0 <= space < len(before) - 1 else before)
    if cut_hi < hi:
        space = after.rfind(" ")
        after = (after[:space] if space > 0 else after) + "…"
    return before, after


def review_queue(user: User, *, filters: dict | None = None) -> QuerySet[Statement]:
    """Other people's statements awaiting review that `user` may see, oldest first.

    Awaiting review means pending (new, or edited after a verdict). Gold statements are never
    in the queue. `filters` may hold article, annotator, speaker (ids) and stance.
    One query for the page of statements (article, speaker, addressee, annotator joined) and one
    prefetch for their conditions.
    """
    qs = (
        Statement.objects.filter(status=Status.PENDING, is_gold=False)
        .exclude(annotator_id=user.pk)
        .filter(permissions.visible_statements_q(user))
        .select_related("article", "speaker", "addressee", "annotator")
        .prefetch_related(Prefetch("conditions", queryset=Condition.objects.order_by("position", "id")))
        .order_by("created_at", "id")
    )
    for key in ("article", "annotator", "speaker"):
        value = (filters or {}).get(key)
        if value:
            qs = qs.filter(**{f"{key}_id": value})
    stance = (filters or {}).get("stance")
    if stance:
        qs = qs.filter(stance=stance)
    return qs


# ---- Agreement ------------------------------------------------------------------------------


def analyst_statements(articles: QuerySet[Article] | Iterable[Article]) -> QuerySet[Statement]:
    """The analysts' own statements (never the gold ones) on `articles`."""
    if isinstance(articles, QuerySet):
        return Statement.objects.filter(article__in=articles.values("pk"), is_gold=False)
    return Statement.objects.filter(article__in=[a.pk for a in articles], is_gold=False)


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

    @property
    def statements(self) -> list[Statement]:
        return list(self.versions.values())

    def differences(self, analyst_ids: Iterable[int]) -> list[str]:
        """What the analysts disagree on: 'missing', 'span', 'stance', 'speaker', 'addressee',
        'conditions'. Empty when everyone marked the same thing."""
        ids = list(analyst_ids)
        out: list[str] = []
        if any(a not in self.versions for a in ids):
            out.append("missing")
        versions = self.statements
        if len({(s.start, s.end) for s in versions}) > 1:
            out.append("span")
        if len({s.stance for s in versions}) > 1:
            out.append("stance")
        if len({s.speaker_id for s in versions}) > 1:
            out.append("speaker")
        if len({s.addressee_id for s in versions}) > 1:
            out.append("addressee")
        if len({_condition_key(s) for s in versions}) > 1:
            out.append("conditions")
        return out

    def is_agreed(self, analyst_ids: Iterable[int]) -> bool:
        ids = list(analyst_ids)
        return len(ids) >= 2 and not self.differences(ids)


def _condition_key(statement: Statement) -> frozenset[str]:
    return frozenset(" ".join(c.description.split()).casefold() for c in statement.conditions.all())


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
        return [u for u in self.units if u.gold is None and u.is_agreed(self.analyst_ids)]

    @property
    def disagreements(self) -> list[AlignedUnit]:
        return [u for u in self.units if not u.is_agreed(self.analyst_ids)]


def compare_article(article: Article, *, threshold: float = agreement.DEFAULT_THRESHOLD) -> Comparison:
    """Each analyst's statements on `article` aligned span by span (the units of the agreement
    computation), with the gold statement adjudicated from each unit, if any. When the article
    has assignments (blind double annotation), only the assigned analysts' statements count:
    anyone else's (an earlier annotation, a lead's try) would turn every unit into a dispute.

    Queries: assignments, analyst statements (speaker, addressee, annotator joined), their
    conditions, gold statements, gold conditions, gold sources: six, whatever the number of
    statements.
    """
    condition_qs = Condition.objects.order_by("position", "id")
    assigned = assigned_analysts([article.pk]).get(article.pk)
    analyst_filter = {"annotator_id__in": assigned} if assigned else {}
    statements = list(
        Statement.objects.filter(article=article, is_gold=False, **analyst_filter)
        .select_related("speaker", "addressee", "annotator")
        .prefetch_related(Prefetch("conditions", queryset=condition_qs))
        .order_by("start", "-end", "id")
    )
    golds = list(
        Statement.objects.filter(article=article, is_gold=True)
        .select_related("speaker", "addressee", "annotator")
        .prefetch_related(Prefetch("conditions", queryset=condition_qs), "adjudicated_from")
    )
    gold_by_source = {src.pk: g for g in golds for src in g.adjudicated_from.all()}
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
        units.append(unit)
    units.sort(key=lambda u: (u.start, -u.end))
    analysts = sorted({s.annotator for s in statements}, key=lambda u: (str(u), u.pk))
    return Comparison(article=article, analysts=analysts, units=units, assigned_only=bool(assigned))


# ---- Feedback, history and the lead's dashboard -------------------------------------------------


def feedback_for(user: User) -> QuerySet[Statement]:
    """`user`'s own statements that someone reviewed or commented on, latest activity first.

    Queries: the statements (article, speaker joined), then prefetches of their reviews (with
    reviewer) and comments (with author): three, whatever the number of rows.
    """
    reviewed = Review.objects.filter(statement=OuterRef("pk"))
    commented = Comment.objects.filter(statement=OuterRef("pk")).exclude(author=user)
    return (
        Statement.objects.filter(annotator=user)
        .filter(Exists(reviewed) | Exists(commented))
        .annotate(last_review=Max("reviews__created_at"), last_comment=Max("comments__created_at"))
        .select_related("article", "speaker", "addressee")
        .prefetch_related(
            Prefetch("reviews", queryset=Review.objects.select_related("reviewer").order_by("created_at")),
            Prefetch("comments", queryset=Comment.objects.select_related("author").order_by("created_at")),
        )
        .order_by("-updated_at", "-id")
    )


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


def analyst_progress() -> list[AnalystProgress]:
    """Per analyst: assignments (finished of assigned), statements by status. Three aggregate
    queries (users, statement counts by annotator and status, assignment counts)."""
    users = {
        u.pk: AnalystProgress(user=u)
        for u in User.objects.filter(is_active=True, role__in=[Role.ANALYST, Role.LEAD]).order_by("username")
    }
    for annotator_id, status, n in (
        Statement.objects.filter(is_gold=False)
        .values_list("annotator_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        progress = users.get(annotator_id)
        if progress is None:
            continue
        progress.statements += n
        if status == Status.PENDING:
            progress.pending += n
        else:
            progress.reviewed += n
            if status == Status.ACCEPTED:
                progress.accepted += n
    for analyst_id, finished, n in (
        ArticleAssignment.objects.values_list("analyst_id")
        .annotate(finished=Count("id", filter=Q(finished_at__isnull=False)), n=Count("id"))
        .order_by()
    ):
        if analyst_id in users:
            users[analyst_id].assigned = n
            users[analyst_id].finished = finished
    return [p for p in users.values() if p.statements or p.assigned]


def corpus_fingerprint() -> str:
    """A string that changes whenever anything the corpus-wide agreement depends on changes:
    statements (created, edited, reviewed, deleted, adjudicated: count, highest id, latest
    update), conditions (count, highest id), articles (count, latest update) and assignments
    (count, finished count, latest finish). Four aggregate queries on indexed columns, cheap
    next to recomputing agreement over the whole corpus; pages cache on it."""
    parts = [
        Statement.objects.aggregate(n=Count("id"), top=Max("id"), last=Max("updated_at")),
        Condition.objects.aggregate(n=Count("id"), top=Max("id")),
        Article.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        ArticleAssignment.objects.aggregate(
            n=Count("id"), done=Count("finished_at"), last=Max("finished_at")
        ),
    ]
    raw = "|".join(",".join(str(v) for v in part.values()) for part in parts)
    return hashlib.sha256(raw.encode()).hexdigest()[:32]
