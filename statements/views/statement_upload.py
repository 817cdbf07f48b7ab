"""The project's statement upload page: one file of statements in our own or a peer's format,
imported by a background job (statements/data/statement_import.py) whose page shows the progress
and then the result or every problem of the file. Analysts and leads of the project."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from statements import permissions
from statements.data import statement_import
from statements.models import Project
from statements.selectors import catalog
from statements.services.bulk import ImportOptions
from statements.services.jobs import MAX_PAYLOAD_BYTES
from statements.views.http import HtmxHttpRequest

PAGE = "statements/statement_upload.html"
FORMAT_LABELS = {
    "": "Guess from the file",
    "label-studio": "Label Studio JSON (tasks with annotations and predictions)",
    "doccano": "doccano JSONL (sequence labelling, with or without relations)",
    "brat": "brat standoff (a .zip of .txt and .ann files)",
    "w3c": "W3C Web Annotation (JSON-LD)",
    "jsonl": "Our JSONL export",
    "events": "Our event records (JSONL)",
    "workload": "The standard workload (JSONL)",
}
SPEAKER_CHOICES = {
    "error": "Stop and list them: nothing is imported",
    "create": "Add them to the actor registry",
    "skip": "Import the statements without them",
}
ANNOTATOR_CHOICES = {
    "inactive": "Keep them: new accounts that cannot sign in",
    "me": "Make the statements mine",
}
PREDICTION_CHOICES = {
    "skip": "Leave them out",
    "statements": "Import them as my statements",
}


def _context(project: Project, values: dict[str, str], errors: list[str]) -> dict[str, Any]:
    return {
        "project": project,
        "archived": project.archived,
        "formats": FORMAT_LABELS,
        "speaker_choices": SPEAKER_CHOICES,
        "annotator_choices": ANNOTATOR_CHOICES,
        "prediction_choices": PREDICTION_CHOICES,
        "values": values,
        "errors": errors,
        "max_mb": MAX_PAYLOAD_BYTES // 2**20,
    }


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for messages in exc.message_dict.values() for m in messages]
    return list(exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def statement_upload(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    """GET: the form. POST: the file queued as an `import_statements` job, then its page."""
    project = get_object_or_404(catalog.visible_projects(request.user), slug=slug)
    if not permissions.can_annotate(request.user, project):
        raise PermissionDenied("Only analysts and leads of the project can import statements.")
    defaults = {
        "format": "",
        "unknown_speakers": "error",
        "unknown_annotators": "inactive",
        "predictions": "skip",
        "stance_map": "",
    }
    if request.method == "GET":
        return render(request, PAGE, _context(project, defaults, []))
    values = {k: str(request.POST.get(k, v)) for k, v in defaults.items()}
    errors: list[str] = []
    upload = request.FILES.get("file")
    if project.archived:
        errors.append(f"“{project}” is archived: nothing can be added to it.")
    elif upload is None or not upload.size:
        errors.append("Choose a file to import.")
    elif upload.size > MAX_PAYLOAD_BYTES:
        errors.append(
            f"The file is {upload.size / 2**20:.1f} MB; the limit is {MAX_PAYLOAD_BYTES // 2**20} MB."
        )
    if values["format"] not in FORMAT_LABELS:
        errors.append("Choose one of the formats offered.")
    for name, allowed in (
        ("unknown_speakers", SPEAKER_CHOICES),
        ("unknown_annotators", ANNOTATOR_CHOICES),
        ("predictions", PREDICTION_CHOICES),
    ):
        if values[name] not in allowed:
            errors.append("Choose one of the options offered.")
    stance_map = None
    if not errors:
        try:
            stance_map = statement_import.parse_stance_map(values["stance_map"])
        except ValidationError as exc:
            errors.extend(f"Stance mapping: {m}" for m in _messages(exc))
    if errors or upload is None:
        return render(request, PAGE, _context(project, values, errors), status=422)
    try:
        job = statement_import.start_statement_import(
            user=request.user,
            project=project,
            payload=upload.read(),
            name=(upload.name or "upload")[:255],
            fmt=values["format"] or None,
            stance_map=stance_map,
            options=ImportOptions(
                unknown_speakers=values["unknown_speakers"],  # type: ignore[arg-type]  # checked above
                unknown_annotators=values["unknown_annotators"],  # type: ignore[arg-type]
                predictions=values["predictions"],  # type: ignore[arg-type]
            ),
        )
    except ValidationError as exc:
        return render(request, PAGE, _context(project, values, _messages(exc)), status=422)
    return redirect(job.get_absolute_url())
