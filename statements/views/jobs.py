"""Background jobs as pages: the list of your jobs, one job with live progress (htmx polls the
`progress` fragment every second until the job ends), and the download of a job's output."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from statements.selectors.jobs import LIST_LIMIT, job_for, job_output, visible_jobs
from statements.services.jobs import job_delete, job_state
from statements.views.http import HtmxHttpRequest, announce, fragment_target, login_required

PAGE = "statements/job_detail.html"


@login_required
@require_GET
def job_list(request: HtmxHttpRequest) -> HttpResponse:
    jobs = list(visible_jobs(request.user)[:LIST_LIMIT])
    rows = [(job, job_state(job)) for job in jobs]
    return render(request, "statements/job_list.html", {"rows": rows, "limit": LIST_LIMIT})


@login_required
@require_GET
def job_detail(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = job_for(request.user, pk)
    if job is None:
        raise Http404("No such job, or it is not yours.")
    # The summary as (key, value) pairs: a template lookup of `result.items` would take a key
    # named "items" for the dict's method.
    summary = list(job.result.items()) if isinstance(job.result, dict) else []
    context = {"job": job, "state": job_state(job), "has_output": bool(job.output_name), "summary": summary}
    template = f"{PAGE}#progress" if fragment_target(request) == f"job-{job.pk}" else PAGE
    return render(request, template, context)


@login_required
@require_GET
def job_download(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = job_output(request.user, pk)
    if job is None or job.output is None:
        raise Http404("This job has no file to download.")
    response = HttpResponse(bytes(job.output), content_type=job.output_type or "application/octet-stream")
    name = (job.output_name or f"job-{job.pk}").replace('"', "")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def job_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    job = job_for(request.user, pk)
    if job is None:
        raise Http404("No such job, or it is not yours.")
    try:
        job_delete(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("job_detail", pk=job.pk)
    return announce(redirect("job_list"), "Job deleted.")
