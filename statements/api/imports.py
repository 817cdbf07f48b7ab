"""`POST /api/statements/import/`: statements in bulk from a file in our own or a peer's format
(statements/data/statement_import.py), the file as the request body."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from statements.api.base import ApiViewMixin
from statements.data import statement_import
from statements.filters import project_lookup
from statements.models import Project, User
from statements.selectors import catalog
from statements.services.bulk import (
    PREDICTIONS,
    UNKNOWN_ANNOTATORS,
    UNKNOWN_SPEAKERS,
    BulkImportFailed,
    ImportOptions,
)
from statements.services.jobs import MAX_PAYLOAD_BYTES

_CHOICES = {
    "unknown_speakers": UNKNOWN_SPEAKERS,
    "unknown_annotators": UNKNOWN_ANNOTATORS,
    "predictions": PREDICTIONS,
}


def _project(user: User, ref: str) -> Project:
    ref = ref.strip()
    if not ref:
        raise ValidationError({"project": ["Name the target project: ?project=<id or slug>."]})
    if len(ref) > 80 or "\x00" in ref:
        raise ValidationError({"project": ["Give a project's id or slug."]})
    project = catalog.visible_projects(user).filter(project_lookup(ref)).first()
    if project is None:
        raise ValidationError({"project": [f"There is no project “{ref}”."]})
    return project


def _options(request: Request) -> tuple[str | None, dict[str, str] | None, ImportOptions, bool]:
    params = request.query_params
    fmt = params.get("format") or None
    if fmt is not None and fmt not in statement_import.FORMATS:
        choices = ", ".join(statement_import.FORMATS)
        raise ValidationError({"format": [f"“{fmt}” is not a format; choose one of {choices}."]})
    chosen: dict[str, Any] = {}
    for name, allowed in _CHOICES.items():
        value = params.get(name)
        if value is None or value == "":
            continue
        if value not in allowed:
            raise ValidationError({name: [f"“{value}” is not one of {', '.join(allowed)}."]})
        chosen[name] = value
    stance_map = statement_import.parse_stance_map(params.get("stance_map"))
    background = params.get("background", "").strip().lower()
    if background not in ("", "true", "false", "1", "0", "yes", "no"):
        raise ValidationError({"background": [f"“{background}” is not true or false."]})
    return fmt, stance_map, ImportOptions(**chosen), background in ("true", "1", "yes")


class _FormatIsTheFiles(DefaultContentNegotiation):
    """`?format=` names the file's format here, not a DRF renderer: the answers are JSON."""

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class StatementImportView(ApiViewMixin, APIView):
    """Only analysts and leads of the target project import: anyone else gets 403 (or 400 for a
    project they do not belong to) before the body is read."""

    content_negotiation_class = _FormatIsTheFiles
    renderer_classes = [JSONRenderer]

    @property
    def max_body_bytes(self) -> int:
        return MAX_PAYLOAD_BYTES

    @extend_schema(
        summary="Import statements from a file",
        description=(
            "The file is the request body, in one of the formats `format` names (guessed from the "
            "content when left out): `jsonl` (our export), `label-studio` (tasks JSON), `doccano` "
            "(JSONL, with or without relations), `brat` (a zip of .txt/.ann pairs), `w3c` (Web "
            "Annotations), `workload` (the standard workload), `events` (our event records). Files "
            "that carry the article's text create the article in the project unless it holds the "
            "same text already; the others point at an article you may see (by id), which is "
            "copied. Offsets are checked against the text (UTF-16 offsets and CRLF are detected "
            "and converted; a misplaced quote is found again near its offsets). All or nothing: "
            "a 400 lists every problem with its location (line, task, file) and field, and nothing "
            "is stored. A body over 1 MB (up to 64 MB), or `background=true`, is imported by a "
            'background job: 202 with `{"job": id, "url": …}` (`GET /api/jobs/<id>/`).'
        ),
        parameters=[
            OpenApiParameter(
                "project", OpenApiTypes.STR, required=True, description="The target project's id or slug."
            ),
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(statement_import.FORMATS)),
            OpenApiParameter(
                "unknown_speakers", OpenApiTypes.STR, enum=list(UNKNOWN_SPEAKERS), default="error"
            ),
            OpenApiParameter(
                "unknown_annotators", OpenApiTypes.STR, enum=list(UNKNOWN_ANNOTATORS), default="inactive"
            ),
            OpenApiParameter("predictions", OpenApiTypes.STR, enum=list(PREDICTIONS), default="skip"),
            OpenApiParameter(
                "stance_map",
                OpenApiTypes.STR,
                description="Labels to stances: `Endorse=support,Call for=demand`.",
            ),
            OpenApiParameter("background", OpenApiTypes.BOOL, description="Import in a background job."),
        ],
        request={"application/octet-stream": OpenApiTypes.BINARY},
        responses={
            201: OpenApiResponse(description="What was imported: counts, new actors and accounts."),
            202: OpenApiResponse(description='Queued as a background job: `{"job": id, "url": …}`.'),
            400: OpenApiResponse(description="Every problem of the file (`problems`), or a bad parameter."),
            403: OpenApiResponse(description="Not an analyst or lead of the project."),
            413: OpenApiResponse(description="The body is over 64 MB."),
        },
    )
    def post(self, request: Request) -> Response:
        user = request.user
        if not isinstance(user, User):
            raise PermissionDenied()
        project = _project(user, request.query_params.get("project", ""))
        statement_import.check_may_import(user, project)  # before reading the body
        fmt, stance_map, options, background = _options(request)
        body = request.stream.read() if request.stream is not None else b""
        if not body.strip():
            raise ValidationError({"file": ["Send the file as the request body."]})
        if background or len(body) > statement_import.INLINE_MAX_BYTES:
            job = statement_import.start_statement_import(
                user=user,
                project=project,
                payload=body,
                name="upload",
                fmt=fmt,
                stance_map=stance_map,
                options=options,
            )
            url = request.build_absolute_uri(reverse("api-job-detail", args=[job.pk]))
            return Response({"job": job.pk, "url": url}, status=status.HTTP_202_ACCEPTED)
        try:
            result = statement_import.import_statements_file(
                io.BytesIO(body), user=user, project=project, fmt=fmt, stance_map=stance_map, options=options
            )
        except BulkImportFailed as exc:
            return Response(
                {
                    "detail": "Nothing was imported.",
                    "problems": statement_import.problems_as_json(exc.problems),
                    "unknown_speakers": exc.unknown_speakers,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(result.as_dict(), status=status.HTTP_201_CREATED)
