"""Editing an article's text after annotation (issue 14): statements follow the text, or are flagged.

`text_edit_preview` runs the pure engine (statements/anchoring.py) over every statement and every
condition evidence of the article and says what would happen to each, writing nothing;
`text_edit_apply` does it in one transaction:

1. the article and its statements and conditions are locked (``select_for_update``);
2. the old text is kept as an `ArticleTextRevision`;
3. every anchored statement and evidence span is parked on that revision (``orphan_of``), where
   its quote is still true, so that the article trigger (migration 0009) lets the text change;
4. the text changes; each span then takes its placement in the new text, or stays an orphan on
   the revision with its old span and quote (never deleted);
5. a history entry ('reanchored') per statement whose span, quote or evidence moved: old and new
   span, method, score.

States: a span whose quote changed (a corrected typo) gets ``anchor_state = text_changed`` and the
statement returns to pending (its reviews stay) until its annotator confirms it; a gold statement
re-anchored by approximation (its quote changed, a fuzzy match) or orphaned stops being gold
(``gold_unconfirmed``) until a lead confirms it. Orphans are re-attached by choosing a new span
(`statement_reattach`, `condition_reattach`).

Mode ``"edit"`` (the app's editor) moves offsets through the diff of the two texts; ``"replace"``
(API PATCH, re-import) searches for each span by quote and context (see anchoring.py for the
algorithm and its thresholds). Who may: the article's creator or a project lead (and admins),
`permissions.can_edit_article`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Field
from django.utils import timezone

from statements import anchoring, permissions
from statements.models import (
    AnchorState,
    Article,
    ArticleTextRevision,
    Condition,
    EventAction,
    Statement,
    StatementEvent,
    Status,
    TextChange,
    User,
)
from statements.services import (
    _clean_article_fields,
    _duplicate_text_error,
    _lock_statement,
    text_sha256,
    validate_span,
)

Outcome = Literal["kept", "moved", "reanchored", "orphaned", "still_orphaned"]
OUTCOMES: tuple[Outcome, ...] = ("kept", "moved", "reanchored", "orphaned", "still_orphaned")
OUTCOME_LABELS: dict[str, str] = {
    "kept": "Kept",
    "moved": "Moved (same quote)",
    "reanchored": "Re-anchored (quote changed)",
    "orphaned": "Orphaned",
    "still_orphaned": "Already orphaned",
}
MODES = ("edit", "replace")


@dataclass(frozen=True, slots=True)
class SpanOutcome:
    """What a text change does to one statement's span (condition None) or one evidence span."""

    statement_id: int
    condition_id: int | None
    outcome: Outcome
    old_start: int
    old_end: int
    old_quote: str
    new_start: int | None
    new_end: int | None
    new_quote: str | None
    method: str
    score: float
    needs_review: bool
    ambiguous: bool
    gold: bool  # the statement is gold (or was, awaiting confirmation)

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self.outcome]

    @property
    def gold_needs_confirmation(self) -> bool:
        """A gold statement placed by approximation (quote changed, fuzzy) or orphaned."""
        return self.gold and self.condition_id is None and _approximate(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "statement": self.statement_id,
            "condition": self.condition_id,
            "outcome": self.outcome,
            "old": {"start": self.old_start, "end": self.old_end, "quote": self.old_quote},
            "new": (
                None
                if self.new_start is None
                else {"start": self.new_start, "end": self.new_end, "quote": self.new_quote}
            ),
            "method": self.method,
            "score": self.score,
            "needs_review": self.needs_review,
            "ambiguous": self.ambiguous,
            "gold_needs_confirmation": self.gold_needs_confirmation,
        }


def _approximate(o: SpanOutcome) -> bool:
    return o.outcome in ("reanchored", "orphaned", "still_orphaned") or o.method == "fuzzy"


@dataclass
class TextEditPreview:
    """The outcome of a text change for every span of the article, before (or as) it is applied."""

    article: Article
    old_text: str
    new_text: str
    mode: str
    statements: list[SpanOutcome] = field(default_factory=list)
    conditions: list[SpanOutcome] = field(default_factory=list)
    revision: ArticleTextRevision | None = None  # set once applied

    @property
    def unchanged(self) -> bool:
        return self.old_text == self.new_text

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        for o in self.statements:
            out[o.outcome] += 1
        return out

    @property
    def evidence_counts(self) -> dict[str, int]:
        out: dict[str, int] = dict.fromkeys(OUTCOMES, 0)
        for o in self.conditions:
            out[o.outcome] += 1
        return out

    def as_dict(self, visible: set[int] | None = None) -> dict[str, Any]:
        """JSON-ready; with `visible`, details only for those statements (counts cover all)."""

        def shown(o: SpanOutcome) -> bool:
            return visible is None or o.statement_id in visible

        return {
            "article": self.article.pk,
            "mode": self.mode,
            "applied": self.revision is not None,
            "revision": self.revision.pk if self.revision is not None else None,
            "text_changed": not self.unchanged,
            "counts": self.counts,
            "evidence_counts": self.evidence_counts,
            "statements": [o.as_dict() for o in self.statements if shown(o)],
            "conditions": [o.as_dict() for o in self.conditions if shown(o)],
        }


def _check_permission(user: User, article: Article) -> None:
    if not permissions.can_edit_article(user, article):
        raise PermissionDenied("Only the article's creator or a lead of its project can change its text.")


def _mode(mode: Any) -> str:
    if mode not in MODES:
        raise ValidationError({"mode": [f"The mode must be 'edit' or 'replace', not {mode!r}."]})
    return str(mode)


def _clean_text(article: Article, text: Any) -> str:
    """The new text, normalized and validated like any article text; unique in the project."""
    fields = _clean_article_fields(
        title=article.title,
        text=text,
        source=article.source,
        url=article.url,
        published=article.published,
        dateline=article.dateline,
        language=article.language,
    )
    new: str = fields["text"]
    if new != article.text:
        existing = (
            Article.objects.filter(project_id=article.project_id, text_sha256=text_sha256(new))
            .exclude(pk=article.pk)
            .first()
        )
        if existing is not None:
            raise _duplicate_text_error(existing)
    return new


def _outcome(p: anchoring.Placement, a: anchoring.Anchor) -> Outcome:
    if p.is_orphan:
        return "orphaned"
    if p.changed:
        return "reanchored"
    return "moved" if p.moved else "kept"


def _compute(
    old: str,
    new: str,
    statements: Sequence[Statement],
    conditions: Sequence[Condition],
    mode: str,
) -> tuple[list[SpanOutcome], list[SpanOutcome]]:
    gold_ids = {s.pk for s in statements if s.is_gold or s.gold_unconfirmed}
    anchors: list[anchoring.Anchor] = []
    for s in statements:
        if s.orphan_of_id is None:
            anchors.append(anchoring.Anchor(("s", s.pk), s.start, s.end, s.quote))
    for c in conditions:
        if c.evidence_orphan_of_id is None and c.evidence_start is not None and c.evidence_end is not None:
            anchors.append(anchoring.Anchor(("c", c.pk), c.evidence_start, c.evidence_end, c.evidence_quote))
    engine_mode: anchoring.Mode = "edit" if mode == "edit" else "replace"
    placements = anchoring.place(old, new, anchors, mode=engine_mode)
    placed = {p.key: (p, a) for p, a in zip(placements, anchors, strict=True)}

    def one(
        statement_id: int, condition_id: int | None, key: tuple[str, int], start: int, end: int, quote: str
    ) -> SpanOutcome:
        hit = placed.get(key)
        gold = statement_id in gold_ids
        if hit is None:  # orphaned by an earlier change: stays so until re-attached
            return SpanOutcome(
                statement_id, condition_id, "still_orphaned", start, end, quote,
                None, None, None, "orphan", 0.0, True, False, gold,
            )  # fmt: skip
        p, a = hit
        return SpanOutcome(
            statement_id, condition_id, _outcome(p, a), a.start, a.end, a.quote,
            p.start, p.end, p.quote, p.method, p.score, p.needs_review, p.ambiguous, gold,
        )  # fmt: skip

    s_out = [one(s.pk, None, ("s", s.pk), s.start, s.end, s.quote) for s in statements]
    c_out = [
        one(c.statement_id, c.pk, ("c", c.pk), c.evidence_start or 0, c.evidence_end or 0, c.evidence_quote)
        for c in conditions
    ]
    return s_out, c_out


def _spans(article: Article, *, lock: bool) -> tuple[list[Statement], list[Condition]]:
    statements = Statement.objects.filter(article=article).order_by("start", "-end", "pk")
    conditions = Condition.objects.filter(statement__article=article, evidence_start__isnull=False).order_by(
        "statement_id", "position", "pk"
    )
    if lock:
        statements = statements.select_for_update()
        conditions = conditions.select_for_update(of=("self",))
    return list(statements), list(conditions)


def text_edit_preview(*, article: Article, user: User, text: Any, mode: str = "edit") -> TextEditPreview:
    """What changing the article's text to `text` would do to each statement and evidence span.
    Nothing is written. Bad text raises ValidationError ({"text": [...]}), as the apply would."""
    _check_permission(user, article)
    mode = _mode(mode)
    new = _clean_text(article, text)
    statements, conditions = _spans(article, lock=False)
    s_out, c_out = _compute(article.text, new, statements, conditions, mode)
    return TextEditPreview(article, article.text, new, mode, s_out, c_out)


def _evidence_entry(c: Condition, o: SpanOutcome | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "condition": c.pk,
        "description": c.description,
        "start": c.evidence_start,
        "end": c.evidence_end,
        "quote": c.evidence_quote,
    }
    if o is not None:
        entry.update(outcome=o.outcome, method=o.method, score=o.score)
    return entry


def _anchor_picture(s: Statement) -> dict[str, Any]:
    return {
        "start": s.start,
        "end": s.end,
        "quote": s.quote,
        "status": s.status,
        "is_gold": s.is_gold,
        "anchor_state": s.anchor_state,
        "version": s.version,
    }


@transaction.atomic
def text_edit_apply(
    *,
    article: Article,
    user: User,
    text: Any,
    mode: str = "edit",
    base_sha256: str | None = None,
) -> TextEditPreview:
    """Change the article's text and move every statement and evidence span with it (see the
    module docstring). `base_sha256`: the digest of the text the user edited; if the text changed
    meanwhile the change is refused instead of applied to a text the user has not seen."""
    _check_permission(user, article)
    mode = _mode(mode)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if base_sha256 is not None and base_sha256 != article.text_sha256:
        raise ValidationError(
            {"text": ["Someone changed this article's text since you opened it. Reload and edit again."]}
        )
    new = _clean_text(article, text)
    statements, conditions = _spans(article, lock=True)
    old = article.text
    s_out, c_out = _compute(old, new, statements, conditions, mode)
    result = TextEditPreview(article, old, new, mode, s_out, c_out)
    if new == old:
        return result

    revision = ArticleTextRevision.objects.create(
        article=article,
        text=old,
        text_sha256=article.text_sha256,
        change=TextChange.EDIT if mode == "edit" else TextChange.REPLACE,
        changed_by=user,
        summary={"statements": result.counts, "evidence": result.evidence_counts},
    )
    # Park every anchored span on the kept old text (true there), so the text may change.
    parked = [s.pk for s in statements if s.orphan_of_id is None]
    Statement.objects.filter(pk__in=parked).update(orphan_of=revision, anchor_state=AnchorState.ORPHAN)
    parked_evidence = [c.pk for c in conditions if c.evidence_orphan_of_id is None]
    Condition.objects.filter(pk__in=parked_evidence).update(evidence_orphan_of=revision)
    article.text, article.text_sha256 = new, text_sha256(new)
    article.save(update_fields=["text", "text_sha256", "updated_at"])

    now = timezone.now()
    evidence_by_statement: dict[int, list[tuple[Condition, SpanOutcome]]] = {}
    for c, o in zip(conditions, c_out, strict=True):
        if o.outcome != "still_orphaned":
            if o.outcome == "orphaned":
                c.evidence_orphan_of = revision
            else:
                assert o.new_start is not None and o.new_end is not None and o.new_quote is not None
                c.evidence_start, c.evidence_end, c.evidence_quote = o.new_start, o.new_end, o.new_quote
                c.evidence_orphan_of = None
        evidence_by_statement.setdefault(c.statement_id, []).append((c, o))
    events: list[StatementEvent] = []
    dirty = set(parked)
    for s, o in zip(statements, s_out, strict=True):
        evidence = evidence_by_statement.get(s.pk, [])
        evidence_touched = [(c, eo) for c, eo in evidence if eo.outcome not in ("kept", "still_orphaned")]
        if o.outcome == "still_orphaned" and not evidence_touched:
            continue
        before = _anchor_picture(s)
        before["evidence"] = [
            {**e, "start": eo.old_start, "end": eo.old_end, "quote": eo.old_quote}
            for e, eo in ((_evidence_entry(c), eo) for c, eo in evidence_touched)
        ]
        # s.anchor_state is still the pre-change value (the parking was a queryset update).
        if o.outcome == "orphaned":
            s.orphan_of, s.anchor_state = revision, AnchorState.ORPHAN
        elif o.outcome != "still_orphaned":
            assert o.new_start is not None and o.new_end is not None and o.new_quote is not None
            s.start, s.end, s.quote, s.orphan_of = o.new_start, o.new_end, o.new_quote, None
            if o.outcome == "reanchored":
                s.anchor_state = AnchorState.TEXT_CHANGED
            elif s.anchor_state == AnchorState.ORPHAN:
                s.anchor_state = AnchorState.ANCHORED
        if o.gold_needs_confirmation and s.is_gold:
            s.is_gold, s.gold_unconfirmed = False, True
        if o.outcome in ("reanchored", "orphaned") and s.status != Status.PENDING:
            s.status = Status.PENDING
        if o.outcome != "kept" or evidence_touched:
            dirty.add(s.pk)
            s.version += 1
            s.updated_at = now
            after = _anchor_picture(s)
            after.update(
                outcome=o.outcome,
                method=o.method,
                score=o.score,
                change=mode,
                revision=revision.pk,
                gold_unconfirmed=s.gold_unconfirmed,
                evidence=[_evidence_entry(c, eo) for c, eo in evidence_touched],
            )
            events.append(
                StatementEvent(
                    statement=s,
                    statement_ref=s.pk,
                    article_id=article.pk,
                    user=user,
                    action=EventAction.REANCHORED,
                    before=before,
                    after=after,
                )
            )
    _write_rows(
        Statement,
        [s for s in statements if s.pk in dirty],
        ["start", "end", "quote", "orphan_of_id", "anchor_state", "status", "is_gold", "gold_unconfirmed",
         "version", "updated_at"],
    )  # fmt: skip
    ids = set(parked_evidence)
    _write_rows(
        Condition,
        [c for c in conditions if c.pk in ids],
        ["evidence_start", "evidence_end", "evidence_quote", "evidence_orphan_of_id"],
    )
    StatementEvent.objects.bulk_create(events)
    result.revision = revision
    return result


def _write_rows(model: type[Statement] | type[Condition], rows: Sequence[Any], columns: list[str]) -> None:
    """Write `columns` of `rows` (model instances) back. Django's bulk_update builds a CASE
    expression per field and row, which costs seconds in Python for 500 statements. PostgreSQL:
    one UPDATE ... FROM (VALUES ...) per 1,000 rows (one round trip); SQLite (in process, no round
    trips): one prepared UPDATE per row, as a batch (executemany). The same triggers check each row."""
    if not rows:
        return
    ops = connection.ops
    fields: list[Field[Any, Any]] = []
    for c in columns:
        f = model._meta.get_field(c.removesuffix("_id") if c.endswith("_of_id") else c)
        assert isinstance(f, Field)
        fields.append(f)
    names = [ops.quote_name(f.get_attname_column()[1] or f.name) for f in fields]
    table, pk = ops.quote_name(model._meta.db_table), ops.quote_name("id")
    params = [
        [f.get_db_prep_save(getattr(row, c), connection) for f, c in zip(fields, columns, strict=True)]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sets = ", ".join(f"{n} = %s" for n in names)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {pk} = %s", params)
            return
        casts = [f"%s::{f.db_type(connection)}" for f in fields] + ["%s::bigint"]
        row_sql = "(" + ", ".join(casts) + ")"
        sets = ", ".join(f"{n} = v.{n}" for n in names)
        for k in range(0, len(params), 1000):
            chunk = params[k : k + 1000]
            values = ", ".join([row_sql] * len(chunk))
            cursor.execute(
                f"UPDATE {table} AS t SET {sets} FROM (VALUES {values}) AS v({', '.join(names)}, {pk}) "
                f"WHERE t.{pk} = v.{pk}",
                [p for row in chunk for p in row],
            )


# --------------------------------------------------------------------------------------------
# After the change: re-attach orphans, confirm changed text, confirm gold


def _locked(statement: Statement, expected_version: int | str | None) -> Statement:
    return _lock_statement(statement, expected_version)


def _event(statement: Statement, user: User, before: dict[str, Any], after: dict[str, Any]) -> None:
    StatementEvent.objects.create(
        statement=statement,
        statement_ref=statement.pk,
        article_id=statement.article_id,
        user=user,
        action=EventAction.REANCHORED,
        before=before,
        after=after,
    )


@transaction.atomic
def statement_reattach(
    *,
    statement: Statement,
    user: User,
    start: Any,
    end: Any,
    quote: str | None = None,
    expected_version: int | str | None = None,
) -> Statement:
    """Give an orphan a span of the current text (chosen by the user). It returns to pending (its
    quote is new); a gold orphan stays unconfirmed until a lead confirms it."""
    if not permissions.can_edit_statement(user, statement):
        raise PermissionDenied("Only the statement's annotator or a lead can re-attach it.")
    statement = _locked(statement, expected_version)
    if statement.anchor_state != AnchorState.ORPHAN:
        raise ValidationError(
            {"statement": ["This statement is not an orphan: it has its place in the text."]}
        )
    s, e, q = validate_span(statement.article.text, start, end, quote)
    before = _anchor_picture(statement)
    statement.start, statement.end, statement.quote = s, e, q
    statement.orphan_of, statement.anchor_state = None, AnchorState.ANCHORED
    statement.status = Status.PENDING
    statement.version += 1
    statement.save(
        update_fields=[
            "start",
            "end",
            "quote",
            "orphan_of",
            "anchor_state",
            "status",
            "version",
            "updated_at",
        ]
    )
    _event(
        statement, user, before, {**_anchor_picture(statement), "outcome": "reattached", "method": "manual"}
    )
    return statement


@transaction.atomic
def condition_reattach(
    *,
    condition: Condition,
    user: User,
    start: Any,
    end: Any,
    quote: str | None = None,
    expected_version: int | str | None = None,
) -> Condition:
    """Give orphaned evidence a span of the current text."""
    if not permissions.can_edit_statement(user, condition.statement):
        raise PermissionDenied("Only the statement's annotator or a lead can re-attach its evidence.")
    statement = _locked(condition.statement, expected_version)
    condition = Condition.objects.select_for_update().get(pk=condition.pk, statement=statement)
    if condition.evidence_orphan_of_id is None:
        raise ValidationError({"condition": ["This evidence is not orphaned."]})
    s, e, q = validate_span(
        statement.article.text, start, end, quote,
        start_field="evidence_start", end_field="evidence_end", quote_field="evidence_quote",
    )  # fmt: skip
    before = {**_anchor_picture(statement), "evidence": [_evidence_entry(condition)]}
    condition.evidence_start, condition.evidence_end, condition.evidence_quote = s, e, q
    condition.evidence_orphan_of = None
    condition.save(update_fields=["evidence_start", "evidence_end", "evidence_quote", "evidence_orphan_of"])
    statement.version += 1
    statement.save(update_fields=["version", "updated_at"])
    after = {
        **_anchor_picture(statement),
        "outcome": "reattached",
        "method": "manual",
        "evidence": [{**_evidence_entry(condition), "outcome": "reattached", "method": "manual"}],
    }
    _event(statement, user, before, after)
    return condition


@transaction.atomic
def statement_confirm_text(
    *, statement: Statement, user: User, expected_version: int | str | None = None
) -> Statement:
    """The annotator (or a lead) confirms a statement re-anchored onto changed text."""
    if not permissions.can_edit_statement(user, statement):
        raise PermissionDenied("Only the statement's annotator or a lead can confirm it.")
    statement = _locked(statement, expected_version)
    if statement.anchor_state != AnchorState.TEXT_CHANGED:
        raise ValidationError({"statement": ["There is no text change to confirm on this statement."]})
    if statement.gold_unconfirmed:
        raise ValidationError({"statement": ["A gold statement is confirmed by a lead, as gold."]})
    before = _anchor_picture(statement)
    statement.anchor_state = AnchorState.ANCHORED
    statement.version += 1
    statement.save(update_fields=["anchor_state", "version", "updated_at"])
    _event(statement, user, before, {**_anchor_picture(statement), "outcome": "confirmed"})
    return statement


@transaction.atomic
def statement_confirm_gold(
    *, statement: Statement, user: User, expected_version: int | str | None = None
) -> Statement:
    """A lead confirms a gold statement re-anchored by approximation: it counts as gold again."""
    if not permissions.is_lead(user, statement):
        raise PermissionDenied("Only a lead of the project can confirm a gold statement.")
    statement = _locked(statement, expected_version)
    if not statement.gold_unconfirmed:
        raise ValidationError({"statement": ["This statement is not awaiting a gold confirmation."]})
    if statement.anchor_state == AnchorState.ORPHAN:
        raise ValidationError(
            {"statement": ["Re-attach the orphan to the text before confirming it as gold."]}
        )
    before = {**_anchor_picture(statement), "gold_unconfirmed": True}
    statement.is_gold, statement.gold_unconfirmed = True, False
    statement.status, statement.anchor_state = Status.ACCEPTED, AnchorState.ANCHORED
    statement.version += 1
    statement.save(
        update_fields=["is_gold", "gold_unconfirmed", "status", "anchor_state", "version", "updated_at"]
    )
    _event(
        statement,
        user,
        before,
        {**_anchor_picture(statement), "gold_unconfirmed": False, "outcome": "gold_confirmed"},
    )
    return statement
