"""The error pages: 400, 403 (also a refused CSRF check), 404 and 500, in the site layout, saying
what happened and where to go; JSON (`{"detail": …}`, DRF's shape) for anything under /api/, so a
script never has to parse HTML (DRF answers the errors of its own views; these cover what Django
answers itself: an unknown /api/ address, a CSRF refusal, a crash outside DRF).

Wired in annotator/urls.py (handler400/403/404/500) and settings.CSRF_FAILURE_VIEW. The 500 page
is rendered without the request's context processors, so it needs no database (the reason for the
error may be the database) and cannot fail on a missing session or user.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme

TEMPLATE = "error_page.html"

PAGES: dict[int, dict[str, str]] = {
    400: {
        "title": "Bad request",
        "what": "The server could not understand this request: an address or a form value is malformed.",
        "hint": "Go back and try again; if it happens again, start from your projects.",
        "detail": "Bad request.",
    },
    403: {
        "title": "Not allowed",
        "what": "You are signed in, but your role does not allow this here.",
        "hint": "If you need it, ask a lead of the project to change your role.",
        "detail": "You do not have permission to perform this action.",
    },
    404: {
        "title": "Page not found",
        "what": "There is nothing at this address, or it belongs to a project you are not a member of.",
        "hint": "Check the address, or find what you were looking for from your projects or the articles.",
        "detail": "Not found.",
    },
    500: {
        "title": "Something went wrong on our side",
        "what": "The server failed while answering. The error was logged; it is not something you did.",
        "hint": "What you were saving may not have been saved: reload the page, check, and try again.",
        "detail": "Internal server error.",
    },
}

CSRF_REASON = (
    "The form's security token was missing or out of date (for example, you signed in or out in "
    "another tab). Reload the page and send it again."
)


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _back(request: HttpRequest) -> str | None:
    """The page the user came from, if it is on this site (never an outside address)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, request.is_secure()):
        return referer
    return None


def _reason(exception: Exception | None) -> str:
    """The message a view gave with PermissionDenied ("You can only change your own statements."):
    written for the user, so it is shown; other exceptions' texts are not."""
    if exception is None or not exception.args:
        return ""
    first = exception.args[0]
    return first if isinstance(first, str) else ""


def _render(
    request: HttpRequest, status: int, *, reason: str = "", context_processors: bool = True
) -> HttpResponse:
    page = PAGES[status]
    if _is_api(request):
        return JsonResponse({"detail": reason or page["detail"]}, status=status)
    user = getattr(request, "user", None) if context_processors else None
    context: dict[str, Any] = {
        **page,
        "status": status,
        "reason": reason,
        "path": request.path,
        "back": _back(request),
        "signed_in": bool(user is not None and user.is_authenticated),
    }
    template = loader.get_template(TEMPLATE)
    body = template.render(context, request if context_processors else None)
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # BadRequest("…") carries a message written for the user (annotator/input_guard.py)
    return _render(request, 400, reason=_reason(exception) if isinstance(exception, BadRequest) else "")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403, reason=_reason(exception))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: no session, user or project query (the database may be what failed).
    return _render(request, 500, context_processors=False)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: Django's reason ("CSRF token missing") is for developers."""
    return _render(request, 403, reason=CSRF_REASON)
