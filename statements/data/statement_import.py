"""Import statements from a file in our own or a peer's format, shared by `manage.py
import_statements`, `POST /api/statements/import/` and the project's statement upload page (as a
background job).

Reading is `statements.data.formats` (streamed: JSON Lines line by line, JSON arrays element by
element, brat zips member by member); writing is `services.bulk.statements_import` (batched,
one transaction, all or nothing). Files that point at their articles instead of carrying the text
(our JSONL export, W3C annotations, event records) find the text in an article the importing user
may see, by the file's article id (or the `/api/articles/<id>/` IRI); the article is then copied
into the target project unless the project already holds the same text.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from queue import Empty, Full, Queue
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError

from statements import permissions
from statements.data import formats
from statements.data.formats import FormatError, InDocument, Problem
from statements.data.formats.stances import StanceMap
from statements.models import Article, Job, Project, User
from statements.selectors import catalog
from statements.services import bulk
from statements.services.bulk import BulkImportFailed, ImportOptions, ImportResult
from statements.services.jobs import job_start

FORMATS = ("jsonl", "label-studio", "doccano", "brat", "w3c", "workload", "events")
SPOOL_BYTES = 16 * 1024 * 1024
HEAD_BYTES = 64 * 1024

_ARTICLE_IRI = re.compile(r"/api/articles/(\d+)/?$")

Progress = Callable[[int, int | None], None]


def article_id_of(key: str | None) -> int | None:
    """Our article id from a document key: the id itself, or an `/api/articles/<id>/` IRI."""
    if not key:
        return None
    if key.isascii() and key.isdigit():
        return int(key) if len(key) < 19 else None
    match = _ARTICLE_IRI.search(key)
    return int(match.group(1)) if match else None


class _Texts:
    """`text_for` for the readers: the text of an article the user may see, by the document's
    key; remembers the article's metadata to fill in what the file leaves out."""

    def __init__(self, user: User):
        self.user = user
        self.cache: dict[int, dict[str, Any] | None] = {}

    def article(self, key: str | None) -> dict[str, Any] | None:
        pk = article_id_of(key)
        if pk is None:
            return None
        if pk not in self.cache:
            if len(self.cache) > 256:
                self.cache.clear()
            found = (
                catalog.visible_articles(self.user)
                .filter(pk=pk)
                .values("text", "title", "url", "source", "published")
                .first()
            )
            self.cache[pk] = None if found is None else dict(found)
        return self.cache[pk]

    def __call__(self, document: InDocument) -> str | None:
        found = self.article(document.key)
        return None if found is None else str(found["text"])

    def complete(self, document: InDocument) -> InDocument:
        found = self.cache.get(article_id_of(document.key) or 0) if document.has_text else None
        if found is None or found["text"] != document.text:  # the file's own text: left as it is
            return document
        return replace(
            document,
            title=document.title or found["title"],
            url=document.url or found["url"] or None,
            source=document.source or found["source"] or None,
            date=document.date or (found["published"].isoformat() if found["published"] else None),
        )


def seekable(stream: IO[bytes]) -> IO[bytes]:
    """`stream` if it can seek, else a spooled copy of it (stdin, a request body)."""
    try:
        if stream.seekable():
            return stream
    except (AttributeError, ValueError):
        pass
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned open)
    shutil.copyfileobj(stream, copy, 1024 * 1024)
    copy.seek(0)
    return copy


def guess(stream: IO[bytes], name: str | None) -> str:
    """The format of a seekable stream (its head and name), or a ValidationError."""
    at = stream.tell()
    head = stream.read(HEAD_BYTES)
    stream.seek(at)
    fmt = formats.guess_format(head, name)
    if fmt is None:
        raise ValidationError(
            {
                "format": [
                    f"The format of the file cannot be told from its content; name it ({', '.join(FORMATS)})."
                ]
            }
        )
    return fmt


def _size(stream: IO[bytes]) -> int | None:
    try:
        at = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(at)
        return end - at
    except (OSError, ValueError, AttributeError):
        return None


def parse_stance_map(value: str | Mapping[str, str] | None) -> dict[str, str] | None:
    """`"Endorse=support,Call=demand"` (or a mapping) → a stance map; None for the defaults."""
    if value is None or value == "":
        return None
    pairs: dict[str, str] = {}
    if isinstance(value, Mapping):
        pairs = {str(k): str(v) for k, v in value.items()}
    else:
        for part in re.split(r"[,\n;]", value):
            if not part.strip():
                continue
            label, sep, stance = part.partition("=")
            if not sep or not label.strip():
                raise ValidationError({"stance_map": [f"“{part.strip()}” is not label=stance."]})
            pairs[label.strip()] = stance.strip()
    try:
        StanceMap(pairs)
    except ValueError as exc:
        raise ValidationError({"stance_map": [str(exc)]}) from None
    return pairs


def import_statements_file(
    stream: IO[bytes],
    *,
    user: User,
    project: Project,
    fmt: str | None = None,
    name: str | None = None,
    stance_map: Mapping[str, str] | None = None,
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Read `stream` in `fmt` (guessed when None) and import it into `project` as `user`.
    Raises ValidationError for a bad format name, PermissionDenied, or BulkImportFailed with every
    problem of the file (nothing stored). `progress(done_bytes, total_bytes)` follows the reading."""
    if fmt is not None and fmt not in FORMATS:
        raise ValidationError({"format": [f"“{fmt}” is not a format; choose one of {', '.join(FORMATS)}."]})
    stream = seekable(stream)
    fmt = fmt or guess(stream, name)
    total = _size(stream)
    texts = _Texts(user)
    try:
        documents = formats.read(fmt, stream, stance_map=stance_map, name=name, text_for=texts)
    except ValueError as exc:  # a bad stance map
        raise ValidationError({"stance_map": [str(exc)]}) from None

    def completed() -> Iterator[InDocument]:
        source = documents if fmt in NEEDS_TEXT else read_ahead(documents)
        for document in source:
            yield texts.complete(document)

    def step(_document: InDocument) -> None:
        if progress is not None:
            with contextlib.suppress(OSError, ValueError):
                progress(stream.tell(), total)

    try:
        result = bulk.statements_import(
            user=user, project=project, documents=completed(), options=options, on_document=step
        )
    except FormatError as exc:  # raised before any document (a broken zip, say)
        raise BulkImportFailed(exc.problems) from None
    if progress is not None and total is not None:
        progress(total, total)
    return result


# Formats whose files point at an article instead of carrying its text: reading them looks the
# article up in the database, which stays in the importing thread (its connection, its transaction).
NEEDS_TEXT = frozenset({"jsonl", "w3c", "events"})
READ_AHEAD = 64
_DONE = object()


def read_ahead(documents: Iterator[InDocument]) -> Iterator[InDocument]:
    """`documents`, read and parsed by a second thread up to READ_AHEAD documents ahead, so that
    parsing the file (pure Python, no database) overlaps the database's work on the batch before
    (the driver releases the GIL while it waits for the server). The reader's exceptions (its
    FormatError at the end) are raised here, in the caller's thread."""
    queue: Queue[Any] = Queue(maxsize=READ_AHEAD)
    stop = threading.Event()

    def produce() -> None:
        try:
            for document in documents:
                while not stop.is_set():
                    try:
                        queue.put(document, timeout=0.5)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(_DONE)
        except BaseException as exc:  # handed over to the consumer  # noqa: BLE001
            queue.put(exc)

    thread = threading.Thread(target=produce, name="statement-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(Empty):
                queue.get_nowait()
            thread.join(timeout=0.1)


def failure_messages(error: BulkImportFailed) -> list[str]:
    return error.messages()


def problems_as_json(problems: list[Problem]) -> list[dict[str, str]]:
    return [{"location": p.location, "field": p.field, "message": p.message} for p in problems]


# ---------------------------------------------------------------------------------------------
# The background job ("import_statements", statements/tasks.py)


def options_from(params: Mapping[str, Any]) -> ImportOptions:
    return ImportOptions(
        unknown_speakers=params.get("unknown_speakers") or "error",
        unknown_annotators=params.get("unknown_annotators") or "inactive",
        predictions=params.get("predictions") or "skip",
    )


def run_import_job(job: Job, progress: Callable[..., None]) -> dict[str, Any]:
    """The job's handler: the uploaded file in `job.payload`, the choices in `job.params`."""
    if job.project is None or job.payload is None:
        raise ValidationError("The job has no project or no file.")
    user = job.user
    project = job.project

    def follow(done: int, total: int | None) -> None:
        progress(
            done, total, "Reading and checking the file…" if total is None or done < total else "Saving…"
        )

    try:
        result = import_statements_file(
            io.BytesIO(bytes(job.payload)),
            user=user,
            project=project,
            fmt=job.params.get("format") or None,
            name=job.payload_name or None,
            stance_map=job.params.get("stance_map") or None,
            options=options_from(job.params),
            progress=follow,
        )
    except BulkImportFailed as error:
        messages = error.messages()
        if error.unknown_speakers:
            messages.insert(0, "Unknown speakers: " + ", ".join(error.unknown_speakers))
        raise ValidationError(messages) from None
    summary = result.as_dict()
    summary["project"] = project.slug
    summary["articles"] = Article.objects.filter(project=project).count()
    return summary


KIND = "import_statements"
# Above this the request would risk the server's timeouts: the import goes to the worker.
INLINE_MAX_BYTES = 1024 * 1024


def check_may_import(user: User, project: Project) -> None:
    """Only analysts and leads of `project` import into it, and not while it is archived."""
    if not permissions.can_create_article(user, project):
        if project.archived:
            raise ValidationError({"project": [f"“{project}” is archived: nothing can be added to it."]})
        raise PermissionDenied("Only analysts and leads of the project can import statements.")


def start_statement_import(
    *,
    user: User,
    project: Project,
    payload: bytes,
    name: str = "",
    fmt: str | None = None,
    stance_map: Mapping[str, str] | None = None,
    options: ImportOptions | None = None,
) -> Job:
    """Queue the import of `payload` into `project` as a background job (`run_import_job`);
    refused now, not by the worker, when `user` may not import there or the format is unknown."""
    check_may_import(user, project)
    if fmt is not None and fmt not in FORMATS:
        raise ValidationError({"format": [f"“{fmt}” is not a format; choose one of {', '.join(FORMATS)}."]})
    options = options or ImportOptions()
    params: dict[str, Any] = {
        "format": fmt,
        "stance_map": dict(stance_map) if stance_map else None,
        "unknown_speakers": options.unknown_speakers,
        "unknown_annotators": options.unknown_annotators,
        "predictions": options.predictions,
    }
    return job_start(kind=KIND, user=user, project=project, params=params, payload=payload, payload_name=name)
