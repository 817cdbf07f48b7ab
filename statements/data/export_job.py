"""Export to file: the statement export run by the job worker (kind `export_statements`), kept on
the job and downloadable from its page (`/jobs/<id>/`) or `GET /api/jobs/<id>/output/`.

The same rows and bytes as the streaming export (statements/data/exporting.py) for the same
filters and the same user, taken when the worker runs it; JSONL and CSV end with the trailer of
statements/data/export_trailer.py (row count and SHA-256), so a saved file can be checked.
Started by `POST /api/export/statements` (the GET's parameters, 202 with the job).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict

from statements.data import export_trailer, exporting
from statements.filters import StatementFilter
from statements.models import Job, User
from statements.selectors import catalog
from statements.services.jobs import JobOutput, Progress, job_start

KIND = "export_statements"
FILTER_NAMES = tuple(StatementFilter.base_filters)


def start_export(
    *,
    user: User,
    fmt: str,
    filters: dict[str, list[str]],
    raw: bool = False,
    base_url: str = "http://localhost",
) -> Job:
    """Queue an export of what `user` may see, `filters` as the GET's query parameters (checked
    now: an invalid value is a ValidationError, no job)."""
    if fmt not in exporting.FORMATS:
        raise ValidationError(
            {"format": [f"“{fmt}” is not a format; choose one of {', '.join(exporting.FORMATS)}."]}
        )
    kept = {
        name: [str(v) for v in values] for name, values in filters.items() if name in FILTER_NAMES and values
    }
    _queryset(user, kept)  # a bad filter value is refused before anything is queued
    params = {"format": fmt, "filters": kept, "raw": bool(raw), "base_url": base_url.rstrip("/")}
    return job_start(kind=KIND, user=user, params=params)


def _queryset(user: User, filters: dict[str, list[str]]) -> Any:
    data = QueryDict(mutable=True)
    for name, values in filters.items():
        data.setlist(name, values)
    filterset = StatementFilter(data=data, queryset=catalog.visible_statements(user))
    if not filterset.is_valid():
        raise ValidationError(
            {name: [str(m) for m in messages] for name, messages in filterset.errors.items()}
        )
    return filterset.qs


def run_export(job: Job, progress: Progress) -> JobOutput:
    fmt = str(job.params.get("format", "jsonl"))
    queryset = _queryset(job.user, dict(job.params.get("filters") or {}))
    total = queryset.count()
    progress(0, total, f"Exporting {total:,} statement{'s' if total != 1 else ''}…")
    counter = export_trailer.RowCounter()

    def on_rows(n: int) -> None:
        counter(n)
        progress(counter.rows, total)

    base_url = str(job.params.get("base_url") or "http://localhost")
    chunks: Iterator[bytes] = exporting.export_statements(
        queryset, fmt=fmt, base_url=base_url, on_rows=on_rows, raw=bool(job.params.get("raw"))
    )
    if fmt in export_trailer.FORMATS:
        chunks = export_trailer.with_trailer(chunks, fmt, counter)
    data = b"".join(chunks)
    progress(total, total, "Exported.")
    return JobOutput(
        name=exporting.export_filename(fmt),
        content_type=exporting.CONTENT_TYPES[fmt],
        data=data,
        summary={"format": fmt, "rows": counter.rows, "bytes": len(data)},
    )
