"""Forms for the pages: they parse what the browser sends and render it back with errors.

They hold no business rules. Fields are lenient (text in, text out); the views pass the values
to statements/services.py, and `add_service_errors` attaches the service's ValidationError
messages to the right fields. The only work done here is what the service cannot know about:
decoding an uploaded file, and converting the browser's UTF-16 offsets to code points.

Offsets, once and only here: the browser measures a selection in UTF-16 code units over the
text container (that is what JavaScript strings and DOM Ranges count); the database stores Unicode
code points (statements/models.py). `Utf16Text.to_code_points` converts, the service then checks
the quote against `article.text[start:end]`, so a wrong measurement is an error, never a
misplaced highlight.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from statements import services
from statements.agreement import condition_key
from statements.models import Actor, ActorKind, Article, Condition, Project, Statement
from statements.services import signin

MAX_UPLOAD_BYTES = 4 * 1024 * 1024  # 500,000 characters of UTF-8 fit, with room to spare


def add_service_errors(form: forms.Form, exc: ValidationError, aliases: Mapping[str, str] = {}) -> None:  # noqa: B006
    """Show a service's ValidationError on `form`: each message under its field (renamed through
    `aliases`), or at the top of the form when the form has no such field."""
    if hasattr(exc, "error_dict"):
        for field, messages in exc.message_dict.items():
            name = aliases.get(field, field)
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class Utf16Text:
    """An article text seen as the browser sees it, to convert offsets from UTF-16 code units to
    code points. Encodes the text at most once per request."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._units: bytes | None = None

    def to_code_points(self, offset: int, *, field: str = "quote") -> int:
        """The code-point offset of UTF-16 `offset`. Out-of-range offsets are passed on shifted
        (negative stays negative, past the end stays past the end) so that the service reports
        them in its own words; an offset inside a surrogate pair (half an emoji) is refused."""
        if offset <= 0:
            return offset
        if self._units is None:
            self._units = self.text.encode("utf-16-le")
        total = len(self._units) // 2
        if offset >= total:
            return len(self.text) + (offset - total)
        try:
            return len(self._units[: 2 * offset].decode("utf-16-le"))
        except UnicodeDecodeError:
            raise ValidationError(
                {
                    field: [
                        f"The selection boundary at position {offset} falls inside a character; select again."
                    ]
                }
            ) from None


# --------------------------------------------------------------------------------------------
# Statements


@dataclass
class ConditionRow:
    """One condition as the form shows and sends it. `pk` is set for an existing condition (its
    stored evidence is kept); `ev_start`/`ev_end` are UTF-16 offsets of newly highlighted evidence."""

    description: str = ""
    pk: str = ""
    ev_start: str = ""
    ev_end: str = ""
    ev_quote: str = ""


class StatementForm(forms.Form):
    """The tagging panel (new statement) and the edit form (existing statement).

    New statements send `start_u16`/`end_u16` (UTF-16) and the quote; edits send them too (the
    span can be corrected) or leave them out (the span stays). Conditions come as parallel lists
    (`condition`, `condition_id`, `condition_ev_start`,
    `condition_ev_end`, `condition_ev_quote`), one entry per row of the panel.
    """

    start_u16 = forms.IntegerField(required=False, label="Selection start")
    end_u16 = forms.IntegerField(required=False, label="Selection end")
    quote = forms.CharField(required=False, strip=False)
    stance = forms.CharField(required=False)
    speaker = forms.CharField(required=False)
    addressee = forms.CharField(required=False)
    note = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    version = forms.IntegerField(required=False)

    ROW_FIELDS = ("condition", "condition_id", "condition_ev_start", "condition_ev_end", "condition_ev_quote")

    def __init__(
        self, data: Any = None, *, article: Article, statement: Statement | None = None, **kwargs: Any
    ) -> None:
        self.article = article
        self.statement = statement
        if statement is not None and data is None:

            def u16(offset: int) -> int:  # the browser's offset of a code-point offset
                return len(article.text[:offset].encode("utf-16-le")) // 2

            kwargs.setdefault(
                "initial",
                {
                    "start_u16": u16(statement.start),
                    "end_u16": u16(statement.end),
                    "quote": statement.quote,
                    "stance": statement.stance,
                    "speaker": statement.speaker_id or "",
                    "addressee": statement.addressee_id or "",
                    "note": statement.note,
                    "version": statement.version,
                },
            )
        super().__init__(data, **kwargs)
        self._actors: dict[str, Actor] | None = None
        self.condition_rows = self._rows()

    def _rows(self) -> list[ConditionRow]:
        if self.is_bound:
            lists = [self.data.getlist(name) for name in self.ROW_FIELDS]  # type: ignore[attr-defined]  # a QueryDict
            if len({len(values) for values in lists}) > 1:
                self.add_error(None, "The conditions arrived incomplete; reload the page and try again.")
                return []
            return [ConditionRow(*values) for values in zip(*lists, strict=True)]
        if self.statement is not None:
            return [
                ConditionRow(c.description, str(c.pk), "", "", c.evidence_quote)
                for c in self.statement.conditions.all()
            ]
        return []

    def _actor(self, field: str) -> Actor | None:
        """The actor chosen in a picker, to show its name (one query for both pickers)."""
        if not self.is_bound and self.statement is not None:
            return getattr(self.statement, field)
        value = str(self[field].value() or "")
        if not value.isdigit():
            return None
        if self._actors is None:
            ids = [str(self[f].value() or "") for f in ("speaker", "addressee")]
            self._actors = {
                str(a.pk): a for a in Actor.objects.filter(pk__in=[i for i in ids if i.isdigit()])
            }
        return self._actors.get(value)

    @property
    def speaker_actor(self) -> Actor | None:
        return self._actor("speaker")

    @property
    def addressee_actor(self) -> Actor | None:
        return self._actor("addressee")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.statement is None:
            for name in ("start_u16", "end_u16"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error("quote", "Select the quote in the text first.")
                    break
        return data

    def service_data(self) -> dict[str, Any]:
        """The keyword arguments for services.statement_create/statement_update: offsets
        converted to code points (the one conversion), conditions as dicts. Raises
        ValidationError for offsets that split a character."""
        data = self.cleaned_data
        text = Utf16Text(self.article.text)
        out: dict[str, Any] = {
            "stance": data["stance"],
            "speaker": data["speaker"] or None,
            "addressee": data["addressee"] or None,
            "note": data["note"],
            "conditions": self._service_conditions(text),
        }
        if self.statement is None or (data["start_u16"] is not None and data["end_u16"] is not None):
            out["start"] = text.to_code_points(data["start_u16"])
            out["end"] = text.to_code_points(data["end_u16"])
            out["quote"] = data["quote"]
        return out

    def _service_conditions(self, text: Utf16Text) -> list[dict[str, Any]]:
        existing = {str(c.pk): c for c in self.statement.conditions.all()} if self.statement else {}
        out = []
        for row in self.condition_rows:
            item: dict[str, Any] = {"description": row.description}
            if row.ev_start.strip() or row.ev_end.strip():
                try:
                    start, end = int(row.ev_start), int(row.ev_end)
                except ValueError:
                    raise ValidationError(
                        {"conditions": ["A condition's evidence has no valid offsets."]}
                    ) from None
                item.update(
                    evidence_start=text.to_code_points(start, field="conditions"),
                    evidence_end=text.to_code_points(end, field="conditions"),
                    evidence_quote=row.ev_quote,
                )
            elif row.pk in existing and existing[row.pk].has_evidence:
                kept = existing[row.pk]
                item.update(
                    evidence_start=kept.evidence_start,
                    evidence_end=kept.evidence_end,
                    evidence_quote=kept.evidence_quote,
                )
            elif not row.description.strip():
                continue  # an empty row the analyst added and left blank
            out.append(item)
        return out


# --------------------------------------------------------------------------------------------
# Articles


class ArticleForm(forms.Form):
    """New article: paste the text, or upload a .txt file (UTF-8), with metadata, into one of
    the projects where the user may add articles."""

    project = forms.TypedChoiceField(coerce=int, empty_value=None, required=False)
    title = forms.CharField(required=False, max_length=300)
    source = forms.CharField(required=False, help_text="The outlet, e.g. Reuters.")
    url = forms.CharField(required=False, label="URL", widget=forms.URLInput)
    published = forms.CharField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    dateline = forms.CharField(required=False, help_text="Place, e.g. MOSCOW.")
    language = forms.CharField(required=False, initial="en")
    text = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text="Paste the body text. Line ends and Unicode are normalized; once statements point "
        "into it, the text cannot change.",
    )
    file = forms.FileField(
        required=False,
        label="Or upload a .txt file",
        help_text="Plain text in UTF-8; its name becomes the title if you leave the title empty.",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is None:
            return data
        name = PurePath(upload.name or "").name
        if not name.lower().endswith(".txt"):
            self.add_error("file", f"“{name}” is not a .txt file; upload plain text.")
            return data
        if upload.size > MAX_UPLOAD_BYTES:
            self.add_error("file", f"The file has {upload.size:,} bytes; the limit is {MAX_UPLOAD_BYTES:,}.")
            return data
        if (data.get("text") or "").strip():
            self.add_error("file", "Paste the text or upload a file, not both.")
            return data
        try:
            data["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            self.add_error("file", f"“{name}” is not UTF-8 text; save it as UTF-8 and upload it again.")
            return data
        if not (data.get("title") or "").strip():
            data["title"] = PurePath(name).stem.replace("_", " ").strip()
        return data

    def __init__(self, *args: Any, projects: Sequence[Project] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.projects = {p.pk: p for p in projects}
        field = self.fields["project"]
        field.choices = [(p.pk, p.name) for p in projects]  # type: ignore[attr-defined]
        if len(projects) == 1:
            field.initial = projects[0].pk
        field.required = len(projects) > 1

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in ArticleForm.SERVICE_FIELDS}
        data["project"] = self.projects.get(self.cleaned_data.get("project") or 0)
        return data

    SERVICE_FIELDS = ("title", "text", "source", "url", "published", "dateline", "language")


# --------------------------------------------------------------------------------------------
# Actors


class ActorForm(forms.Form):
    """Create or edit an actor. Choices are for display; the service validates the values."""

    name = forms.CharField(required=False)
    kind = forms.CharField(required=False, widget=forms.Select(choices=ActorKind.choices))
    affiliation = forms.CharField(required=False, widget=forms.Select)
    aliases = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line, e.g. “the Kremlin”, “the Russian leader”.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, actor: Actor | None = None, choices: list[tuple[int, str]], **kwargs: Any):
        if actor is not None and not args and "data" not in kwargs:
            kwargs.setdefault(
                "initial",
                {
                    "name": actor.name,
                    "kind": actor.kind,
                    "affiliation": actor.affiliation_id or "",
                    "aliases": "\n".join(actor.alias_names),
                    "description": actor.description,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["affiliation"].widget.choices = [
            ("", "— none —"),
            *((pk, name) for pk, name in choices if actor is None or pk != actor.pk),
        ]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "kind": data["kind"] or ActorKind.PERSON,
            "affiliation": data["affiliation"] or None,
            "aliases": data["aliases"].splitlines(),
            "description": data["description"],
        }


class GoldForm(forms.Form):
    """The lead's merged version of a unit. Lenient on purpose: the service validates (offsets,
    quote against the text, stance, actors, conditions) and its messages come back inline."""

    start = forms.CharField(required=False, label="Start")
    end = forms.CharField(required=False, label="End")
    quote = forms.CharField(required=False, strip=False, label="Quote", widget=forms.Textarea)
    stance = forms.CharField(required=False, label="Stance")
    speaker = forms.CharField(required=False, label="Speaker")
    addressee = forms.CharField(required=False, label="Addressee")
    note = forms.CharField(required=False, label="Note", widget=forms.Textarea)
    conditions = forms.CharField(required=False, label="Conditions", widget=forms.Textarea)

    @classmethod
    def from_statement(cls, statement: Statement) -> GoldForm:
        """A form prefilled with one analyst's version (uses its conditions prefetch)."""
        return cls(
            initial={
                "start": statement.start,
                "end": statement.end,
                "quote": statement.quote,
                "stance": statement.stance,
                "speaker": statement.speaker_id or "",
                "addressee": statement.addressee_id or "",
                "note": statement.note,
                "conditions": "\n".join(c.description for c in statement.conditions.all()),
            }
        )

    def service_data(self, evidence: Mapping[str, Condition]) -> dict[str, Any]:
        """Arguments for services.statement_adjudicate. One condition per line; a line worded
        like a source's condition keeps that condition's evidence span. The browser sends a
        textarea's line ends as \\r\\n: the quote is normalized like the article text."""
        data = self.cleaned_data
        conditions = []
        for line in data["conditions"].splitlines():
            description = " ".join(line.split())
            if not description:
                continue
            condition: dict[str, Any] = {"description": description}
            source = evidence.get(condition_key(description))
            if source is not None:
                condition.update(
                    evidence_start=source.evidence_start,
                    evidence_end=source.evidence_end,
                    evidence_quote=source.evidence_quote,
                )
            conditions.append(condition)
        return {
            "start": data["start"].strip(),
            "end": data["end"].strip(),
            "quote": services.normalize_text(data["quote"]),
            "stance": data["stance"],
            "speaker": data["speaker"] or None,
            "addressee": data["addressee"] or None,
            "note": data["note"],
            "conditions": conditions,
        }


# --------------------------------------------------------------------------------------------
# Sign-in, throttled (statements/services/signin.py): the sign-in page and the admin's


def client_address(request: Any) -> str | None:
    """The address a request came from (REMOTE_ADDR: the proxy in front sets it; see deploy/)."""
    return request.META.get("REMOTE_ADDR") if request is not None else None


class SignInForm(AuthenticationForm):
    """Django's sign-in form under the throttle (statements/services/signin.py)."""

    throttled = False

    def clean(self) -> dict[str, Any]:
        try:
            return signin.signin_attempt(
                username=self.cleaned_data.get("username"),
                address=client_address(self.request),
                check=super().clean,
            )
        except ValidationError as exc:
            self.throttled = any(e.code == "throttled" for e in exc.error_list)
            raise
