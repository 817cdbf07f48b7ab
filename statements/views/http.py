"""The helpers every page module shares, written once: the htmx-aware sign-in guard, a typed htmx
request, the fragment an htmx request asks for, a safe `next`, integer parsing of query and form
values, and the status announcement (the toast of static/js/status.js).

Page modules import from here and from the lower layers (selectors, presenters, services), never
from each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required as django_login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event
from django_htmx.middleware import HtmxDetails

from statements import permissions
from statements.models import Project, User
from statements.selectors import catalog

# Database ids are positive 64-bit integers: anything else is "no id", never an overflow.
_MAX_ID = 2**63 - 1
STATUS_EVENT = "annotator:status"  # the client event static/js/status.js announces


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware and a signed-in guard."""

    htmx: HtmxDetails
    user: User


def login_required[V: Callable[..., HttpResponse]](view: V) -> V:
    """Django's login_required, except that an htmx request from a signed-out user (an expired
    session) gets HX-Redirect to the sign-in page, returning to the page it came from: a plain
    302 would be followed by the browser and the sign-in page would land inside the fragment."""
    guarded = django_login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        htmx = getattr(request, "htmx", None)
        if not request.user.is_authenticated and htmx:
            back = htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(
                f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': back})}"
            )
        return guarded(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def fragment_target(request: HttpRequest) -> str | None:
    """The id of the element an htmx request will swap (HX-Target), or None for the full page.

    A history-restore request comes from htmx but wants the whole page."""
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        target: str | None = htmx.target
        return target
    return None


def parse_id(value: Any) -> int | None:
    """A positive id from a query or form value ("12", " 12 "), else None: empty, "-1", "1.5",
    "²" (a digit to str.isdigit, not to int), or past what the database can store."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= _MAX_ID else None


def parse_ids(value: str | None, *, limit: int = 20) -> list[int]:
    """Ids from a list such as `?statement=12,15` (order kept, duplicates and junk dropped)."""
    out: list[int] = []
    for part in (value or "").replace(" ", ",").split(","):
        number = parse_id(part)
        if number is not None and number not in out:
            out.append(number)
    return out[:limit]


def parse_id_list(values: Iterable[Any]) -> list[int]:
    """Sorted distinct ids from repeated fields (`getlist("source")`)."""
    return sorted({i for i in map(parse_id, values) if i is not None})


def safe_next(request: HttpRequest) -> str | None:
    """The `next` URL of the request if it points back to this site (a path, or a URL of this
    host), else None. A bare word is no URL: redirect() would take it for a view name."""
    target = request.POST.get("next") or request.GET.get("next")
    if not target or not (target.startswith("/") or "://" in target):
        return None
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return None


def announce(response: HttpResponse, message: str, *, action: dict[str, Any] | None = None) -> HttpResponse:
    """Ask the page to announce `message` in its status toast (static/js/status.js). `action`
    adds a button to the toast that POSTs to a URL with htmx: {"label": "Undo", "url": …,
    "values": {…}, "target": "#workspace", "swap": "outerHTML"} (label, target, swap optional)."""
    payload: dict[str, Any] = {"message": message}
    if action is not None:
        payload["action"] = action
    return trigger_client_event(response, STATUS_EVENT, payload)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: which entries of the top bar the signed-in user gets (`nav.feedback`,
    `nav.dashboard`, `nav.admin`), asked of permissions.py so that templates never look at
    roles; `nav.projects` is the user's projects and the current one (ProjectChoices: read only
    by a page that shows them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "feedback": permissions.can_annotate(user),
            "dashboard": permissions.is_lead(user),
            "admin": permissions.is_admin(user),
            "projects": ProjectChoices(request),
        }
    }


SESSION_PROJECT = "current_project"


def current_project(request: HtmxHttpRequest) -> Project | None:
    """The project the pages are about: `?project=<slug or id>` chooses it (and the session
    remembers it for the review queue, feedback, agreement, dashboard and conditions pages);
    `?project=all` forgets it; otherwise the remembered one, if the user still belongs to it.
    A project the user does not belong to is never chosen (it does not exist for them)."""
    raw = (request.GET.get("project") or request.POST.get("project") or "").strip()
    session = getattr(request, "session", None)
    projects = catalog.visible_projects(request.user)
    if raw == "all":
        if session is not None:
            session.pop(SESSION_PROJECT, None)
        return None
    chosen: Project | None = None
    if raw:
        # One query for both readings; a slug wins over an id, so a project slugged "2025" is
        # never taken for project #2025.
        number = parse_id(raw)
        found = list(projects.filter(Q(slug=raw) | Q(pk=number or 0))[:2])
        chosen = next((p for p in found if p.slug == raw), found[0] if found else None)
        if chosen is None:
            raise Http404("No such project.")
    elif session is not None and session.get(SESSION_PROJECT):
        chosen = projects.filter(pk=session[SESSION_PROJECT]).first()
    if session is not None:
        if chosen is not None:
            session[SESSION_PROJECT] = chosen.pk
        else:
            session.pop(SESSION_PROJECT, None)
    return chosen


def remember_project(request: HtmxHttpRequest, project: Project) -> None:
    """Make `project` the current one (visiting its page or one of its articles)."""
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_PROJECT) != project.pk:
        session[SESSION_PROJECT] = project.pk


class ProjectChoices:
    """The user's projects and the current one, for the project filter
    (templates/includes/project_filter.html). Nothing is read until a template asks: `choices`
    costs one query, then `current` (the session's project, see `current_project`) none."""

    def __init__(self, request: HttpRequest) -> None:
        self._request = request

    @cached_property
    def choices(self) -> list[Project]:
        return list(catalog.visible_projects(self._request.user).only("pk", "name", "slug", "archived"))

    @property
    def current_id(self) -> int | None:
        session = getattr(self._request, "session", None)
        value = session.get(SESSION_PROJECT) if session is not None else None
        return value if isinstance(value, int) else None

    @property
    def current(self) -> Project | None:
        wanted = self.current_id
        return next((p for p in self.choices if p.pk == wanted), None) if wanted else None
