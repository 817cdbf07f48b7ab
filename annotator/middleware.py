"""Answers for requests the app cannot serve at all, before or around the views.

- **The database is unreachable** (refused or dropped connections, a locked SQLite file): 503 with
  `Retry-After`, JSON (`{"detail": …}`) under `/api/`, elsewhere a short page in the site layout
  rendered without the request (no session, user or other query). Nothing is remembered: the
  next request tries the database again, so the site recovers by itself when it is back (Django
  drops a connection that failed; `CONN_HEALTH_CHECKS` tests a kept one before reusing it).
  A failure in a view is caught here directly; one in another middleware (the session saved
  after the view) or in a template is turned into a 500 by Django before it reaches us, so the
  `got_request_exception` signal marks the request and the 500 becomes the 503.
- **A body over Django's limit** (`DATA_UPLOAD_MAX_MEMORY_SIZE`, 4 MB, for forms and JSON; the
  API's bulk import has its own 64 MB limit, statements/api/base.py): 413 with a message saying
  the limit, instead of Django's bare 400 ("Bad Request") for RequestDataTooBig.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
TEMPLATE = "503.html"
_MARK = "_annotator_database_unavailable"


# SQLite's messages for a file that cannot be used now (as opposed to a bug: "no such table").
_SQLITE_OUTAGE = ("unable to open", "locked", "disk i/o", "readonly", "busy")
# PostgreSQL's SQLSTATE classes for a lost or refused connection, an administrator's shutdown,
# "the database system is starting up" and too many connections; connection failures in psycopg
# (refused, cut) carry no SQLSTATE at all.
_POSTGRES_OUTAGE = ("08", "57P", "53")


def _is_outage_error(error: BaseException) -> bool:
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if cause is not None and type(cause).__module__.startswith("sqlite3"):
        return any(words in str(cause).lower() for words in _SQLITE_OUTAGE)
    sqlstate = getattr(cause, "sqlstate", None)
    return sqlstate is None or str(sqlstate).startswith(_POSTGRES_OUTAGE)


def is_database_outage(exception: BaseException | None) -> bool:
    """The exception (or one it was raised from) says the database cannot be reached, as opposed
    to a query that is wrong (a missing table, a timeout), which stays a 500."""
    seen = 0
    while exception is not None and seen < 5:
        if _is_outage_error(exception):
            return True
        exception = exception.__cause__ or exception.__context__
        seen += 1
    return False


def _page(request: HttpRequest, status: int, *, title: str, what: str, hint: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": what}, status=status)
    context = {"status": status, "title": title, "what": what, "hint": hint, "path": request.path}
    context["retry"] = status == 503 and request.method == "GET"
    body = loader.get_template(TEMPLATE).render(context)  # no request: no context processors
    return HttpResponse(body, status=status)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    response = _page(
        request,
        503,
        title="The database is unavailable",
        what="The annotator cannot reach its database just now; nothing was changed by this request.",
        hint="It usually comes back within a minute: try again shortly.",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def body_too_large(request: HttpRequest, limit: int | None = None) -> HttpResponse:
    limit = limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    declared = request.META.get("CONTENT_LENGTH") or ""
    size = f" has {int(declared):,} bytes;" if declared.isdigit() else " is too large;"
    return _page(
        request,
        413,
        title="The request is too large",
        what=f"The request body{size} the limit here is {limit:,} bytes ({limit / 2**20:.0f} MB).",
        hint="Send less at once; large article files can be imported from the upload page or "
        "POST /api/articles/import/ (up to 64 MB), which run them as a background job.",
    )


def _mark_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    if request is not None and is_database_outage(sys.exc_info()[1]):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark_outage, dispatch_uid="annotator.middleware.mark_outage")


class AvailabilityMiddleware:
    """Put it right after the security and static-file middleware, before the session's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Before any later middleware reads the body (CSRF, the input guard): they would meet
        # Django's RequestDataTooBig and answer a bare 400.
        if self._over_the_form_limit(request):
            return body_too_large(request)
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _MARK, False):
            logger.warning("database unavailable while answering %s %s", request.method, request.path)
            return database_unavailable(request)
        return response

    @staticmethod
    def _over_the_form_limit(request: HttpRequest) -> bool:
        """A declared body over DATA_UPLOAD_MAX_MEMORY_SIZE, for a view that reads it as Django
        does. A multipart upload's files do not count against that limit, and DRF views check the
        length themselves, with their own limits (statements/api/base.py: 64 MB for the import)."""
        declared = request.META.get("CONTENT_LENGTH") or ""
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or not declared.isdigit() or int(declared) <= limit:
            return False
        if (request.META.get("CONTENT_TYPE") or "").startswith("multipart/"):
            return False
        try:
            view = resolve(request.path_info).func  # only for an oversized body: rare
        except Resolver404:
            return True
        return getattr(view, "cls", None) is None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_outage(exception):
            logger.warning("database unavailable: %s", exception)
            return database_unavailable(request)
        if isinstance(exception, RequestDataTooBig):
            return body_too_large(request)
        return None
