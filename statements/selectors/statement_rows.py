"""Statements for the API as rows, not model instances: a page of 100 (or `?article=`'s ~50)
costs three queries (the statements with their speaker, addressee and annotator joined; their
conditions; the sources of the gold ones) and no model construction, queryset cloning or related
managers per statement, which took most of the time of a list (issue #15's profile). The dicts
are exactly what StatementSerializer renders from an instance (a test compares them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from statements.models import Actor, Condition, Statement, User

COLUMNS = (
    "id",
    "article_id",
    "start",
    "end",
    "quote",
    "speaker_id",
    "speaker_name",
    "addressee_id",
    "addressee_name",
    "stance",
    "note",
    "annotator_id",
    "annotator_username",
    "status",
    "is_gold",
    "version",
    "created_at",
    "updated_at",
)
_CONDITION_COLUMNS = (
    "statement_id",
    "id",
    "description",
    "evidence_start",
    "evidence_end",
    "evidence_quote",
    "position",
)


def rows(queryset: QuerySet[Statement]) -> QuerySet[Statement, dict[str, Any]]:
    """The statements of `queryset` (already scoped and filtered) as the rows `render` takes; one
    query when evaluated (a paginator may slice it first)."""

    # The names as correlated subqueries, not joins: evaluated for the rows of the page only, and
    # without a join on the users SQLite's planner would not walk the annotator index and sort
    # every statement before the LIMIT (500 ms instead of 1 on 100,000 statements).
    def name(model: type[Actor] | type[User], column: str, field: str) -> Subquery:
        return Subquery(model.objects.filter(pk=OuterRef(column)).values(field)[:1])

    return queryset.annotate(
        speaker_name=name(Actor, "speaker_id", "name"),
        addressee_name=name(Actor, "addressee_id", "name"),
        annotator_username=name(User, "annotator_id", "username"),
    ).values(*COLUMNS)


def _source_order(field: Any) -> str:
    """A Statement.Meta.ordering field, as seen from the gold-sources table."""
    name = str(field)
    return f"-to_statement__{name[1:]}" if name.startswith("-") else f"to_statement__{name}"


def _time(value: Any) -> str:
    """As DRF's DateTimeField renders a time (ISO 8601, UTC as Z)."""
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def render(page: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API's JSON of each statement of `page` (rows from `rows()`): two more queries, the
    conditions in their order and the gold statements' sources in the statements' order."""
    ids = [row["id"] for row in page]
    conditions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for sid, *values in (
        Condition.objects.filter(statement_id__in=ids)
        .order_by("position", "id")
        .values_list(*_CONDITION_COLUMNS)
    ):
        pk, description, evidence_start, evidence_end, evidence_quote, position = values
        conditions[sid].append(
            {
                "id": pk,
                "description": description,
                "evidence_start": evidence_start,
                "evidence_end": evidence_end,
                "evidence_quote": evidence_quote,
                "position": position,
            }
        )
    sources: dict[int, list[int]] = defaultdict(list)
    through = Statement.adjudicated_from.through.objects
    for gold, source in (
        through.filter(from_statement_id__in=ids)
        .order_by(*(_source_order(f) for f in Statement._meta.ordering or ()))
        .values_list("from_statement_id", "to_statement_id")
    ):
        sources[gold].append(source)
    return [
        {
            "id": row["id"],
            "article": row["article_id"],
            "start": row["start"],
            "end": row["end"],
            "quote": row["quote"],
            "speaker": row["speaker_id"],
            "speaker_name": row["speaker_name"],
            "addressee": row["addressee_id"],
            "addressee_name": row["addressee_name"],
            "stance": row["stance"],
            "note": row["note"],
            "conditions": conditions.get(row["id"], []),
            "annotator": row["annotator_id"],
            "annotator_username": row["annotator_username"],
            "status": row["status"],
            "gold": row["is_gold"],
            "adjudicated_from": sources.get(row["id"], []),
            "version": row["version"],
            "created_at": _time(row["created_at"]),
            "updated_at": _time(row["updated_at"]),
        }
        for row in page
    ]
