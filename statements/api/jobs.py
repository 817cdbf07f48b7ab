"""/api/jobs/: the caller's background jobs (long imports, exports to file, suggestion runs) with
their live progress, and the file a job produced."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from statements.api.base import ApiViewMixin, PagePagination
from statements.models import Job, User
from statements.selectors.jobs import job_output, visible_jobs
from statements.services.jobs import job_state


class JobSerializer(serializers.ModelSerializer[Job]):
    """A job with its live progress: `done` of `total` (null while unknown), `percent`, and when it
    has ended its `result` summary or `errors`; `output` is the download's URL, or null."""

    done = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    message = serializers.SerializerMethodField()
    output = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "project",
            "done",
            "total",
            "percent",
            "message",
            "result",
            "errors",
            "output",
            "output_name",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def _state(self, job: Job) -> dict[str, Any]:
        cache: dict[int, dict[str, Any]] = self.__dict__.setdefault("_job_states", {})
        if job.pk not in cache:
            cache[job.pk] = job_state(job)
        return cache[job.pk]

    def get_done(self, job: Job) -> int:
        return int(self._state(job)["done"] or 0)

    def get_total(self, job: Job) -> int | None:
        total = self._state(job)["total"]
        return None if total is None else int(total)

    def get_percent(self, job: Job) -> int | None:
        percent = self._state(job)["percent"]
        return None if percent is None else int(percent)

    def get_message(self, job: Job) -> str:
        return str(self._state(job)["message"] or "")

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_output(self, job: Job) -> str | None:
        if not job.output_name:
            return None
        return str(self.context["request"].build_absolute_uri(reverse("api-job-output", args=[job.pk])))

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: Job) -> str:
        return str(self.context["request"].build_absolute_uri(reverse("api-job-detail", args=[job.pk])))


class JobViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """The jobs the caller started (administrators: everyone's), newest first. A job handed out by
    another endpoint (202 with `{"job": id, "url": ...}`) is polled here until `status` is `done`
    or `failed`."""

    serializer_class = JobSerializer
    pagination_class = PagePagination
    queryset = Job.objects.none()  # for the schema (the id's type); get_queryset scopes the rows
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self) -> QuerySet[Job]:
        user = self.request.user
        assert isinstance(user, User)  # IsAuthenticated ran first
        return visible_jobs(user)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def output(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The file the job produced (an export to file), as an attachment."""
        user = request.user
        assert isinstance(user, User)
        job = job_output(user, int(pk or 0)) if (pk or "").isdigit() else None
        if job is None or job.output is None:
            raise NotFound("This job has no file to download.")
        response = HttpResponse(bytes(job.output), content_type=job.output_type or "application/octet-stream")
        name = (job.output_name or f"job-{job.pk}").replace('"', "")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
