"""Undo: bring a deleted statement back, or take back its last edit, from the history.

`statement_restore` re-creates a deleted statement from its 'deleted' history entry with the
same id, its conditions, its verdicts and its discussion (statement_delete keeps them in that
entry, under `kept`, because the database deletes them with the statement) and its links to gold
statements and dismissed units. `statement_undo` puts back the state before the statement's
latest edit. Both refuse when something happened since (someone else's edit or verdict, the
article's text changed under the quote), so an undo never overwrites anyone's work, and both
are recorded in the history like any other write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from statements import permissions
from statements.models import (
    Actor,
    Article,
    Comment,
    Condition,
    EventAction,
    Review,
    Statement,
    StatementEvent,
    UnitDismissal,
    User,
)


def kept_with_deletion(statement: Statement) -> dict[str, Any]:
    """What the database deletes with a statement and `statement_restore` needs back: its
    annotator and creation time, its verdicts and comments (ids, authors, times), and its links
    to gold statements and dismissed units. statement_delete stores it in the history entry."""
    return {
        "annotator": statement.annotator_id,
        "created_at": statement.created_at.isoformat(),
        "reviews": [
            {
                "id": r.pk,
                "reviewer": r.reviewer_id,
                "verdict": r.verdict,
                "comment": r.comment,
                "statement_version": r.statement_version,
                "created_at": r.created_at.isoformat(),
            }
            for r in statement.reviews.order_by("created_at", "id")
        ],
        "comments": [
            {"id": c.pk, "author": c.author_id, "body": c.body, "created_at": c.created_at.isoformat()}
            for c in statement.comments.order_by("created_at", "id")
        ],
        "adjudicated_from": sorted(statement.adjudicated_from.values_list("pk", flat=True)),
        "gold_versions": sorted(statement.gold_versions.values_list("pk", flat=True)),
        "dismissals": sorted(statement.dismissals.values_list("pk", flat=True)),
    }


def last_event(ref: int) -> StatementEvent | None:
    """The latest history entry of statement `ref` (deleted or not), or None."""
    return StatementEvent.objects.filter(statement_ref=ref).order_by("-created_at", "-id").first()


def undoable_edit(statement: Statement, user: User) -> StatementEvent | None:
    """The edit `user` may take back on `statement`: its latest history entry, if that is an
    edit by `user` that is not itself an undo. None otherwise."""
    event = last_event(statement.pk)
    if event is None or event.action != EventAction.UPDATED or event.user_id != user.pk:
        return None
    if (event.after or {}).get("undo_of") or not (event.before or {}).get("quote"):
        return None
    return event


@transaction.atomic
def statement_restore(*, ref: int, user: User, event: int | None = None) -> Statement:
    """Bring back the deleted statement `ref` exactly as it was deleted, with the same id.

    Allowed to whoever could edit it (its annotator, a lead of the project). Refused when it
    is not deleted, when `event` is given and is not its deletion (a stale Undo button), when
    the article's text changed under the quote, or when its speaker or addressee is gone.
    Verdicts and comments come back with their ids, authors and times; so do the links to the
    gold statements made from it (or the sources of a gold one) and to dismissed units, where
    those still exist. The history gets a 'created' entry marked as a restore."""
    deletion = last_event(ref)
    if deletion is None:
        raise ValidationError({"statement": ["There is no such statement to restore."]})
    if deletion.action != EventAction.DELETED or Statement.objects.filter(pk=ref).exists():
        raise ValidationError({"statement": ["This statement is not deleted: nothing to restore."]})
    if event is not None and event != deletion.pk:
        raise ValidationError({"statement": ["The statement changed since; reload the page."]})
    before: dict[str, Any] = deletion.before or {}
    kept: dict[str, Any] = before.get("kept") or {}
    article = Article.objects.select_for_update().select_related("project").get(pk=deletion.article_id)
    annotator_id = kept.get("annotator")
    if annotator_id is None:  # a deletion recorded before `kept` existed: the creator is the annotator
        created = StatementEvent.objects.filter(
            statement_ref=ref, action__in=[EventAction.CREATED, EventAction.ADJUDICATED]
        ).first()
        annotator_id = created.user_id if created else deletion.user_id
    stand_in = Statement(article=article, annotator_id=annotator_id, is_gold=bool(before.get("is_gold")))
    if not permissions.can_edit_statement(user, stand_in):
        raise PermissionDenied("You can only restore your own statements.")
    start, end, quote = before.get("start"), before.get("end"), before.get("quote")
    if not isinstance(start, int) or not isinstance(end, int) or article.text[start:end] != quote:
        raise ValidationError(
            {"statement": ["The article's text changed since the deletion; the statement cannot come back."]}
        )
    people = {p for p in (before.get("speaker"), before.get("addressee")) if isinstance(p, int)}
    if len(Actor.objects.filter(pk__in=people)) != len(people):
        raise ValidationError({"statement": ["Its speaker or addressee no longer exists."]})
    statement = Statement.objects.create(
        pk=ref,
        article=article,
        annotator_id=annotator_id,
        start=start,
        end=end,
        quote=quote,
        speaker_id=before.get("speaker"),
        addressee_id=before.get("addressee"),
        stance=str(before.get("stance") or ""),
        note=before.get("note") or "",
        status=before.get("status") or "pending",
        is_gold=bool(before.get("is_gold")),
        version=int(before.get("version") or 1) + 1,  # a form still open on it is stale
    )
    if kept.get("created_at"):
        Statement.objects.filter(pk=ref).update(created_at=dt.datetime.fromisoformat(kept["created_at"]))
    conditions = [
        Condition(
            statement=statement,
            position=i,
            description=c["description"],
            evidence_start=c.get("evidence_start"),
            evidence_end=c.get("evidence_end"),
            evidence_quote=c.get("evidence_quote") or "",
        )
        for i, c in enumerate(before.get("conditions") or [])
    ]
    Condition.objects.bulk_create(conditions)
    _restore_rows(
        Review,
        [
            Review(
                pk=r["id"],
                statement=statement,
                reviewer_id=r["reviewer"],
                verdict=r["verdict"],
                comment=r.get("comment") or "",
                statement_version=r.get("statement_version") or 1,
            )
            for r in kept.get("reviews") or []
        ],
        kept.get("reviews") or [],
    )
    _restore_rows(
        Comment,
        [
            Comment(pk=c["id"], statement=statement, author_id=c["author"], body=c["body"])
            for c in kept.get("comments") or []
        ],
        kept.get("comments") or [],
    )
    if kept.get("adjudicated_from"):
        statement.adjudicated_from.set(
            Statement.objects.filter(pk__in=kept["adjudicated_from"], is_gold=False)
        )
    for gold in Statement.objects.filter(pk__in=kept.get("gold_versions") or [], is_gold=True):
        gold.adjudicated_from.add(statement)
    for dismissal in UnitDismissal.objects.filter(pk__in=kept.get("dismissals") or []):
        dismissal.statements.add(statement)
    from statements.services import statement_snapshot  # the core imports this module lazily too

    StatementEvent.objects.create(
        statement=statement,
        statement_ref=ref,
        article=article,
        user=user,
        action=EventAction.CREATED,
        before={"restored_from": deletion.pk},
        after=statement_snapshot(statement, conditions),
    )
    return statement


def _restore_rows(model: type[Review] | type[Comment], rows: list[Any], saved: list[dict[str, Any]]) -> None:
    """Insert `rows` with their old ids, then put back their creation times (auto_now_add sets
    'now' on insert; bulk_update keeps what it is given)."""

    def who(row: Any) -> int:
        return int(getattr(row, "reviewer_id", None) or getattr(row, "author_id", None) or 0)

    # a reviewer's or author's account may have been removed since the deletion
    present = set(User.objects.filter(pk__in={who(r) for r in rows}).values_list("pk", flat=True))
    rows = [r for r in rows if who(r) in present]
    if not rows:
        return
    model.objects.bulk_create(rows)
    times = {d["id"]: dt.datetime.fromisoformat(d["created_at"]) for d in saved if d.get("created_at")}
    for r in rows:
        if r.pk in times:
            r.created_at = times[r.pk]
    model.objects.bulk_update(rows, ["created_at"])


@transaction.atomic
def statement_undo(*, statement: Statement, user: User, event: int | None = None) -> Statement:
    """Take back the latest edit of `statement` (span, stance, speaker, addressee, note,
    conditions, and the review status the edit reset), if `user` made it and nothing happened
    since. `event`, when given, must be that edit (an Undo button for an older one is stale).
    Recorded as an edit whose history entry says what it undid (`undo_of`)."""
    if not permissions.can_edit_statement(user, statement):
        raise PermissionDenied("You can only change your own statements.")
    locked = Statement.objects.select_for_update(of=("self",)).select_related("article").get(pk=statement.pk)
    edit = undoable_edit(locked, user)
    if edit is None or (event is not None and edit.pk != event):
        raise ValidationError(
            {
                "statement": [
                    "Nothing to undo: the statement changed since your edit, or it was undone already."
                ]
            }
        )
    before: dict[str, Any] = edit.before or {}
    from statements.services import statement_update  # the core imports this module lazily too

    updated = statement_update(
        statement=locked,
        user=user,
        expected_version=locked.version,
        start=before.get("start"),
        end=before.get("end"),
        quote=before.get("quote"),
        stance=before.get("stance"),
        speaker=before.get("speaker"),
        addressee=before.get("addressee"),
        note=before.get("note") or "",
        conditions=before.get("conditions") or [],
    )
    record = last_event(updated.pk)
    if record is None or record.pk == edit.pk:  # the values were equal: nothing was written
        raise ValidationError({"statement": ["Nothing to undo: the statement is as it was before the edit."]})
    status = before.get("status")
    if status and status != updated.status and not updated.is_gold:
        Statement.objects.filter(pk=updated.pk).update(status=status)
        updated.status = status
        record.after = {**(record.after or {}), "status": status}
    record.after = {**(record.after or {}), "undo_of": edit.pk}
    record.save(update_fields=["after"])
    return updated
