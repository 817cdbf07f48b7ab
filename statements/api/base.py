"""What every API view shares: authentication, the role checks of statements/permissions.py, the
mapping of the services' errors to HTTP, pagination and parsers."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import IO, TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Field, Model, QuerySet
from rest_framework import exceptions, pagination, parsers, permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.pagination import Cursor
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from statements import permissions as rules
from statements.api.auth import ThrottledTokenAuthentication

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    # ApiViewMixin is mixed into APIView subclasses only: let mypy see what it extends.
    _ViewBase = APIView
else:
    _ViewBase = object

_MAX_BODY_BYTES = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The services raise Django's ValidationError (a message per field) and PermissionDenied:
    they become a 400 with the same field messages and a 403. An IntegrityError that escaped the
    services' validation (a race between two writers) is a 409, never a 500."""
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail: Any = exc.message_dict
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, ObjectDoesNotExist):  # e.g. a condition removed by a concurrent request
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, RecursionError):  # JSON nested 100,000 deep: the parser gives up
        exc = exceptions.ParseError(
            "The JSON is nested too deeply to be read (at most a few hundred levels)."
        )
    elif isinstance(exc, IntegrityError):
        logger.warning("Integrity error in the API (a concurrent change?): %s", exc)
        conflict = exceptions.APIException("The data changed while saving; reload and try again.")
        conflict.status_code = 409
        exc = conflict
    return drf_exception_handler(exc, context)


class RolePermission(permissions.BasePermission):
    """Asks statements/permissions.py, the module the pages and services ask too.

    A view names its rules: `create_rule(user)`, `edit_rule(user, obj)`, `delete_rule(user, obj)`
    (absent: the action is not offered). Reading needs an active, signed-in user.

    Roles are per project. `edit_rule`/`delete_rule` get the object, and the rules take their
    scope from it (an article's project, a statement's through its article), so a lead of A who
    views B edits nothing in B. `create_rule` has no object yet: it asks "in any of the user's
    projects" (a viewer everywhere gets a 403 at once); the service then checks the project the
    new object goes into. What is outside the caller's projects never gets here: the views'
    querysets leave it out, so it is a 404, not a 403."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not rules.can_view(request.user):
            return False
        if request.method == "POST" and getattr(view, "action", None) == "create":
            rule = getattr(view, "create_rule", None)
            return rule is None or rule(request.user)
        return True

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        name = "delete_rule" if request.method == "DELETE" else "edit_rule"
        rule: Callable[[Any, Any], bool] | None = getattr(view, name, None)
        return rule is not None and rule(request.user, obj)


class ApiViewMixin(_ViewBase):
    """Token first, so that an anonymous client gets 401 with `WWW-Authenticate: Token`; the
    browser's session works too (with CSRF on unsafe methods)."""

    authentication_classes = [ThrottledTokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated, RolePermission]

    @property
    def max_body_bytes(self) -> int:
        """Parsers read the whole body: refuse an oversized one before reading it (the same limit
        as Django's forms; the bulk import allows more)."""
        return _MAX_BODY_BYTES

    def get_exception_handler(self) -> Callable[[Exception, dict[str, Any]], Response | None]:
        return exception_handler

    def filter_queryset(self, queryset: Any) -> Any:
        """One object named by its id in the URL, with no query parameters: the list's filter
        backends (a FilterSet, search, ordering; 1-2 ms to build) would leave the queryset as it
        is, so they are not run. With parameters they run as always (a bad value is a 400)."""
        lookup = getattr(self, "lookup_url_kwarg", None) or getattr(self, "lookup_field", "pk")
        if lookup in self.kwargs and not self.request.query_params:
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc]  # a GenericAPIView's

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.max_body_bytes:
            too_large = exceptions.APIException(
                f"The request body has {length:,} bytes; the limit here is {self.max_body_bytes:,}."
            )
            too_large.status_code = 413
            raise too_large
        super().initial(request, *args, **kwargs)


class PagePagination(pagination.PageNumberPagination):
    """For the small collections (articles, actors, users): numbered pages with a count."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class IdCursorPagination(pagination.CursorPagination):
    """For the big collections (statements, conditions, reviews): no COUNT over millions of rows,
    and a page costs the same at the end as at the start."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "id"

    _model: type[Model]

    def decode_cursor(self, request: Request) -> Cursor | None:
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            # DRF trusts the position inside the (unsigned) cursor; a forged one must be a 404,
            # not a database error.
            # paginate_queryset has just set self.ordering from the request (a tuple of fields).
            ordering = (self.ordering,) if isinstance(self.ordering, str) else self.ordering
            field = self._model._meta.get_field(ordering[0].lstrip("-"))
            try:
                if isinstance(field, Field):  # never a reverse relation: one can't order by it
                    field.to_python(cursor.position)
            except (DjangoValidationError, ValueError, TypeError, OverflowError):
                raise exceptions.NotFound(self.invalid_cursor_message) from None
        return cursor

    def paginate_queryset(  # type: ignore[override]  # DRF's takes a list too; ours: querysets
        self, queryset: QuerySet[Any], request: Request, view: APIView | None = None
    ) -> list[Any] | None:
        self._model = queryset.model
        return super().paginate_queryset(queryset, request, view)


class JSONLinesParser(parsers.BaseParser):
    """`application/x-ndjson` (or `application/jsonl`): one JSON document per line."""

    media_type = "application/x-ndjson"

    def parse(  # type: ignore[override]  # a list of documents, not the stub's Mapping
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> list[Any]:
        items: list[Any] = []
        for number, raw in enumerate(stream, start=1):
            try:
                line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
                if line.strip():
                    items.append(json.loads(line))
            except ValueError as exc:  # also invalid UTF-8
                raise exceptions.ParseError(f"Line {number} is not a JSON document: {exc}") from None
        return items


class JSONLParser(JSONLinesParser):
    media_type = "application/jsonl"
