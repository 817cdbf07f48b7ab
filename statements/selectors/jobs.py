"""Reads of background jobs: a user sees the jobs they started (an administrator sees all)."""

from __future__ import annotations

from django.db.models import QuerySet

from statements.models import Job, User

LIST_LIMIT = 100


def visible_jobs(user: User) -> QuerySet[Job]:
    """The user's jobs, newest first, without the (possibly large) payload and output bytes."""
    jobs = Job.objects.select_related("project").defer("payload", "output")
    return jobs if user.is_superuser else jobs.filter(user=user)


def job_for(user: User, pk: int) -> Job | None:
    return visible_jobs(user).filter(pk=pk).first()


def job_output(user: User, pk: int) -> Job | None:
    """The job with its output bytes, if the user may see it and it produced a file."""
    jobs = Job.objects.select_related("project").defer("payload")
    if not user.is_superuser:
        jobs = jobs.filter(user=user)
    return jobs.filter(pk=pk).exclude(output=None).first()
