"""History entries as the pages show them: a snapshot as labelled values, an edit as field-by-field
changes (names instead of ids, conditions as removed/added), verdicts as their outcomes. No query.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from statements.models import (
    EventAction,
    Review,
    Stance,
    StatementEvent,
    Status,
    label_of,
    verdict_outcome,
)


@dataclass
class Change:
    """One field of a history entry: before → after (None: not shown), or, for conditions,
    the ones removed and added."""

    label: str
    before: str | None = None
    after: str | None = None
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)

    @property
    def is_list(self) -> bool:
        return bool(self.removed or self.added)


@dataclass
class EventView:
    event: StatementEvent
    changes: list[Change] = field(default_factory=list)  # what an edit or a review changed
    state: list[Change] = field(default_factory=list)  # the whole statement (created, deleted)
    verdict: str = ""
    verdict_label: str = ""
    comment: str = ""
    sources: list[int] = field(default_factory=list)
    label: str = ""  # the statement, for pages listing several (the article history)
    suggestion_label: str = ""  # "accepted a suggestion (score 0.90)" (#11)

    @property
    def action_label(self) -> str:
        if self.event.action == EventAction.UPDATED:
            return "Edit undone" if (self.event.after or {}).get("undo_of") else "Edited"
        if self.event.action == EventAction.CREATED and (self.event.before or {}).get("restored_from"):
            return "Restored"  # services.undo.statement_restore
        if self.event.action == EventAction.DISMISSED:
            return "Unit dismissed"
        return self.event.get_action_display()


def _condition_text(c: dict[str, Any]) -> str:
    text = c.get("description") or ""
    quote = c.get("evidence_quote") or ""
    if quote and quote != text:
        text += f" (evidence: “{quote}”)"
    return text


def _person(snapshot: dict[str, Any], role: str) -> str:
    return snapshot.get(f"{role}_name") or ("Unknown" if role == "speaker" else "")


def _state(snapshot: dict[str, Any] | None) -> list[Change]:
    """A whole snapshot as labelled values (the fields an analyst recognises)."""
    s = snapshot or {}
    if "quote" not in s:
        return []
    out = [
        Change("Quote", after=s["quote"]),
        Change("Span", after=f"{s.get('start')}–{s.get('end')}"),
        Change("Stance", after=label_of(Stance, s.get("stance"))),
        Change("Speaker", after=_person(s, "speaker")),
        Change("Addressee", after=_person(s, "addressee")),
    ]
    conditions = [_condition_text(c) for c in s.get("conditions") or []]
    if conditions:
        out.append(Change("Conditions", added=conditions))
    if s.get("note"):
        out.append(Change("Note", after=s["note"]))
    out.append(Change("Status", after=label_of(Status, s.get("status"))))
    return out


def _diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[Change]:
    """What an edit changed, field by field, with names instead of ids and conditions compared
    as lists (removed, added; a mere reordering says so)."""
    b, a = before or {}, after or {}
    out: list[Change] = []
    if b.get("quote") != a.get("quote"):
        out.append(Change("Quote", b.get("quote") or "", a.get("quote") or ""))
    if (b.get("start"), b.get("end")) != (a.get("start"), a.get("end")):
        out.append(Change("Span", f"{b.get('start')}–{b.get('end')}", f"{a.get('start')}–{a.get('end')}"))
    if b.get("stance") != a.get("stance"):
        out.append(Change("Stance", label_of(Stance, b.get("stance")), label_of(Stance, a.get("stance"))))
    for role, label in (("speaker", "Speaker"), ("addressee", "Addressee")):
        if b.get(role) != a.get(role) or b.get(f"{role}_name") != a.get(f"{role}_name"):
            out.append(Change(label, _person(b, role), _person(a, role)))
    old = [_condition_text(c) for c in b.get("conditions") or []]
    new = [_condition_text(c) for c in a.get("conditions") or []]
    if old != new:
        removed = list((Counter(old) - Counter(new)).elements())
        added = list((Counter(new) - Counter(old)).elements())
        if removed or added:
            out.append(Change("Conditions", removed=removed, added=added))
        else:
            out.append(Change("Conditions", "; ".join(old), "; ".join(new) + " (reordered)"))
    if (b.get("note") or "") != (a.get("note") or ""):
        out.append(Change("Note", b.get("note") or "", a.get("note") or ""))
    if b.get("status") != a.get("status") and "status" in a:
        out.append(Change("Status", label_of(Status, b.get("status")), label_of(Status, a.get("status"))))
    if bool(b.get("is_gold")) != bool(a.get("is_gold")) and "is_gold" in a:
        out.append(Change("Gold", "yes" if b.get("is_gold") else "no", "yes" if a.get("is_gold") else "no"))
    return out


def _suggestion_label(provenance: Any) -> str:
    """A statement that began as a suggestion (#11): "accepted a suggestion (score 0.90)",
    "… changed before accepting"."""
    if not isinstance(provenance, dict):
        return ""
    score = provenance.get("score")
    text = "accepted a suggestion" + (f" (score {score:.2f})" if isinstance(score, (int, float)) else "")
    return text + (", changed before accepting" if provenance.get("changed") else "")


_REANCHOR_SENTENCES = {
    "moved": "The article's text changed; the quote moved with it.",
    "kept": "The article's text changed; the quote stayed in place.",
    "reanchored": "The article's text changed inside the quote: re-anchored, for its annotator to confirm.",
    "orphaned": "The article's text changed and the quote was not found: an orphan, kept with its old quote.",
    "still_orphaned": "The article's text changed again; the statement is still an orphan.",
    "reattached": "Re-attached to a new span of the current text.",
    "confirmed": "The changed text was confirmed.",
    "gold_confirmed": "Confirmed as gold by a lead after the text change.",
}


def _span(entry: dict[str, Any]) -> str:
    return f"{entry.get('start')}–{entry.get('end')}"


def _reanchored(before: dict[str, Any], after: dict[str, Any]) -> tuple[list[Change], str]:
    """A move through a text change: what changed, the method and score, and the evidence."""
    outcome = str(after.get("outcome") or "")
    changes = _diff(before, after)
    if outcome == "orphaned":
        changes = [c for c in changes if c.label not in ("Quote", "Span")]
        changes.insert(0, Change("Span", _span(before), "none in the new text (old span kept)"))
    method = after.get("method")
    if method:
        score = after.get("score")
        detail = f"{method}" + (f", score {score:.2f}" if isinstance(score, (int, float)) else "")
        changes.append(Change("Method", after=detail))
    if before.get("anchor_state") != after.get("anchor_state") and after.get("anchor_state"):
        changes.append(
            Change("Anchor", str(before.get("anchor_state") or "").replace("_", " "),
                   str(after.get("anchor_state")).replace("_", " "))
        )  # fmt: skip
    old_evidence = {e.get("condition"): e for e in before.get("evidence") or []}
    for e in after.get("evidence") or []:
        b = old_evidence.get(e.get("condition"), {})
        if e.get("outcome") == "orphaned":
            new = f"orphaned (kept with “{e.get('quote') or ''}”)"
        else:
            new = f"“{e.get('quote') or ''}” at {_span(e)} ({e.get('method')})"
        was = f"“{b['quote']}” at {_span(b)}" if b.get("quote") else ""
        changes.append(Change(f"Evidence of “{e.get('description') or ''}”", was, new))
    return changes, _REANCHOR_SENTENCES.get(outcome, "")


def describe_event(event: StatementEvent) -> EventView:
    """A history entry as the pages show it (no query)."""
    view = EventView(event=event)
    before, after = event.before or {}, event.after or {}
    if event.action in (EventAction.CREATED, EventAction.ADJUDICATED):
        view.state = _state(after)
        view.sources = list(before.get("sources") or [])
        view.suggestion_label = _suggestion_label(after.get("suggestion"))
    elif event.action == EventAction.DELETED:
        view.state = _state(before)
    elif event.action == EventAction.DISMISSED:  # services.adjudication.unit_dismiss
        view.comment = f"Reason: {after.get('reason') or ''}"
    elif event.action == EventAction.REANCHORED:  # services.text_edits (issue 14)
        view.changes, view.comment = _reanchored(before, after)
    elif event.action == EventAction.REVIEWED:
        view.verdict = after.get("verdict") or ""
        view.verdict_label = verdict_outcome(view.verdict)
        view.comment = after.get("comment") or ""
        view.changes = _diff({"status": before.get("status")}, {"status": after.get("status")})
    else:
        view.changes = _diff(before, after)
    return view


def given(reviews: Iterable[Review]) -> list[Review]:
    """Set `given` (the verdict as its outcome, "Changes requested") on each review, for the
    templates; returns them as a list."""
    out = list(reviews)
    for r in out:
        r.given = verdict_outcome(r.verdict)  # type: ignore[attr-defined]
    return out
