"""Background jobs: start one, report its progress, run it (the worker calls `job_execute`).

A job is a row (`models.Job`) plus one django.tasks task (`run_job` below) that the
worker picks up; with the database backend the queue row is written in the same transaction as
the job, so a job is either fully queued or not at all. What a job does is a *handler* registered
by kind in `statements.tasks.HANDLERS`: `handler(job, progress) -> dict | JobOutput`. A handler
raises `ValidationError` for the user's mistakes (the messages become the job's `errors`); any
other exception fails the job with a generic message (the traceback goes to the log, never to the
user).

Progress is written to the "jobs" cache (Redis in production, files or memory otherwise) because a
handler usually holds one transaction for its whole run, and a row update inside it would stay
invisible to the page polling it until the end. `job_state` merges the row and the cache.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from statements.models import Job, JobStatus, Project, User
from statements.tasks import HANDLERS

logger = logging.getLogger(__name__)

MAX_PAYLOAD_BYTES = 64 * 1024 * 1024
PROGRESS_EVERY_SECONDS = 0.25


@dataclass(frozen=True)
class JobOutput:
    """A file a job produced, kept on the job and downloadable from its page."""

    name: str
    content_type: str
    data: bytes
    summary: dict[str, Any] = field(default_factory=dict)


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


class Progress:
    """`progress(done, total=None, message="")`: cheap to call per row (throttled to a few writes
    a second); the last call before a job ends is always written."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.done = 0
        self.total: int | None = job.total
        self.message = ""
        self._written_at = 0.0

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        self.done = max(0, int(done))
        if total is not None:
            self.total = max(0, int(total))
        if message:
            self.message = message[:300]
        now = time.monotonic()
        finished = self.total is not None and self.done >= self.total
        if finished or now - self._written_at >= PROGRESS_EVERY_SECONDS:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        self._written_at = time.monotonic() if now is None else now
        caches["jobs"].set(
            _progress_key(self.job.pk),
            {"done": self.done, "total": self.total, "message": self.message},
        )


def job_start(
    *,
    kind: str,
    user: User,
    project: Project | None = None,
    params: dict[str, Any] | None = None,
    payload: bytes | None = None,
    payload_name: str = "",
) -> Job:
    """Queue a job of a registered kind. The caller has checked that `user` may do the work."""
    if kind not in HANDLERS:
        raise ValidationError({"kind": [f"Unknown job kind {kind!r}."]})
    if payload is not None and len(payload) > MAX_PAYLOAD_BYTES:
        raise ValidationError({"file": [f"The file is larger than {MAX_PAYLOAD_BYTES // (1024 * 1024)} MB."]})
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            user=user,
            project=project,
            params=params or {},
            payload=payload,
            payload_name=payload_name[:255],
        )
        result = run_job.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{name}: {message}" for name, messages in error.message_dict.items() for message in messages]
    return list(error.messages)


def job_execute(job_id: int) -> None:
    """Run one job (the worker's side). Never raises for a handled failure: the job row says it."""
    job = Job.objects.select_related("user", "project").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        return  # deleted meanwhile, or already taken by another worker
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return
    job.status = JobStatus.RUNNING
    progress = Progress(job)
    handler: Callable[[Job, Progress], Any] = import_string(HANDLERS[job.kind])
    changes: dict[str, Any]
    try:
        outcome = handler(job, progress)
    except ValidationError as error:
        changes = {"status": JobStatus.FAILED, "errors": _messages(error)[:1000]}
    except Exception:  # a bug or an outage: logged with its traceback, the user sees a plain message
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        changes = {"status": JobStatus.FAILED, "errors": ["The job stopped because of an internal error."]}
    else:
        changes = {"status": JobStatus.DONE, "errors": []}
        if isinstance(outcome, JobOutput):
            changes |= {
                "output": outcome.data,
                "output_name": outcome.name[:255],
                "output_type": outcome.content_type[:100],
                "result": outcome.summary or {"bytes": len(outcome.data)},
            }
        else:
            changes["result"] = outcome if outcome is not None else {}
    progress.flush()
    Job.objects.filter(pk=job.pk).update(
        finished_at=timezone.now(),
        done=progress.done,
        total=progress.total,
        message=progress.message,
        payload=None,  # the upload is not needed once the job has run
        **changes,
    )
    caches["jobs"].delete(_progress_key(job.pk))


@task
def run_job(job_id: int) -> None:
    """The one django.tasks task: the worker (`manage.py db_worker`) runs the job by its id."""
    job_execute(job_id)


def job_state(job: Job) -> dict[str, Any]:
    """Status and progress of a job: the row, overlaid with live progress while it runs."""
    state: dict[str, Any] = {"done": job.done, "total": job.total, "message": job.message}
    if job.status == JobStatus.RUNNING:
        live = caches["jobs"].get(_progress_key(job.pk))
        if isinstance(live, dict):
            state.update({k: live.get(k) for k in ("done", "total", "message")})
    total = state["total"]
    if job.status == JobStatus.DONE:
        state["percent"] = 100
    elif total:
        state["percent"] = min(100, int(100 * (state["done"] or 0) / total))
    else:
        state["percent"] = None
    return state


def job_delete(*, job: Job, user: User) -> None:
    """Forget a finished job (its output too). Only its owner or an admin."""
    from django.core.exceptions import PermissionDenied

    if job.user_id != user.pk and not user.is_superuser:
        raise PermissionDenied("Only the person who started a job can delete it.")
    if not job.is_finished:
        raise ValidationError("A job that has not finished cannot be deleted.")
    job.delete()
