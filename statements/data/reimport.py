"""Re-import of an article already in the project (issue 14): an imported item whose URL is an
existing article's, with another text, is a new version of that article, not a new article.

It is taken out of the import's batch (`take_url_matches`, called by data/importing.py once per
batch: one query) and reported as `TextDiffers`: the import OFFERS to replace the text (the API
answer and the command list it, the upload page links to the text editor's preview with the new
text). With ``replace_text`` it replaces the text through the same service as the editor
(services.text_edits.text_edit_apply, mode "replace": every statement re-found by quote and
context, or orphaned). Items without a URL, or whose text is already stored, are left to the
import as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from statements.models import Article, Project, User
from statements.services import normalize_text, project_for_writing, text_edits, text_sha256


@dataclass
class TextDiffers:
    """An imported item whose URL is the existing article `article_id`'s, with another text."""

    position: Any
    article_id: int
    title: str
    text: str  # the imported text, normalized
    replaced: bool = False
    counts: dict[str, int] | None = None  # outcomes per statement, once replaced

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.position,
            "article": self.article_id,
            "replaced": self.replaced,
            "counts": self.counts,
            "edit": f"/articles/{self.article_id}/text/",
        }


def take_url_matches(
    *,
    user: User | None,
    project: Project | None,
    batch: list[tuple[Any, dict[str, Any]]],
    replace_text: bool,
    write: bool,
    errors: dict[Any, dict[str, list[str]]],
) -> list[TextDiffers]:
    """Take the items of `batch` (position, fields) whose URL is an existing article's of the
    project with another text out of it (in place) and return them; replace the texts when
    `replace_text` and `write` (an item that cannot be replaced gets its messages in `errors`)."""
    urls = {
        fields["url"].strip()
        for _, fields in batch
        if isinstance(fields.get("url"), str) and fields["url"].strip()
    }
    if not urls:
        return []
    try:
        project = project_for_writing(user=user, project=project)
    except (ValidationError, PermissionDenied):
        return []  # the import itself reports it
    by_url: dict[str, list[Article]] = {}
    for a in Article.objects.filter(project=project, url__in=urls).only("pk", "url", "title", "text_sha256"):
        by_url.setdefault(a.url, []).append(a)
    out: list[TextDiffers] = []
    keep: list[tuple[Any, dict[str, Any]]] = []
    for position, fields in batch:
        raw_url = fields.get("url")
        url = raw_url.strip() if isinstance(raw_url, str) else ""
        same = by_url.get(url, [])
        if len(same) != 1 or not isinstance(fields.get("text"), str):
            keep.append((position, fields))  # no match, or several articles with this URL: no guess
            continue
        text = normalize_text(fields["text"])
        if text_sha256(text) == same[0].text_sha256:
            keep.append((position, fields))  # the same text: "existing", as before
            continue
        out.append(TextDiffers(position, same[0].pk, same[0].title, text))
    batch[:] = keep
    if replace_text and write:
        for item in out:
            _replace(item, user, errors)
    return out


def _replace(item: TextDiffers, user: User | None, errors: dict[Any, dict[str, list[str]]]) -> None:
    if user is None:
        errors[item.position] = {
            "text": ["Replacing an article's text needs a user (--user) for its history."]
        }
        return
    article = Article.objects.get(pk=item.article_id)
    try:
        with transaction.atomic():
            result = text_edits.text_edit_apply(article=article, user=user, text=item.text, mode="replace")
    except PermissionDenied as exc:
        errors[item.position] = {"text": [f"Article #{item.article_id} has this URL: {exc}"]}
    except ValidationError as exc:
        errors[item.position] = exc.message_dict if hasattr(exc, "error_dict") else {"text": exc.messages}
    else:
        item.replaced, item.counts = True, result.counts
