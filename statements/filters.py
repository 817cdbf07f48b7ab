"""django-filter filter sets of the API. StatementFilter is also the export's filter language
(`/api/export/statements` and `manage.py export_statements` take exactly these parameters).

Every filter set takes `?project=`: a project's id or its slug. It narrows what the queryset (already
limited to the caller's projects) holds, so another project's id or an unknown slug gives an empty
list, never a hint that the project exists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from statements.models import (
    Actor,
    ActorKind,
    ActorQuerySet,
    Article,
    Condition,
    Review,
    Stance,
    Statement,
    Status,
    Verdict,
)

MAX_ID = 2**63 - 1  # a bigger number would overflow SQLite's integers (a 500, not a 400)


class IdField(forms.IntegerField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class IdsFilter(filters.BaseInFilter, filters.Filter):
    """One id or several separated by commas: `?article=3` or `?article=3,7,12`."""

    field_class = IdField


class _SearchFilter(filters.CharFilter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)


def project_lookup(value: str, path: str = "") -> Q:
    """A filter for the project named by `value`, its id (ASCII digits) or else its slug: on
    `path`, the way to the project from the filtered model (e.g. "article__project"; empty: the
    Project model itself). An id out of range matches nothing."""
    value = value.strip()
    id_field, slug_field = (f"{path}_id", f"{path}__slug") if path else ("pk", "slug")
    if value.isascii() and value.isdigit():
        number = int(value)
        return Q(**{id_field: number}) if 1 <= number <= MAX_ID else Q(pk__in=[])
    return Q(**{slug_field: value})


@extend_schema_field(OpenApiTypes.STR)
class ProjectFilter(filters.CharFilter):
    """`?project=12` or `?project=ceasefire-week`: the objects of one project (id or slug)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("help_text", "A project's id or slug.")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        if value in EMPTY_VALUES or not value.strip():
            return qs
        return qs.filter(project_lookup(value, self.field_name))


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 time, compared in UTC. Python reads offsets up to ±23:59 but PostgreSQL
    refuses any beyond ±15:59 (a 500 before): the same instant in UTC is always accepted."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value not in EMPTY_VALUES and getattr(value, "tzinfo", None) is not None:
            value = value.astimezone(dt.UTC)
        return super().filter(qs, value)


class StatementFilter(filters.FilterSet):
    project = ProjectFilter(field_name="article__project")
    article = IdsFilter(field_name="article_id", help_text="Article id(s), comma-separated.")
    speaker = IdsFilter(field_name="speaker_id", help_text="Speaker actor id(s), comma-separated.")
    addressee = IdsFilter(field_name="addressee_id", help_text="Addressee actor id(s), comma-separated.")
    annotator = IdsFilter(field_name="annotator_id", help_text="Annotator user id(s), comma-separated.")
    # distinct=False: these filter the statement's own columns, no join can repeat a row, and a
    # DISTINCT over every selected column would sort the whole match (seconds at 2M statements).
    stance = filters.MultipleChoiceFilter(
        choices=Stance.choices, distinct=False, help_text="Repeat for several."
    )
    status = filters.MultipleChoiceFilter(
        choices=Status.choices, distinct=False, help_text="Repeat for several."
    )
    gold = filters.BooleanFilter(field_name="is_gold", help_text="Adjudicated (true) or not (false).")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = UtcDateTimeFilter(field_name="updated_at", lookup_expr="lt")
    q = _SearchFilter(method="search", help_text="Text in the quote or the note (case-insensitive).")

    class Meta:
        model = Statement
        fields: list[str] = []

    def search(self, queryset: QuerySet[Statement], name: str, value: str) -> QuerySet[Statement]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(quote__ucontains=value) | Q(note__ucontains=value))


class ArticleFilter(filters.FilterSet):
    project = ProjectFilter(field_name="project")
    source = filters.CharFilter(lookup_expr="uexact", max_length=200)
    language = filters.CharFilter(max_length=16)
    published_after = filters.DateFilter(field_name="published", lookup_expr="gte")
    published_before = filters.DateFilter(field_name="published", lookup_expr="lte")
    q = _SearchFilter(field_name="title", lookup_expr="ucontains", help_text="Text in the title.")

    class Meta:
        model = Article
        fields: list[str] = []


class ActorFilter(filters.FilterSet):
    kind = filters.MultipleChoiceFilter(choices=ActorKind.choices, distinct=False)
    affiliation = IdsFilter(field_name="affiliation_id")
    q = _SearchFilter(method="search", help_text="Text in the name or one of the aliases.")

    class Meta:
        model = Actor
        fields: list[str] = []

    @extend_schema_field(OpenApiTypes.STR)
    def search(self, queryset: ActorQuerySet, name: str, value: str) -> ActorQuerySet:
        return queryset.search(value)


class ConditionFilter(filters.FilterSet):
    project = ProjectFilter(field_name="statement__article__project")
    statement = IdsFilter(field_name="statement_id")

    class Meta:
        model = Condition
        fields: list[str] = []


class ReviewFilter(filters.FilterSet):
    project = ProjectFilter(field_name="statement__article__project")
    statement = IdsFilter(field_name="statement_id")
    reviewer = IdsFilter(field_name="reviewer_id")
    verdict = filters.MultipleChoiceFilter(choices=Verdict.choices, distinct=False)

    class Meta:
        model = Review
        fields: list[str] = []
