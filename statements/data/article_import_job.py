"""Big article imports as a background job (kind `import_articles`, registered in statements/tasks.py).

`POST /api/articles/import/` with a body over INLINE_MAX_BYTES (or `?background=true`) and the
upload page with more than that in its files hand the bytes to `start_article_import`; the worker
runs `run_article_import`: the same reader and the same all-or-nothing import as the inline path
(statements/data/importing.py), with progress per item; the counts are the job's result and the
outcome per item (the inline answer's body, with `text_differs`: the items whose URL is an existing
article's with another text, offered as a text replacement, not imported) its downloadable file,
`import-report.json`; the
messages per item are its errors when anything is refused (then nothing is stored).
"""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from statements import permissions
from statements.data.importing import ImportFailed, import_articles, read_items
from statements.models import Job, Project, User
from statements.services.jobs import JobOutput, Progress, job_start

KIND = "import_articles"
# Above this a request would risk the server's timeouts (about 1,000 articles of a few pages):
# the import goes to the worker. The job itself takes up to services.jobs.MAX_PAYLOAD_BYTES.
INLINE_MAX_BYTES = 1024 * 1024


def start_article_import(
    *, user: User, project: Project, payload: bytes, name: str = "", names: list[str] | None = None
) -> Job:
    """Queue the import of `payload` (a JSON array or JSON Lines of articles) into `project`.
    `names` labels the items in messages
    (the upload page's file names) instead of "item 3" / "line 12". Refused now, not by the
    worker, when `user` may not add articles to `project` (or it is archived)."""
    if not permissions.can_create_article(user, project):
        if project.archived:
            raise ValidationError({"project": [f"“{project}” is archived: nothing can be added to it."]})
        raise PermissionDenied("Only analysts and leads of the project can add articles.")
    params: dict[str, Any] = {"project": project.pk}
    if names:
        params["names"] = names
    return job_start(
        kind=KIND, user=user, project=project, params=params, payload=payload, payload_name=name or "import"
    )


def texts_as_payload(files: list[tuple[str, str]]) -> bytes:
    """Text files (title, text) as the JSON array the job reads."""
    return json.dumps([{"title": title, "text": text} for title, text in files], ensure_ascii=False).encode()


def run_article_import(job: Job, progress: Progress) -> JobOutput:
    if job.project is None:
        raise ValidationError("The project of this import no longer exists.")
    names: list[str] = list(job.params.get("names") or [])
    try:
        items = list(read_items(io.BytesIO(bytes(job.payload or b""))))
    except ImportFailed as exc:  # not JSON at all
        raise ValidationError(
            [
                message
                for errors in exc.errors.values()
                for messages in errors.values()
                for message in messages
            ]
        ) from None
    if not items:
        raise ValidationError("The file holds no article.")
    labels = [names[i] if i < len(names) else where for i, (where, _) in enumerate(items)]
    total = len(items)
    progress(0, total, f"Checking and importing {total:,} article{'s' if total != 1 else ''}…")
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        progress(done)

    try:
        report = import_articles(
            ((i, raw) for i, (_, raw) in enumerate(items)), user=job.user, project=job.project, on_item=tick
        )
    except ImportFailed as exc:
        problems = [
            f"{labels[position]}: {'' if field == 'non_field_errors' else field + ': '}{message}"
            for position, errors in sorted(exc.errors.items())
            for field, messages in errors.items()
            for message in messages
        ]
        raise ValidationError(
            [f"Nothing was imported: {len(exc.errors):,} of {total:,} items are invalid."] + problems
        ) from None
    progress(total, total, "Imported.")
    outcome = {
        "created": report.created,
        "existing": report.existing,
        "articles": [
            {"item": labels[a.position], "index": a.position, "id": a.id, "created": a.created}
            for a in report.articles
        ],
        # Issue 14: items whose URL is an existing article's with another text are not imported
        # (the same offer as the inline answer's `text_differs`: the article and its text editor).
        "text_differs": [{"item": labels[d.position], **d.as_dict()} for d in report.text_differs],
    }
    # The counts are the job's result; the outcome per item (which article each item became) is
    # its file, the inline import's answer body, so that a script can match items to ids.
    return JobOutput(
        name="import-report.json",
        content_type="application/json",
        data=json.dumps(outcome, ensure_ascii=False, indent=1).encode(),
        summary={
            "created": report.created,
            "existing": report.existing,
            "text_differs": len(report.text_differs),
            "read": total,
        },
    )
