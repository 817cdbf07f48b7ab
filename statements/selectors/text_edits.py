"""Reads for editing an article's text (issue 14): what waits after a text change (orphans, changed
text to confirm, gold to confirm), scoped to the user, fixed query counts; and the matches of a
quote in the current text, for re-attaching an orphan."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from statements import permissions
from statements.models import AnchorState, Article, Condition, Statement
from statements.permissions import AnyUser
from statements.selectors import catalog

CONTEXT = 40  # characters shown either side of a match
MAX_MATCHES = 20
QUEUE_LIMIT = 50

_ISSUE = Q(anchor_state__in=[AnchorState.ORPHAN, AnchorState.TEXT_CHANGED]) | Q(gold_unconfirmed=True)


@dataclass
class AnchorIssues:
    """What a text change left for people to decide, as one user may see it."""

    orphans: list[Statement] = field(default_factory=list)
    text_changed: list[Statement] = field(default_factory=list)
    gold_unconfirmed: list[Statement] = field(default_factory=list)
    orphaned_evidence: list[Condition] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (
            len(self.orphans)
            + len(self.text_changed)
            + len(self.gold_unconfirmed)
            + len(self.orphaned_evidence)
        )


def _split(statements: list[Statement], conditions: list[Condition]) -> AnchorIssues:
    out = AnchorIssues(orphaned_evidence=conditions)
    for s in statements:
        if s.anchor_state == AnchorState.ORPHAN:
            out.orphans.append(s)
        elif s.gold_unconfirmed:
            out.gold_unconfirmed.append(s)
        elif s.anchor_state == AnchorState.TEXT_CHANGED:
            out.text_changed.append(s)
    return out


def article_anchor_issues(user: AnyUser, article: Article) -> AnchorIssues:
    """The article's statements (visible to `user`) that a text change left to decide. 2 queries."""
    visible = catalog.visible_statements(user).filter(article=article)
    statements = list(visible.filter(_ISSUE).select_related("annotator").order_by("start", "pk"))
    conditions = list(
        Condition.objects.filter(statement__in=visible, evidence_orphan_of__isnull=False)
        .select_related("statement")
        .order_by("statement_id", "position", "pk")
    )
    return _split(statements, conditions)


def queue_anchor_issues(user: AnyUser, project: int | None = None) -> AnchorIssues:
    """The same across the user's projects (or one), for the review queue: at most QUEUE_LIMIT of
    each kind, newest first. 2 queries."""
    visible = catalog.visible_statements(user, project)
    statements = list(
        visible.filter(_ISSUE)
        .select_related("article", "annotator")
        .order_by("-updated_at", "-pk")[: QUEUE_LIMIT * 3]
    )
    conditions = list(
        Condition.objects.filter(statement__in=visible, evidence_orphan_of__isnull=False)
        .select_related("statement", "statement__article")
        .order_by("-statement__updated_at", "pk")[:QUEUE_LIMIT]
    )
    return _split(statements, conditions)


def anchor_issue_count(user: AnyUser, project: int | None = None) -> int:
    """How many statements a text change left to decide (for a badge). 1 query."""
    return catalog.visible_statements(user, project).filter(_ISSUE).count()


@dataclass(frozen=True)
class QuoteMatch:
    start: int
    end: int
    quote: str
    before: str
    after: str


def quote_matches(text: str, query: str, *, limit: int = MAX_MATCHES) -> list[QuoteMatch]:
    """Where `query` occurs in `text` (exactly; else ignoring case), with some context. No query.
    White space around the query is ignored."""
    q = query.strip()
    if not q:
        return []
    hay, needle = text, q
    if q not in text:
        hay, needle = text.casefold(), q.casefold()
        if len(hay) != len(text):  # casefold changed lengths (ß -> ss): offsets would not hold
            hay, needle = text.lower(), q.lower()
            if len(hay) != len(text):
                return []
    out: list[QuoteMatch] = []
    p = hay.find(needle)
    while p != -1 and len(out) < limit:
        end = p + len(needle)
        out.append(QuoteMatch(p, end, text[p:end], text[max(0, p - CONTEXT) : p], text[end : end + CONTEXT]))
        p = hay.find(needle, p + 1)
    return out


def can_confirm_gold(user: AnyUser, statement: Statement) -> bool:
    return statement.gold_unconfirmed and permissions.is_lead(user, statement)
