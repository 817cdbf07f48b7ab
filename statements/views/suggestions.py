"""Suggestions (#11) as a page action: a lead pre-annotates a project (a background job that
computes and keeps each article's suggestions, statements/services/suggestions.py), then follows
its progress on the job's page. The Annotate page's suggestions are static/js/suggest.js over the
API; the dashboard's per-rule precision is read in views/agreement.py."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from statements import permissions
from statements.selectors import catalog
from statements.services import suggestions as suggestion_services
from statements.views.http import HtmxHttpRequest, login_required


@login_required
@require_POST
def project_preannotate(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """Start pre-annotating the project (leads), then show the job with its progress."""
    project = get_object_or_404(catalog.visible_projects(request.user), slug=slug)
    if not permissions.is_lead(request.user, project):
        raise PermissionDenied("Only a lead of the project pre-annotates it.")
    job = suggestion_services.preannotate_start(project=project, user=request.user)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = job.get_absolute_url()
        return response
    return redirect(job.get_absolute_url())
