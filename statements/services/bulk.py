"""Bulk writes: statements imported from a file (any format `statements.data.formats` reads) and
articles imported in batches, without one ORM save per row.

`statements_import` takes the documents a reader yields (`InDocument`: an article's text with its
spans, offsets in code points of that text) and writes, in one transaction, the articles that are
not in the project yet, the statements, their conditions and one history entry per statement,
exactly what `services.statement_create` records (a "created" event by the importing user, its
`after` the `statement_snapshot`). Every span goes through the services' own validation
(`validate_span`, `_clean_conditions`, the stance, note and status rules); speakers and addressees
resolve through the actor registry by name or alias, compared by `actor_key` (`str.casefold`
over the database's own folding: any case, any script); annotators map to users by username.
All or nothing: every problem is collected with the document's location (line, task, file) and
field, and if there is one, nothing is stored (`BulkImportFailed`).

Rows are written in batches (`BATCH_SPANS` spans at a time: articles with `bulk_create`,
statements, conditions and history with multi-row INSERTs, COPY on PostgreSQL), so memory holds
one batch whatever the size of the file; the database's constraints and triggers check every row
as usual.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils import timezone

from statements import permissions
from statements.data.formats import FormatError, InDocument, InSpan, Problem
from statements.models import (
    MAX_ARTICLE_CHARS,
    Actor,
    ActorAlias,
    ActorKind,
    Article,
    Condition,
    EventAction,
    Project,
    Role,
    Stance,
    Statement,
    StatementEvent,
    Status,
    User,
    name_key,
)
from statements.services import (
    _clean_article_fields,
    _clean_conditions,
    condition_input,
    normalize_text,
    text_sha256,
    validate_span,
)

BATCH_SPANS = 2000
_STANCES = frozenset(Stance.values)
_STATUSES = frozenset(Status.values)
BATCH_ARTICLES = 500
MAX_PROBLEMS = 1000
MAX_NOTE = 5000

UnknownSpeakers = Literal["error", "create", "skip"]
UnknownAnnotators = Literal["inactive", "me"]
Predictions = Literal["statements", "skip"]

UNKNOWN_SPEAKERS: tuple[UnknownSpeakers, ...] = ("error", "create", "skip")
UNKNOWN_ANNOTATORS: tuple[UnknownAnnotators, ...] = ("inactive", "me")
PREDICTIONS: tuple[Predictions, ...] = ("statements", "skip")


@dataclass(frozen=True)
class ImportOptions:
    """What to do with what the registry and the accounts do not know.

    `unknown_speakers`: "error" (the default: the import fails and lists them), "create" (new
    actors, kind person) or "skip" (the statement is stored without that speaker or addressee;
    the names are listed in the result). `unknown_annotators`: "inactive" (a new account that
    cannot sign in, under that username) or "me" (the importing user). `predictions` (Label
    Studio): "skip" (the default) or "statements" (stored as statements by the importing user).
    """

    unknown_speakers: UnknownSpeakers = "error"
    unknown_annotators: UnknownAnnotators = "inactive"
    predictions: Predictions = "skip"

    def __post_init__(self) -> None:
        for name, allowed in (
            ("unknown_speakers", UNKNOWN_SPEAKERS),
            ("unknown_annotators", UNKNOWN_ANNOTATORS),
            ("predictions", PREDICTIONS),
        ):
            if getattr(self, name) not in allowed:
                raise ValidationError({name: [f"Choose one of {', '.join(allowed)}."]})


@dataclass
class ImportResult:
    """What an import stored (or, in `problems` of BulkImportFailed, why it stored nothing)."""

    documents: int = 0
    articles_created: int = 0
    articles_existing: int = 0
    statements: int = 0
    conditions: int = 0
    predictions_skipped: int = 0
    accepted_as_pending: int = 0
    speakers_created: list[str] = field(default_factory=list)
    speakers_unknown: list[str] = field(default_factory=list)
    annotators_created: list[str] = field(default_factory=list)
    re_anchored: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "articles_created": self.articles_created,
            "articles_existing": self.articles_existing,
            "statements": self.statements,
            "conditions": self.conditions,
            "predictions_skipped": self.predictions_skipped,
            "accepted_as_pending": self.accepted_as_pending,
            "speakers_created": self.speakers_created,
            "speakers_unknown": self.speakers_unknown,
            "annotators_created": self.annotators_created,
            "re_anchored": self.re_anchored,
        }


class BulkImportFailed(Exception):
    """Nothing was imported. `problems` lists every problem: where (line, task, file), which
    field, what is wrong. `unknown_speakers` lists the names the registry does not know."""

    def __init__(self, problems: list[Problem], unknown_speakers: list[str] | None = None):
        self.problems = problems
        self.unknown_speakers = unknown_speakers or []
        first = str(problems[0]) if problems else "no details"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"Nothing was imported: {first}{more}")

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]


# ---------------------------------------------------------------------------------------------
# Offsets: the file's text → the stored (normalized) text


class _OffsetMap:
    """Maps code-point offsets of a document's text as the file gave it to offsets of its
    normalized text (`services.normalize_text`: CRLF → LF, then NFC). Identity for a text that is
    already normalized; CRLF alone is a bisect over the removed CRs; anything NFC changes falls
    back to normalizing the prefix (rare: texts are mostly NFC already)."""

    def __init__(self, raw: str, normalized: str):
        self.identity = raw == normalized
        self.raw = raw
        self.crs: list[int] = []
        self.nfc_only_cr = False
        if not self.identity:
            lf = raw.replace("\r\n", "\n").replace("\r", "\n")
            self.nfc_only_cr = lf == normalized
            if self.nfc_only_cr:
                self.crs = [m.start() for m in re.finditer("\r\n", raw)]

    def __call__(self, offset: int) -> int:
        if self.identity:
            return offset
        if self.nfc_only_cr:
            return offset - bisect.bisect_left(self.crs, offset)
        return len(normalize_text(self.raw[:offset]))


# ---------------------------------------------------------------------------------------------
# The actor registry and the accounts


def actor_key(name: str) -> str:
    """The key names are compared by: white space collapsed, then the database's own folding
    (`models.name_key`: case in any script, the Turkish İ/ı) and `str.casefold` (ß = ss, final
    sigma): names with the same key are one actor, so a new actor never collides with the
    registry's case-insensitive unique constraint."""
    return name_key(" ".join(name.split())).casefold()


class _Registry:
    """Actors by name or alias (`actor_key`). A name beats an alias; an alias shared by several
    actors (and not anyone's name) is ambiguous."""

    def __init__(self) -> None:
        self.actors: dict[int, Actor] = {}
        self.by_name: dict[str, int] = {}
        self.by_alias: dict[str, set[int]] = {}
        for pk, name in Actor.objects.values_list("pk", "name").iterator(chunk_size=5000):
            self.actors[pk] = Actor(pk=pk, name=name)
            self.by_name.setdefault(actor_key(name), pk)
        for actor_id, name in ActorAlias.objects.values_list("actor_id", "name").iterator(chunk_size=5000):
            self.by_alias.setdefault(actor_key(name), set()).add(actor_id)

    def find(self, name: str) -> Actor | str | None:
        """The actor, a message when ambiguous, None when unknown."""
        key = actor_key(name)
        pk = self.by_name.get(key)
        if pk is not None:
            return self.actors[pk]
        ids = self.by_alias.get(key)
        if not ids:
            return None
        if len(ids) > 1:
            names = sorted(self.actors[i].name for i in ids)
            return f"“{name}” is an alias of several actors ({', '.join(names)}); name one of them instead"
        return self.actors[next(iter(ids))]

    def create(self, name: str, user: User) -> Actor:
        clean = " ".join(name.split())[:200]
        actor = Actor.objects.create(name=clean, kind=ActorKind.PERSON, created_by=user)
        light = Actor(pk=actor.pk, name=actor.name)
        self.actors[actor.pk] = light
        self.by_name[actor_key(clean)] = actor.pk
        return light


_USERNAME_BAD = re.compile(r"[^\w.@+-]+")


class _Accounts:
    def __init__(self, importer: User, mode: UnknownAnnotators, result: ImportResult):
        self.importer = importer
        self.mode = mode
        self.result = result
        self.cache: dict[str, int] = {}

    def user_id(self, name: str | None) -> int:
        if not name or not name.strip():
            return self.importer.pk
        name = name.strip()
        found = self.cache.get(name)
        if found is not None:
            return found
        pk = User.objects.filter(username=name).values_list("pk", flat=True).first()
        if pk is None:
            pk = User.objects.filter(username__iexact=name).values_list("pk", flat=True).first()
        if pk is None:
            if self.mode == "me":
                pk = self.importer.pk
            else:
                username = _USERNAME_BAD.sub("_", name)[:150].strip("_") or "annotator"
                existing = User.objects.filter(username__iexact=username).values_list("pk", flat=True).first()
                if existing is not None:
                    pk = existing
                else:
                    account = User(username=username, is_active=False)
                    account.set_unusable_password()
                    account.save()
                    pk = account.pk
                    self.result.annotators_created.append(username)
        self.cache[name] = pk
        return pk


# ---------------------------------------------------------------------------------------------
# Rows, written with one multi-row INSERT per batch (bulk_create spends most of its time
# compiling SQL for each object: 10 of 12 seconds for 20,000 statements)

_STATEMENT_COLUMNS = (
    "article",
    "start",
    "end",
    "quote",
    "speaker",
    "addressee",
    "stance",
    "note",
    "annotator",
    "status",
    "is_gold",
    "version",
    "created_at",
    "updated_at",
)
_CONDITION_COLUMNS = (
    "statement",
    "description",
    "evidence_start",
    "evidence_end",
    "evidence_quote",
    "position",
    "created_at",
)
_EVENT_COLUMNS = ("statement", "statement_ref", "article", "user", "action", "before", "after", "created_at")
INSERT_ROWS = 500


@dataclass(slots=True)
class _Row:
    article_id: int
    start: int
    end: int
    quote: str
    speaker: Actor | None
    addressee: Actor | None
    stance: str
    note: str
    annotator_id: int
    status: str
    conditions: list[Condition]

    def values(self, now: dt.datetime) -> tuple[Any, ...]:
        return (
            self.article_id,
            self.start,
            self.end,
            self.quote,
            None if self.speaker is None else self.speaker.pk,
            None if self.addressee is None else self.addressee.pk,
            self.stance,
            self.note,
            self.annotator_id,
            self.status,
            False,
            1,
            now,
            now,
        )

    def snapshot(self) -> dict[str, Any]:
        """What `services.statement_snapshot` records for the new statement (a test holds them
        equal)."""
        return {
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "speaker": None if self.speaker is None else self.speaker.pk,
            "speaker_name": None if self.speaker is None else self.speaker.name,
            "addressee": None if self.addressee is None else self.addressee.pk,
            "addressee_name": None if self.addressee is None else self.addressee.name,
            "stance": self.stance,
            "note": self.note,
            "status": self.status,
            "is_gold": False,
            "version": 1,
            "conditions": [condition_input(c) for c in self.conditions],
        }


def _insert(
    model: type[Model], names: tuple[str, ...], rows: list[tuple[Any, ...]], *, returning: bool = True
) -> list[int]:
    """INSERT `rows` (values for the fields `names`, in that order) into `model`'s table, a few
    hundred rows per statement; the new ids in the rows' order when `returning`. Values are
    adapted as the fields' own get_db_prep_save would (datetimes, JSON)."""
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    fields: list[Any] = [opts.get_field(name) for name in names]
    # every other column gets its field's default, as an ORM insert would (a field added later
    # by a migration must not make these inserts fail or differ)
    extra = [f for f in opts.concrete_fields if not f.primary_key and f.name not in names]
    if extra:
        fields += extra
        defaults = tuple(f.get_default() for f in extra)
        rows = [row + defaults for row in rows]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in fields)
    table = quote(opts.db_table)
    pk_column = str(opts.pk.column)
    adapt: list[Callable[[Any], Any] | None] = []
    for f in fields:
        internal = f.get_internal_type()
        if internal == "DateTimeField":
            adapt.append(functools.lru_cache(maxsize=8)(connection.ops.adapt_datetimefield_value))
        elif internal == "JSONField":
            adapt.append(lambda v: None if v is None else connection.ops.adapt_json_value(v, None))
        else:
            adapt.append(None)
    if connection.vendor == "postgresql":
        return _copy_in(connection, opts.db_table, pk_column, fields, rows, returning)
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    ids: list[int] = []
    with connection.cursor() as cursor:
        for at in range(0, len(rows), INSERT_ROWS):
            chunk = rows[at : at + INSERT_ROWS]
            params: list[Any] = []
            for row in chunk:
                for value, fn in zip(row, adapt, strict=True):
                    params.append(value if fn is None or value is None else fn(value))
            sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([placeholder] * len(chunk))}"
            if returning:
                cursor.execute(sql + f" RETURNING {quote(pk_column)}", params)
                ids.extend(r[0] for r in cursor.fetchall())
            else:
                cursor.execute(sql, params)
    return ids


def _copy_in(
    connection: BaseDatabaseWrapper,
    table: str,
    pk: str,
    fields: list[Any],
    rows: list[tuple[Any, ...]],
    returning: bool,
) -> list[int]:
    """PostgreSQL: COPY the rows in (row triggers and constraints fire as for INSERT), their ids
    drawn from the table's own sequence first when they are wanted."""
    names = [f.column for f in fields]
    json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    ids: list[int] = []
    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    with raw.cursor() as cursor:
        if returning:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
            names = [pk, *names]
        columns = ", ".join(f'"{n}"' for n in names)
        with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for n, row in enumerate(rows):
                values = list(row)
                for i in json_at:
                    if values[i] is not None:
                        values[i] = json.dumps(values[i])
                copy.write_row([ids[n], *values] if returning else values)
    return ids


# ---------------------------------------------------------------------------------------------
# The import


@dataclass
class _Pending:
    document: InDocument
    text: str  # normalized
    digest: str
    offsets: _OffsetMap
    article_id: int | None = None


def _title_for(document: InDocument, text: str) -> str:
    if document.title and document.title.strip():
        return document.title.strip()[:300]
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    words = " ".join(first.split())
    title = words if len(words) <= 80 else words[:79].rsplit(" ", 1)[0] + "…"
    return title or f"Imported {document.location}"


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


class _Importer:
    def __init__(self, *, user: User, project: Project, options: ImportOptions):
        self.user = user
        self.project = project
        self.options = options
        self.result = ImportResult()
        self.problems: list[Problem] = []
        self.dropped = 0
        self.is_lead = permissions.role_in(user, project) == Role.LEAD
        self.registry = _Registry()
        self.accounts = _Accounts(user, options.unknown_annotators, self.result)
        self.unknown: dict[str, str] = {}  # actor_key -> the name as first written
        self.pending: list[_Pending] = []
        self.pending_spans = 0
        self.known_digests: dict[str, int] = {}

    def problem(self, location: str, field_name: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(location, field_name, message))
        else:
            self.dropped += 1

    # -- documents ------------------------------------------------------------------------
    def add(self, document: InDocument) -> None:
        self.result.documents += 1
        if not document.has_text:
            what = f"the article {document.key!r}" if document.key else "its article"
            self.problem(
                document.location,
                "article",
                f"{what} is not one you can see, and this format does not carry the text: "
                "import the articles first (or export them in a format that carries the text)",
            )
            return
        text = normalize_text(document.text)
        if not text.strip():
            self.problem(document.location, "text", "the text is empty")
            return
        if len(text) > MAX_ARTICLE_CHARS:
            self.problem(
                document.location,
                "text",
                f"the text has {len(text):,} characters; the limit is {MAX_ARTICLE_CHARS:,}",
            )
            return
        self.pending.append(_Pending(document, text, text_sha256(text), _OffsetMap(document.text, text)))
        self.pending_spans += len(document.spans)
        if self.pending_spans >= BATCH_SPANS or len(self.pending) >= BATCH_ARTICLES:
            self.flush()

    def flush(self) -> None:
        pending, self.pending, self.pending_spans = self.pending, [], 0
        if not pending:
            return
        if not self.problems:
            self._articles(pending)
        built: list[_Row] = []
        for item in pending:
            article = Article(pk=item.article_id, text=item.text, project=self.project)
            for span in item.document.spans:
                row = self._statement(item, article, span)
                if row is not None:
                    built.append(row)
        if self.problems or not built:
            return
        now = timezone.now()
        ids = _insert(Statement, _STATEMENT_COLUMNS, [r.values(now) for r in built])
        conditions: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        action, user_id = str(EventAction.CREATED), self.user.pk
        for pk, row in zip(ids, built, strict=True):
            for c in row.conditions:
                conditions.append(
                    (pk, c.description, c.evidence_start, c.evidence_end, c.evidence_quote, c.position, now)
                )
            events.append((pk, pk, row.article_id, user_id, action, None, row.snapshot(), now))
        if conditions:
            _insert(Condition, _CONDITION_COLUMNS, conditions, returning=False)
        _insert(StatementEvent, _EVENT_COLUMNS, events, returning=False)
        self.result.statements += len(built)
        self.result.conditions += len(conditions)

    def _articles(self, pending: list[_Pending]) -> None:
        """Find each document's article in the project by its text, or create it (in bulk)."""
        wanted = {p.digest for p in pending} - set(self.known_digests)
        if wanted:
            found = Article.objects.filter(project=self.project, text_sha256__in=wanted).values_list(
                "text_sha256", "pk"
            )
            for digest, pk in found:
                self.known_digests[digest] = pk
                self.result.articles_existing += 1
        new: dict[str, Article] = {}
        for p in pending:
            if p.digest in self.known_digests or p.digest in new:
                continue
            d = p.document
            try:
                fields = _clean_article_fields(
                    title=_title_for(d, p.text),
                    text=p.text,
                    source=(d.source or "")[:200],
                    url=d.url or "",
                    published=_date(d.date),
                    dateline="",
                    language="en",
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        self.problem(d.location, name, message)
                continue
            new[p.digest] = Article(
                **fields, project=self.project, text_sha256=p.digest, created_by=self.user
            )
        if new and not self.problems:
            created = Article.objects.bulk_create(list(new.values()), batch_size=200)
            for article in created:
                self.known_digests[article.text_sha256] = article.pk
            self.result.articles_created += len(created)
        for p in pending:
            p.article_id = self.known_digests.get(p.digest)

    def _actor(self, span: InSpan, field_name: str, name: str | None) -> Actor | None:
        if not name or not name.strip():
            return None
        found = self.registry.find(name)
        if isinstance(found, str):
            self.problem(span.location, field_name, found)
            return None
        if found is not None:
            return found
        clean = " ".join(name.split())
        key = actor_key(clean)
        if key not in self.unknown:
            self.unknown[key] = clean
        if self.options.unknown_speakers == "create":
            if not permissions.can_create_actor(self.user):
                self.problem(span.location, field_name, "you may not add actors")
                return None
            actor = self.registry.create(clean, self.user)
            self.result.speakers_created.append(actor.name)
            return actor
        if self.options.unknown_speakers == "error":
            self.problem(
                span.location,
                field_name,
                f"“{clean}” is neither the name nor an alias of an actor in the registry "
                "(add the actor, or import with unknown speakers created or skipped)",
            )
        return None

    def _statement(self, item: _Pending, article: Article, span: InSpan) -> _Row | None:
        if span.origin == "prediction" and self.options.predictions == "skip":
            self.result.predictions_skipped += 1
            return None
        where = span.location
        before = len(self.problems) + self.dropped
        to = item.offsets
        try:
            start, end, quote = validate_span(
                item.text,
                to(span.start),
                to(span.end),
                span.quote if span.quote is None or to.identity else normalize_text(span.quote),
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.problem(where, name, message)
            return None
        if span.stance not in _STANCES:
            self.problem(
                where, "stance", f"“{span.label or span.stance}” is not a stance (support, caveat, demand)"
            )
        note = (span.note or "").strip()
        if len(note) > MAX_NOTE:
            self.problem(where, "note", f"the note has {len(note):,} characters; the limit is {MAX_NOTE:,}")
        status = span.status or Status.PENDING
        if status not in _STATUSES:
            self.problem(where, "status", f"“{status}” is not a status ({', '.join(Status.values)})")
        elif status == Status.ACCEPTED and not self.is_lead:
            status = Status.PENDING
            self.result.accepted_as_pending += 1
        conditions: list[Condition] = []
        if span.conditions:
            raw = []
            for c in span.conditions:
                entry: dict[str, Any] = {"description": c.description}
                if c.start is not None and c.end is not None:
                    entry["evidence_start"], entry["evidence_end"] = to(c.start), to(c.end)
                raw.append(entry)
            try:
                conditions = _clean_conditions(article, raw)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        self.problem(where, name, message)
        speaker = self._actor(span, "speaker", span.speaker)
        addressee = self._actor(span, "addressee", span.addressee)
        if len(self.problems) + self.dropped > before:
            return None
        # a prediction is the importer's (its "annotator" is a model version, not a person)
        annotator_id = self.user.pk if span.origin == "prediction" else self.accounts.user_id(span.annotator)
        if span.anchored:
            self.result.re_anchored[span.anchored] = self.result.re_anchored.get(span.anchored, 0) + 1
        return _Row(
            article_id=article.pk or 0,
            start=start,
            end=end,
            quote=quote,
            speaker=speaker,
            addressee=addressee,
            stance=str(span.stance),
            note=note,
            annotator_id=annotator_id,
            status=status,
            conditions=conditions,
        )

    def finish(self, error: FormatError | None) -> ImportResult:
        self.flush()
        problems = list(error.problems) if error is not None else []
        problems += self.problems
        if self.dropped:
            problems.append(
                Problem("file", "-", f"{self.dropped} more problems were found and are not listed")
            )
        self.result.speakers_unknown = sorted(self.unknown.values(), key=str.casefold)
        if problems:
            unknown = self.result.speakers_unknown if self.options.unknown_speakers == "error" else []
            raise BulkImportFailed(problems, unknown)
        return self.result


def statements_import(
    *,
    user: User,
    project: Project,
    documents: Iterable[InDocument],
    options: ImportOptions | None = None,
    on_document: Callable[[InDocument], None] | None = None,
) -> ImportResult:
    """Import the `documents` (as a reader of `statements.data.formats` yields them) into
    `project` as `user`, all or nothing. Raises PermissionDenied unless `user` is an analyst or
    lead of the project (and it is not archived); BulkImportFailed with every problem (a
    FormatError the reader raises at the end is folded in), having stored nothing."""
    if not permissions.can_create_article(user, project):
        if project.archived:
            raise ValidationError({"project": [f"“{project}” is archived: nothing can be added to it."]})
        raise PermissionDenied("Only analysts and leads of the project can import statements.")
    options = options or ImportOptions()
    with transaction.atomic():
        trigram = _defer_trigram_merges()
        importer = _Importer(user=user, project=project, options=options)
        error: FormatError | None = None
        iterator: Iterator[InDocument] = iter(documents)
        try:
            for document in iterator:
                importer.add(document)
                if on_document is not None:
                    on_document(document)
        except FormatError as exc:
            error = exc
        result = importer.finish(error)
        _merge_trigram_entries(trigram)
    return result


_TRIGRAM_INDEXES = ("statement_quote_trgm_idx", "statement_note_trgm_idx")


def _defer_trigram_merges() -> list[str]:
    """PostgreSQL: the statement text search's GIN indexes (migration 0003, when pg_trgm is
    there) take new entries into their pending list, merged into the index when the list passes
    `gin_pending_list_limit` (4 MB by default: many costly merges during a big import). For this
    transaction the limit is raised, and the list is merged once at the end
    (`_merge_trigram_entries`, inside the import's time). Returns the indexes present."""
    connection = connections[router.db_for_write(Statement)]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [list(_TRIGRAM_INDEXES)])
        present = [r[0] for r in cursor.fetchall()]
        if present:
            cursor.execute("SET LOCAL gin_pending_list_limit = '1GB'")
    return present


def _merge_trigram_entries(indexes: list[str]) -> None:
    if not indexes:
        return
    connection = connections[router.db_for_write(Statement)]
    with connection.cursor() as cursor:
        cursor.execute("RESET gin_pending_list_limit")
        for name in indexes:
            try:
                with transaction.atomic():
                    cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
            except DatabaseError:  # not the owner: autovacuum merges it later
                pass


# ---------------------------------------------------------------------------------------------
# Articles in batches


ArticleOutcome = tuple[int, bool] | dict[str, list[str]]


def articles_get_or_create(
    *, user: User | None, project: Project | None, items: list[dict[str, Any]], write: bool = True
) -> list[ArticleOutcome]:
    """`services.article_get_or_create` for a batch: each item's fields validated and its text
    normalized and hashed in Python, the texts already in the project found with one query, the
    new articles inserted with one bulk insert. For each item `(article id, created)` or its errors
    by field; an item repeating the text of an earlier one (in this batch or before) gets that
    article's id with `created` False. `write=False` only validates (nothing is inserted: the
    caller has found an error already). Call inside the caller's transaction."""
    from statements.services import project_for_writing

    project = project_for_writing(user=user, project=project)
    if user is not None and not permissions.can_create_article(user, project):
        if project.archived:
            raise ValidationError({"project": [f"“{project}” is archived: nothing can be added to it."]})
        raise PermissionDenied("Only analysts and leads of the project can add articles.")
    cleaned: list[dict[str, Any] | dict[str, list[str]]] = []
    digests: list[str | None] = []
    for item in items:
        try:
            fields = _clean_article_fields(
                title=item.get("title", ""),
                text=item.get("text", ""),
                source=item.get("source", ""),
                url=item.get("url", ""),
                published=item.get("published"),
                dateline=item.get("dateline", ""),
                language=item.get("language", "en"),
            )
        except ValidationError as exc:
            cleaned.append(exc.message_dict)
            digests.append(None)
            continue
        cleaned.append(fields)
        digests.append(text_sha256(fields["text"]))
    known = dict(
        Article.objects.filter(project=project, text_sha256__in={d for d in digests if d}).values_list(
            "text_sha256", "pk"
        )
    )
    new: dict[str, Article] = {}
    for fields, digest in zip(cleaned, digests, strict=True):
        if digest is None or digest in known or digest in new:
            continue
        new[digest] = Article(**fields, project=project, text_sha256=digest, created_by=user)
    fresh: set[str] = set()
    if write and new:
        for article in Article.objects.bulk_create(list(new.values()), batch_size=200):
            known[article.text_sha256] = article.pk
            fresh.add(article.text_sha256)
    outcomes: list[ArticleOutcome] = []
    for fields, digest in zip(cleaned, digests, strict=True):
        if digest is None:
            outcomes.append(fields)  # the errors
        elif digest in fresh:
            fresh.discard(digest)  # the first item with this text created it; repeats did not
            outcomes.append((known[digest], True))
        else:
            outcomes.append((known.get(digest, 0), False))
    return outcomes
