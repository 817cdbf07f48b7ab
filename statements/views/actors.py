"""The Actors pages (list, new, edit) and the annotate page's speaker/addressee pickers, which
search and create actors in place. Conventions: views/__init__.py.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import retarget

from statements import permissions, services
from statements.forms import ActorForm, add_service_errors
from statements.models import (
    Actor,
    ActorKind,
)
from statements.selectors import catalog
from statements.views.http import (
    HtmxHttpRequest,
    announce,
    fragment_target,
    login_required,
    safe_next,
)

ACTOR_PAGE_SIZE = 50

# The speaker/addressee pickers are fragments of the annotate page's template.
PICKER_TEMPLATE = "statements/article_detail.html"


PICKER_ROLES = ("speaker", "addressee")


PICKER_PREFIXES = ("new", "edit")


def _picker_params(params: QueryDict) -> tuple[str, str] | None:
    """(role, prefix) when a request comes from a speaker/addressee picker on the annotate page."""
    role, prefix = params.get("picker"), params.get("prefix", "new")
    if role in PICKER_ROLES:
        return role, prefix if prefix in PICKER_PREFIXES else "new"
    return None


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def actor_list(request: HtmxHttpRequest) -> HttpResponse:
    """The Actors page; also answers the annotate page's pickers (`?picker=speaker&q=…`) with
    the matching actors, as that page's `actor_options` fragment."""
    q = request.GET.get("q", "").strip()
    picker = _picker_params(request.GET)
    if picker is not None and request.htmx:
        role, prefix = picker
        actors, _exact = catalog.actor_matches(q)
        create = []
        # Offer "Add 'Bodnar'" only when no actor's name or alias contains the text: with
        # "Oleksandr Bodnar" listed, a click on Add would make a near-duplicate of him.
        if q and not actors and permissions.can_create_actor(request.user):
            create = [
                (label, json.dumps({"name": q, "kind": value, "picker": role, "prefix": prefix}))
                for value, label in ActorKind.choices
            ]
        context: dict[str, Any] = {"actors": actors, "q": q, "role": role, "prefix": prefix, "create": create}
        return render(request, f"{PICKER_TEMPLATE}#actor_options", context)
    kind = request.GET.get("kind", "")
    rows = catalog.actor_rows(request.user, q=q, kind=kind)
    page = Paginator(rows, ACTOR_PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    for actor in page:
        actor.editable = permissions.can_edit_actor(user, actor)  # type: ignore[attr-defined]
    context = {
        "page": page,
        "q": q,
        "kind": kind,
        "kinds": ActorKind.choices,
        "filtered": bool(q or kind),
        "can_create": permissions.can_create_actor(user),
    }
    if fragment_target(request) == "results":
        return render(request, "statements/actor_list.html#results", context)
    return render(request, "statements/actor_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def actor_create(request: HtmxHttpRequest) -> HttpResponse:
    """The New actor page; from a picker on the annotate page (htmx), it creates the actor in
    place and answers with that page's `actor_choice` fragment, the new actor chosen."""
    if not permissions.can_create_actor(request.user):
        raise PermissionDenied("Only analysts and leads can add actors.")
    picker = _picker_params(request.POST) if request.method == "POST" else None
    if picker is not None and request.htmx:
        role, prefix = picker
        try:
            actor = services.actor_create(
                user=request.user, name=request.POST.get("name", ""), kind=request.POST.get("kind", "")
            )
        except ValidationError as exc:
            context: dict[str, Any] = {
                "actors": [],
                "q": request.POST.get("name", ""),
                "role": role,
                "prefix": prefix,
            }
            context["errors"] = exc.messages
            response = render(request, f"{PICKER_TEMPLATE}#actor_options", context, status=422)
            return retarget(response, f"#{prefix}-{role}-options")
        context = {"role": role, "prefix": prefix, "chosen": actor}
        response = render(request, f"{PICKER_TEMPLATE}#actor_choice", context)
        return announce(response, f"Actor “{actor}” added.")
    choices = catalog.actor_choices()
    if request.method == "POST":
        form = ActorForm(request.POST, choices=choices)
        if form.is_valid():
            try:
                actor = services.actor_create(user=request.user, **form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Actor “{actor}” added.")
                return redirect(
                    safe_next(request) or f"{reverse('actor_list')}?{urlencode({'q': actor.name})}"
                )
        return render(request, "statements/actor_form.html", {"form": form, "actor": None}, status=422)
    form = ActorForm(choices=choices, initial={"name": request.GET.get("name", "")})
    return render(request, "statements/actor_form.html", {"form": form, "actor": None})


def _get_actor_for_user(request: HtmxHttpRequest, pk: int) -> Actor:
    """The actor `pk` (404 if missing); PermissionDenied unless the user may edit it."""
    actor = get_object_or_404(Actor.objects.with_aliases(), pk=pk)
    if not permissions.can_edit_actor(request.user, actor):
        raise PermissionDenied("Only a lead or the analyst who added this actor can edit it.")
    return actor


@login_required
@require_http_methods(["GET", "POST"])
def actor_update(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    actor = _get_actor_for_user(request, pk)
    choices = catalog.actor_choices()
    if request.method == "POST":
        form = ActorForm(request.POST, actor=actor, choices=choices)
        if form.is_valid():
            try:
                actor = services.actor_update(actor=actor, user=request.user, **form.service_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Actor “{actor}” saved.")
                return redirect(
                    safe_next(request) or f"{reverse('actor_list')}?{urlencode({'q': actor.name})}"
                )
        return render(request, "statements/actor_form.html", {"form": form, "actor": actor}, status=422)
    form = ActorForm(actor=actor, choices=choices)
    return render(request, "statements/actor_form.html", {"form": form, "actor": actor})
