"""The Conditions page: every visible condition grouped by speaker, with facets. Conventions:
views/__init__.py.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import (
    Q,
)
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from statements.models import (
    Actor,
    Article,
    Stance,
    Status,
)
from statements.selectors import catalog
from statements.views.http import (
    HtmxHttpRequest,
    current_project,
    fragment_target,
    login_required,
    parse_id,
)

CONDITION_PAGE_SIZE = 100


@login_required
@require_GET
@vary_on_headers("HX-Request", "HX-Target")
def condition_list(request: HtmxHttpRequest) -> HttpResponse:
    """Every condition the user may see, grouped by speaker, with facets (conditions per speaker
    and per stance) that follow the other filters, so the page answers questions like "what
    does Russia, with its officials, attach to its support?" in two clicks."""
    user = request.user
    speaker_id = parse_id(request.GET.get("speaker"))
    members = request.GET.get("members") == "1"
    stance = request.GET.get("stance", "")
    status = request.GET.get("status", "")
    article_id = parse_id(request.GET.get("article"))
    q = request.GET.get("q", "").strip()

    layers = dict(catalog.CONDITION_LAYERS)
    layer = request.GET.get("layer", "")
    layer = layer if layer in layers else catalog.CONDITION_LAYERS[0][0]
    project = current_project(request)
    base = catalog.conditions_for(user, project.pk if project else None, layer=layer)
    if stance in Stance.values:
        base = base.filter(statement__stance=stance)
    if status in Status.values:
        base = base.filter(statement__status=status)
    if article_id is not None:
        base = base.filter(statement__article_id=article_id)
    if q:
        base = base.filter(
            Q(description__ucontains=q) | Q(evidence_quote__ucontains=q) | Q(statement__quote__ucontains=q)
        )
    # The speaker facet ignores the speaker filter, so every speaker stays one click away.
    speaker_counts = catalog.condition_speaker_counts(base)
    filtered = base
    if speaker_id is not None:
        ids = catalog.actor_with_members(speaker_id) if members else {speaker_id}
        filtered = base.filter(statement__speaker_id__in=ids)

    page = Paginator(catalog.condition_rows(filtered), CONDITION_PAGE_SIZE).get_page(request.GET.get("page"))
    totals = {row["statement__speaker_id"]: row["n"] for row in speaker_counts}
    groups: list[dict] = []
    for condition in page:
        speaker = condition.statement.speaker
        if not groups or groups[-1]["speaker_id"] != condition.statement.speaker_id:
            groups.append(
                {"speaker": speaker, "speaker_id": condition.statement.speaker_id, "items": [], "total": 0}
            )
            groups[-1]["total"] = totals.get(condition.statement.speaker_id, 0)
        groups[-1]["items"].append(condition)
    speaker_name = (
        Actor.objects.filter(pk=speaker_id).values_list("name", flat=True).first() if speaker_id else None
    )
    context = {
        "page": page,
        "groups": groups,
        "speaker_counts": speaker_counts,
        "total": sum(row["n"] for row in speaker_counts),
        "speaker_id": speaker_id,
        "speaker_name": speaker_name,
        "members": members,
        "stance": stance,
        "status": status,
        "q": q,
        "article_id": article_id,
        "article": (
            Article.objects.only("pk", "title").filter(pk=article_id).first()
            if article_id is not None
            else None
        ),
        "stances": Stance.choices,
        "statuses": Status.choices,
        "layer": layer,
        "layers": catalog.CONDITION_LAYERS,
        "filtered": bool(speaker_id or stance or status or article_id or q),
    }
    if fragment_target(request) == "results":
        return render(request, "statements/condition_list.html#results", context)
    return render(request, "statements/condition_list.html", context)
