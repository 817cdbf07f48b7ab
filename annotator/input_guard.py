"""Input no view can use, refused before any view runs (a 400 with a message, never a 500):

- a NUL character in a query parameter (any page or endpoint) or a form field of a page: text
  columns cannot hold it (PostgreSQL refuses the query), and no real input contains one;
- a document nested so deeply that parsing it exhausts Python's recursion (JSON 100,000 levels
  deep in a form field, a bulk upload or an NDJSON line): `RecursionError` becomes a 400 here for
  the pages; the API maps it to a 400 of its own (statements/api/base.py).

The 400 is the site's error page (statements.views.errors.bad_request) with the reason, or
`{"detail": …}` under /api/.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict

logger = logging.getLogger(__name__)

TOO_DEEP = "The document is nested too deeply to be read (at most a few hundred levels)."

_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _nul_field(data: QueryDict) -> str | None:
    for key, values in data.lists():
        if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
            return key.replace("\x00", "\\0")
    return None


def _large_upload(request: HttpRequest) -> bool:
    """A multipart body declared larger than the form limit is a file upload: its view checks the
    declared size first and answers with its own limit (an upload over it is refused before one
    byte is parsed), so the guard does not parse it ahead of the view."""
    declared = request.META.get("CONTENT_LENGTH") or ""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return (
        request.content_type == "multipart/form-data"
        and limit is not None
        and declared.isdigit()
        and int(declared) > limit
    )


class InputGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _nul_field(request.GET)
        where = "parameter"
        if (
            field is None
            and request.method == "POST"
            and not request.path.startswith("/api/")  # DRF's fields refuse NUL themselves
            and request.content_type in _FORMS
            and not _large_upload(request)
        ):
            field, where = _nul_field(request.POST), "field"
        if field is not None:
            raise BadRequest(f"The {where} “{field}” contains a NUL character (\\0), which no text may hold.")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RecursionError):
            logger.warning("Input nested too deeply on %s", request.path, exc_info=exception)
            from statements.views.errors import bad_request

            return bad_request(request, BadRequest(TOO_DEEP))
        return None
