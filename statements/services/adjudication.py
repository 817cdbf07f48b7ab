"""Closing a unit of the compare page without a gold statement: `unit_dismiss`.

A unit (the analysts' statements at one place in the text, see selectors/alignment.py) is closed
either by making gold (`services.statement_adjudicate`) or by dismissing it with a reason, when
the lead decides that nothing there is a statement to keep. Either way its statements leave the
review queue (`Statement.objects.awaiting_review`) and the dashboard's open units.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from statements import permissions
from statements.models import Article, EventAction, Statement, StatementEvent, UnitDismissal, User

MAX_REASON = 2000


def closed_sources_error(source_ids: Sequence[int]) -> str | None:
    """Why these statements cannot be adjudicated or dismissed again, or None: one already fed a
    gold statement or sits in a dismissed unit (two small queries)."""
    golds = sorted(
        set(
            Statement.objects.filter(is_gold=True, adjudicated_from__in=source_ids).values_list(
                "pk", flat=True
            )
        )
    )
    if golds:
        return f"Already adjudicated into gold statement {', '.join(f'#{pk}' for pk in golds)}."
    if UnitDismissal.objects.filter(statements__in=source_ids).exists():
        return "This unit was already dismissed."
    return None


@transaction.atomic
def unit_dismiss(*, article: Article, user: User, sources: Sequence[Statement], reason: str) -> UnitDismissal:
    """Dismiss the unit made of `sources` (analysts' statements of `article`): no gold statement
    will come from it. The reason is required (at most 2,000 characters); each source's history
    gets a 'dismissed' entry with it. The statements themselves are kept unchanged (their
    annotators' work stays readable). Refused for non-leads, for gold statements, statements of
    another article, and statements already adjudicated or dismissed."""
    if not permissions.can_adjudicate(user, article):
        raise PermissionDenied("Only a lead can dismiss a unit.")
    source_ids = sorted({s.pk for s in sources})
    found = list(Statement.objects.select_for_update().filter(pk__in=source_ids).order_by("pk"))
    errors: dict[str, list[str]] = {}
    reason = " ".join(str(reason or "").split())
    if not reason:
        errors["reason"] = ["Say why the unit is dismissed (it is kept in the history)."]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [f"The reason may have at most {MAX_REASON:,} characters."]
    if not source_ids:
        errors["sources"] = ["Choose the unit's statements to dismiss."]
    elif len(found) != len(source_ids):
        errors["sources"] = ["Some of the chosen statements no longer exist; reload the page."]
    elif any(s.article_id != article.pk for s in found):
        errors["sources"] = ["All the statements must belong to this article."]
    elif any(s.is_gold for s in found):
        errors["sources"] = ["A gold statement is not dismissed: delete or edit it instead."]
    elif closed := closed_sources_error(source_ids):
        errors["sources"] = [closed]
    if errors:
        raise ValidationError(errors)
    dismissal = UnitDismissal.objects.create(article=article, reason=reason, dismissed_by=user)
    dismissal.statements.set(found)
    StatementEvent.objects.bulk_create(
        StatementEvent(
            statement=s,
            statement_ref=s.pk,
            article_id=article.pk,
            user=user,
            action=EventAction.DISMISSED,
            before=None,
            after={"dismissal": dismissal.pk, "reason": reason, "sources": source_ids},
        )
        for s in found
    )
    return dismissal
