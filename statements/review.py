"""Reads for the review, agreement and adjudication workflow: the review queue, quote context,
agreement over a set of articles, and the aligned comparison of analysts' statements.

Each function documents its queries; none issues one query per row.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import Length

from statements import agreement, permissions
from statements.models import Article, ArticleAssignment, Condition, Statement, Status, User

# A sentence ends at . ! ? (optionally followed by closing quotes/brackets) and white space,
# or at a blank line.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+|\n\s*\n")


def quote_context(text: str, start: int, end: int, *, limit: int = 400) -> tuple[str, str]:
    """The text around a quote: from the start of the sentence before the quote's sentence up
    to the quote, and from the quote to the end of the sentence after it (each side at most
    `limit` characters), so a reviewer can judge the quote in context."""
    window_lo, window_hi = max(0, start - 2 * limit), min(len(text), end + 2 * limit)
    cuts = [m.end() for m in _SENTENCE_END.finditer(text, window_lo, start)]
    lo = cuts[-2] if len(cuts) >= 2 else window_lo
    ends = _SENTENCE_END.finditer(text, max(start, end - 1), window_hi)
    first, second = next(ends, None), next(ends, None)
    hi = second.end() if second else window_hi
    if first is None:
        hi = window_hi
    before = text[max(lo, start - limit) : start]
    after = text[end : min(hi, end + limit)]
    return before, after.rstrip()


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


def agreement_for_articles(
    articles: QuerySet[Article],
    *,
    finished_only: bool = False,
    threshold: float = agreement.DEFAULT_THRESHOLD,
    statements: QuerySet[Statement] | None = None,
) -> agreement.AgreementReport:
    """Agreement over the analysts' statements on `articles` (three queries: statements,
    condition descriptions, article lengths; plus one for assignments with `finished_only`).

    With `finished_only`, each article counts only the analysts who marked it finished.
    `statements` narrows the statements further (e.g. the API's statement filters).
    """
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
    annotators = None
    if finished_only:
        annotators = defaultdict(set)
        for article_id, analyst_id in ArticleAssignment.objects.filter(
            article_id__in=article_ids, finished_at__isnull=False
        ).values_list("article_id", "analyst_id"):
            annotators[article_id].add(analyst_id)
        annotators = {a: annotators.get(a, set()) for a in article_ids}
    return agreement.agreement_report(spans, lengths=lengths, annotators=annotators, threshold=threshold)


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
    computation), with the gold statement adjudicated from each unit, if any.

    Queries: analyst statements (speaker, addressee, annotator joined), their conditions, gold
    statements, gold conditions, gold sources: five, whatever the number of statements.
    """
    condition_qs = Condition.objects.order_by("position", "id")
    statements = list(
        Statement.objects.filter(article=article, is_gold=False)
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
    return Comparison(article=article, analysts=analysts, units=units)
