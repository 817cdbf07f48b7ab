"""Bulk import of articles (JSON array or JSONL), shared by `POST /api/articles/import/` and
`manage.py import_articles`.

All or nothing: every item is checked (its shape here, its rules by the services) inside
one transaction, and one bad item rolls the whole import back, with a message per item and field.
Articles land in one project and are unique there by the sha256 of their normalized text, so an
item whose text is already stored in the project (or appeared earlier in the same file) is reported
as existing, not created twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction

from statements.data import reimport
from statements.models import Project, User
from statements.services import bulk


@dataclass
class ImportedArticle:
    position: Any
    id: int
    created: bool


@dataclass
class ImportReport:
    articles: list[ImportedArticle] = field(default_factory=list)
    # Items whose URL is an existing article's with another text (issue 14, data/reimport.py).
    text_differs: list[reimport.TextDiffers] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for a in self.articles if a.created)

    @property
    def existing(self) -> int:
        return sum(1 for a in self.articles if not a.created)


class ImportFailed(Exception):
    """Nothing was imported. `errors` maps an item's position to its field messages."""

    def __init__(self, errors: dict[Any, dict[str, list[str]]]):
        super().__init__(f"{len(errors)} item(s) are invalid; nothing was imported.")
        self.errors = errors


# Bounds of what is worth reading; lengths, blanks and formats of the values are the services' to
# judge, with their own messages. Other keys of an item are ignored.
_TEXT_LIMITS = {"title": 10_000, "text": 2_000_000}
_OPTIONAL_TEXT = ("source", "url", "dateline", "language")
_OPTIONAL_LIMIT = 10_000
BATCH = 500


def article_fields(raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The shape of one imported article: `(fields for services.article_get_or_create, errors by
    field)`. Title and text are required strings, the other texts optional strings, `published`
    an ISO date (YYYY-MM-DD) or null."""
    fields: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, limit in _TEXT_LIMITS.items():
        value = raw.get(name)
        if value is None or value == "":
            errors[name] = ["This field is required."]
        elif not isinstance(value, str):
            errors[name] = ["Not a valid string."]
        elif len(value) > limit:
            errors[name] = [f"Ensure this field has no more than {limit} characters."]
        else:
            fields[name] = value
    for name in _OPTIONAL_TEXT:
        value = raw.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[name] = ["Not a valid string."]
        elif len(value) > _OPTIONAL_LIMIT:
            errors[name] = [f"Ensure this field has no more than {_OPTIONAL_LIMIT} characters."]
        else:
            fields[name] = value
    published = raw.get("published")
    if published is not None:
        try:
            if not isinstance(published, str):
                raise ValueError
            fields["published"] = dt.date.fromisoformat(published) if published else None
        except ValueError:
            errors["published"] = ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]
    return fields, errors


def import_articles(
    items: Iterable[tuple[Any, Any]],
    *,
    user: User | None,
    project: Project | None = None,
    on_item: Callable[[], None] | None = None,
    replace_text: bool = False,
) -> ImportReport:
    """Import `(position, item)` pairs (position: an index, or a line number) as `user` (None: an
    operator's command) into `project` (left out: the one project where `user` may add articles,
    see services.project_for_writing). Raises ImportFailed, having stored nothing, if any item
    is invalid; PermissionDenied if `user` may not add articles.

    In batches of BATCH items (services.bulk.articles_get_or_create: validated, normalized and
    hashed in Python, one query for the texts already there, one bulk insert), in one
    transaction; once an item is invalid the rest are only checked.

    An item whose URL is an existing article's with another text is not created: it is listed in
    `text_differs` (an offer), or with `replace_text` replaces that article's text through the
    text-edit service (data/reimport.py)."""
    report = ImportReport()
    errors: dict[Any, dict[str, list[str]]] = {}
    batch: list[tuple[Any, dict[str, Any]]] = []

    def flush() -> None:
        report.text_differs += reimport.take_url_matches(
            user=user,
            project=project,
            batch=batch,
            replace_text=replace_text,
            write=not errors,
            errors=errors,
        )
        if not batch:
            return
        outcomes = bulk.articles_get_or_create(
            user=user, project=project, items=[fields for _, fields in batch], write=not errors
        )
        for (position, _), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, dict):
                errors[position] = outcome
            else:
                report.articles.append(ImportedArticle(position=position, id=outcome[0], created=outcome[1]))
        batch.clear()

    with transaction.atomic():
        for position, raw in items:
            if on_item:
                on_item()
            if isinstance(raw, NotJSON):
                errors[position] = {"non_field_errors": [f"This line is not a JSON document: {raw.message}"]}
                continue
            if not isinstance(raw, Mapping):
                errors[position] = {"non_field_errors": ["Each article must be a JSON object."]}
                continue
            fields, problems = article_fields(raw)
            if problems:
                errors[position] = problems
                continue
            batch.append((position, fields))
            if len(batch) >= BATCH:
                flush()
        flush()
        if errors:
            raise ImportFailed(errors)
    return report


def read_items(stream: IO[bytes]) -> Iterator[tuple[str, Any]]:
    """`(where, item)` from a JSON array ("item 3", counting from 1) or JSONL ("line 12")."""
    head, skipped_lines = stream.read(1), 0
    while head and head.isspace():
        skipped_lines += head == b"\n"
        head = stream.read(1)
    if head == b"[":
        try:
            items = json.loads(head + stream.read())
        except ValueError as exc:  # also invalid UTF-8
            raise ImportFailed(
                {"file": {"non_field_errors": [f"The file is not a JSON array: {exc}"]}}
            ) from None
        for number, item in enumerate(items, start=1):
            yield f"item {number}", item
        return
    for number, line in enumerate(_lines(head, stream), start=skipped_lines + 1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except ValueError as exc:
            yield f"line {number}", NotJSON(str(exc))


def _lines(head: bytes, stream: IO[bytes]) -> Iterator[bytes]:
    first = True
    for line in stream:
        yield (head + line) if first else line
        first = False
    if first and head:
        yield head


@dataclass
class NotJSON:
    """A JSONL line that is not JSON: reported with the other invalid items."""

    message: str
