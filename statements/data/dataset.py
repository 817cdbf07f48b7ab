"""Full dataset dump and load (`manage.py export_dataset` / `import_dataset`), lossless.

The dump is JSONL: a header line, then one record per row, table after table in primary key
order — the users the data refers to (never passwords, e-mail addresses or administrator rights:
a dump grants nobody anything beyond its memberships), projects (with their guidelines), their
memberships (user and role) and guideline revisions, actors (global: with aliases and
affiliation), articles (with their project and text), statements (with the gold statements'
sources), conditions, reviews, comments, article assignments, the statement history and the
decisions on suggestions (version 3: accepted or rejected, by whom, the rule and score) — and a
trailer with the counts (a truncated file is refused). Ids, times and versions are kept, so a dump
loaded into an empty database and dumped again gives the same bytes.

Version 1 dumps (before projects: a global role per user, no project on articles) still load:
everything goes into one project, "Default", with each user's role as their membership, as
migration 0004 did to the database.

Loading goes around the services on purpose: it restores rows that passed them once, with their
ids and times. The database constraints and triggers still check every row (quotes against the
text, no self-review), and the whole load is one transaction: all or nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import IO, Any, Protocol, overload

from django.core.management.color import no_style
from django.db import connections, models, transaction
from django.utils import timezone

from statements import services
from statements.models import (
    Actor,
    ActorAlias,
    Article,
    ArticleAssignment,
    Comment,
    Condition,
    GuidelinesRevision,
    Membership,
    Project,
    Review,
    Role,
    Statement,
    StatementEvent,
    SuggestionDecision,
    User,
)

FORMAT = "annotator-dataset"
VERSION = 3
SUPPORTED_VERSIONS = (1, 2, 3)
BATCH = 1000
OnRecord = Callable[[str], None]


class UserIds(Protocol):
    """A dump's user id to the loaded user's id (None stays None)."""

    @overload
    def __call__(self, pk: int) -> int: ...
    @overload
    def __call__(self, pk: None) -> None: ...
    @overload
    def __call__(self, pk: int | None) -> int | None: ...


class DatasetError(Exception):
    """The file cannot be loaded (malformed, truncated, or the database is not empty)."""


def _ts(value: dt.datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n"


def _canonical(value: Any) -> Any:
    """A JSON value with its object keys sorted (PostgreSQL's jsonb reorders keys; SQLite keeps
    them as written): the same history gives the same bytes on either database."""
    return json.loads(json.dumps(value, sort_keys=True)) if value is not None else None


# ---------------------------------------------------------------------------------------------
# Dump


def _referenced_user_ids(using: str) -> set[int]:
    ids: set[int] = set()
    for model, fields in (
        (Project, ["created_by"]),
        (Membership, ["user", "added_by"]),
        (GuidelinesRevision, ["edited_by"]),
        (Article, ["created_by"]),
        (Actor, ["created_by"]),
        (Statement, ["annotator"]),
        (Review, ["reviewer"]),
        (Comment, ["author"]),
        (ArticleAssignment, ["analyst", "assigned_by"]),
        (StatementEvent, ["user"]),
        (SuggestionDecision, ["user"]),
    ):
        for name in fields:
            column = f"{name}_id"
            ids.update(
                model.objects.using(using)
                .exclude(**{f"{column}__isnull": True})
                .values_list(column, flat=True)
                .distinct()
            )
    return ids


def dump(
    out: IO[str], *, using: str = "default", on_record: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Write the whole dataset to `out`; returns the number of records per type."""
    counts: dict[str, int] = {}

    def emit(kind: str, rows: Iterator[dict[str, Any]]) -> None:
        n = 0
        for row in rows:
            out.write(_line({"type": kind, **row}))
            n += 1
            if on_record:
                on_record(kind)
        counts[kind] = n

    out.write(_line({"format": FORMAT, "version": VERSION}))
    user_ids = _referenced_user_ids(using)
    emit(
        "user",
        (
            {
                "id": u.pk,
                "username": u.username,
                "first_name": u.first_name,
                "last_name": u.last_name,
                "is_active": u.is_active,
            }
            for u in User.objects.using(using).filter(pk__in=user_ids).order_by("pk").iterator(BATCH)
        ),
    )
    emit(
        "project",
        (
            {
                "id": p.pk,
                "name": p.name,
                "slug": p.slug,
                "description": p.description,
                "guidelines": p.guidelines,
                "archived": p.archived,
                "created_by": p.created_by_id,
                "created_at": _ts(p.created_at),
            }
            for p in Project.objects.using(using).order_by("pk").iterator(BATCH)
        ),
    )
    emit(
        "membership",
        (
            {
                "id": m.pk,
                "project": m.project_id,
                "user": m.user_id,
                "role": m.role,
                "added_by": m.added_by_id,
                "created_at": _ts(m.created_at),
            }
            for m in Membership.objects.using(using).order_by("pk").iterator(BATCH)
        ),
    )
    emit(
        "guidelines",
        (
            {
                "id": g.pk,
                "project": g.project_id,
                "body": g.body,
                "edited_by": g.edited_by_id,
                "edited_at": _ts(g.edited_at),
            }
            for g in GuidelinesRevision.objects.using(using).order_by("pk").iterator(BATCH)
        ),
    )
    emit(
        "actor",
        (
            {
                "id": a.pk,
                "name": a.name,
                "kind": a.kind,
                "affiliation": a.affiliation_id,
                "aliases": sorted(alias.name for alias in a.aliases.all()),
                "description": a.description,
                "created_by": a.created_by_id,
                "created_at": _ts(a.created_at),
            }
            for a in Actor.objects.using(using).prefetch_related("aliases").order_by("pk").iterator(BATCH)
        ),
    )
    emit(
        "article",
        (
            {
                "id": a.pk,
                "project": a.project_id,
                "title": a.title,
                "source": a.source,
                "url": a.url,
                "published": _date(a.published),
                "dateline": a.dateline,
                "language": a.language,
                "text": a.text,
                "text_sha256": a.text_sha256,
                "created_by": a.created_by_id,
                "created_at": _ts(a.created_at),
                "updated_at": _ts(a.updated_at),
            }
            for a in Article.objects.using(using).order_by("pk").iterator(BATCH)
        ),
    )
    sources = models.Prefetch("adjudicated_from", queryset=Statement.objects.using(using).only("pk"))
    emit(
        "statement",
        (
            {
                "id": s.pk,
                "article": s.article_id,
                "start": s.start,
                "end": s.end,
                "quote": s.quote,
                "speaker": s.speaker_id,
                "addressee": s.addressee_id,
                "stance": s.stance,
                "note": s.note,
                "annotator": s.annotator_id,
                "status": s.status,
                "is_gold": s.is_gold,
                "adjudicated_from": sorted(x.pk for x in s.adjudicated_from.all()),
                "version": s.version,
                "created_at": _ts(s.created_at),
                "updated_at": _ts(s.updated_at),
            }
            for s in Statement.objects.using(using).prefetch_related(sources).order_by("pk").iterator(BATCH)
        ),
    )
    emit(
        "condition",
        (
            {
                "id": c.pk,
                "statement": c.statement_id,
                "description": c.description,
                "evidence_start": c.evidence_start,
                "evidence_end": c.evidence_end,
                "evidence_quote": c.evidence_quote,
                "position": c.position,
                "created_at": _ts(c.created_at),
            }
            for c in Condition.objects.using(using).order_by("pk").iterator(BATCH)
        ),
    )
    emit(
        "review",
        (
            {
                "id": r.pk,
                "statement": r.statement_id,
                "reviewer": r.reviewer_id,
                "verdict": r.verdict,
                "comment": r.comment,
                "statement_version": r.statement_version,
                "created_at": _ts(r.created_at),
            }
            for r in Review.objects.using(using).order_by("pk").iterator(BATCH)
        ),
    )
    emit(
        "comment",
        (
            {
                "id": c.pk,
                "statement": c.statement_id,
                "author": c.author_id,
                "body": c.body,
                "created_at": _ts(c.created_at),
            }
            for c in Comment.objects.using(using).order_by("pk").iterator(BATCH)
        ),
    )
    emit(
        "assignment",
        (
            {
                "id": a.pk,
                "article": a.article_id,
                "analyst": a.analyst_id,
                "assigned_by": a.assigned_by_id,
                "assigned_at": _ts(a.assigned_at),
                "finished_at": _ts(a.finished_at),
            }
            for a in ArticleAssignment.objects.using(using).order_by("pk").iterator(BATCH)
        ),
    )
    emit(
        "event",
        (
            {
                "id": e.pk,
                "statement": e.statement_id,
                "statement_ref": e.statement_ref,
                "article": e.article_id,
                "user": e.user_id,
                "action": e.action,
                "before": _canonical(e.before),
                "after": _canonical(e.after),
                "created_at": _ts(e.created_at),
            }
            for e in StatementEvent.objects.using(using).order_by("pk").iterator(BATCH)
        ),
    )
    emit(
        "suggestion_decision",
        (
            {
                "id": d.pk,
                "article": d.article_id,
                "user": d.user_id,
                "statement": d.statement_id,
                "decision": d.decision,
                "rule": d.rule,
                "engine_version": d.engine_version,
                "score": d.score,
                "start": d.start,
                "end": d.end,
                "quote": d.quote,
                "suggested": _canonical(d.suggested),
                "created_at": _ts(d.created_at),
            }
            for d in SuggestionDecision.objects.using(using).order_by("pk").iterator(BATCH)
        ),
    )
    out.write(_line({"type": "end", "counts": counts}))
    return counts


# ---------------------------------------------------------------------------------------------
# Load

_PROJECTS = (Project, Membership, GuidelinesRevision)
_DOMAIN = (
    Actor,
    Article,
    Statement,
    Condition,
    Review,
    Comment,
    ArticleAssignment,
    StatementEvent,
    SuggestionDecision,
)
_CONTENT = ("actor", "article", "statement", "condition", "review", "comment", "assignment", "event")
_ORDERS = {
    1: ("user", *_CONTENT),
    2: ("user", "project", "membership", "guidelines", *_CONTENT),
    3: ("user", "project", "membership", "guidelines", *_CONTENT, "suggestion_decision"),
}

LEGACY_PROJECT = {
    "name": "Default",
    "slug": "default",
    "description": "Loaded from a dataset dump made before the instance had projects.",
}


@contextlib.contextmanager
def _keep_given_times() -> Iterator[None]:
    """auto_now / auto_now_add would overwrite the times being restored: off while loading."""
    fields = [
        f
        for model in (*_PROJECTS, *_DOMAIN, ActorAlias)
        for f in model._meta.concrete_fields
        # the fields that have auto_now and auto_now_add (DateTimeField is a DateField)
        if isinstance(f, models.DateField | models.TimeField) and (f.auto_now or f.auto_now_add)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@overload
def _dt(value: str) -> dt.datetime: ...
@overload
def _dt(value: None) -> None: ...
@overload
def _dt(value: str | None) -> dt.datetime | None: ...
def _dt(value: str | None) -> dt.datetime | None:
    return None if value is None else dt.datetime.fromisoformat(value)


def _d(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def load(
    stream: IO[str], *, using: str = "default", on_record: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Load a dump into a database without projects, articles, actors or statements (users may
    exist: they are matched by username, and keep their administrator rights and password). All or
    nothing; returns the number of records per type."""
    nonempty = [
        str(m._meta.verbose_name_plural) for m in (Project, *_DOMAIN) if m.objects.using(using).exists()
    ]
    if nonempty:
        raise DatasetError(
            f"import_dataset loads into an empty database; this one has {', '.join(nonempty)}."
        )
    version, records = _records(stream)
    order = _ORDERS[version]
    counts: dict[str, int] = dict.fromkeys(order, 0)
    user_map: dict[int, int] = {}
    legacy_roles: dict[int, str] = {}  # version 1: the users' global roles, by their new ids
    legacy_project: list[int] = []  # version 1: the one project everything goes into
    batches: dict[str, list[models.Model]] = {kind: [] for kind in order}
    aliases: list[ActorAlias] = []
    gold_links: list[Any] = []
    Link = Statement.adjudicated_from.through  # noqa: N806

    @overload
    def u(pk: int) -> int: ...
    @overload
    def u(pk: None) -> None: ...
    @overload
    def u(pk: int | None) -> int | None: ...
    def u(pk: int | None) -> int | None:
        if pk is None:
            return None
        try:
            return user_map[pk]
        except KeyError:
            raise DatasetError(f"The dump refers to user {pk}, which it does not contain.") from None

    def flush(kind: str) -> None:
        objs = batches[kind]
        if objs:
            type(objs[0])._default_manager.using(using).bulk_create(objs, batch_size=BATCH)
            batches[kind] = []
        if kind == "actor" and aliases:
            ActorAlias.objects.using(using).bulk_create(aliases, batch_size=BATCH)
            aliases.clear()
        if kind == "statement" and gold_links:
            Link.objects.using(using).bulk_create(gold_links, batch_size=BATCH)
            gold_links.clear()

    with transaction.atomic(using=using), _keep_given_times():
        previous = None
        for kind, r in records:
            if kind != previous and previous is not None:
                flush(previous)
            if version == 1 and kind != "user" and not legacy_project:
                legacy_project.append(_legacy_project(legacy_roles, using))
            previous = kind
            counts[kind] += 1
            if on_record:
                on_record(kind)
            try:
                if kind == "user":
                    user_map[r["id"]] = _user(r, using)
                    if version == 1:
                        legacy_roles[user_map[r["id"]]] = r["role"]
                    continue
                if version == 1 and kind == "article":
                    r = {**r, "project": legacy_project[0]}
                batches[kind].append(_build(kind, r, u, aliases, gold_links, Link))
            except (KeyError, TypeError, ValueError) as exc:
                raise DatasetError(f"A {kind} record is malformed ({exc!r}): {str(r)[:200]}") from None
            if len(batches[kind]) >= BATCH:
                flush(kind)
        if previous is not None:
            flush(previous)
        if version == 1 and not legacy_project:
            legacy_project.append(_legacy_project(legacy_roles, using))
        _reset_sequences(using)
    return counts


def _legacy_project(roles: dict[int, str], using: str) -> int:
    """Version 1 dumps: the project "Default" everything goes into, with the default codebook and
    each user's global role as their membership (unknown roles: analyst)."""
    now = timezone.now()
    body = services.default_guidelines()
    project = Project(**LEGACY_PROJECT, guidelines=body, created_at=now)
    project.save(using=using)
    GuidelinesRevision(project=project, body=body, edited_at=now).save(using=using)
    Membership.objects.using(using).bulk_create(
        Membership(
            project=project, user_id=pk, role=role if role in Role.values else Role.ANALYST, created_at=now
        )
        for pk, role in sorted(roles.items())
    )
    return project.pk


def _user(r: dict[str, Any], using: str) -> int:
    existing = User.objects.using(using).filter(username=r["username"]).first()
    if existing is not None:
        return existing.pk
    pk = r["id"] if not User.objects.using(using).filter(pk=r["id"]).exists() else None
    user = User(
        pk=pk,
        username=r["username"],
        first_name=r["first_name"],
        last_name=r["last_name"],
        is_active=r["is_active"],
    )
    user.set_unusable_password()
    user.save(using=using)
    return user.pk


def _build(
    kind: str,
    r: dict[str, Any],
    u: UserIds,
    aliases: list[ActorAlias],
    gold_links: list[Any],
    link_model: type[models.Model],
) -> models.Model:
    if kind == "project":
        return Project(
            pk=r["id"],
            name=r["name"],
            slug=r["slug"],
            description=r["description"],
            guidelines=r["guidelines"],
            archived=r["archived"],
            created_by_id=u(r["created_by"]),
            created_at=_dt(r["created_at"]),
        )
    if kind == "membership":
        return Membership(
            pk=r["id"],
            project_id=r["project"],
            user_id=u(r["user"]),
            role=r["role"],
            added_by_id=u(r["added_by"]),
            created_at=_dt(r["created_at"]),
        )
    if kind == "guidelines":
        return GuidelinesRevision(
            pk=r["id"],
            project_id=r["project"],
            body=r["body"],
            edited_by_id=u(r["edited_by"]),
            edited_at=_dt(r["edited_at"]),
        )
    if kind == "actor":
        aliases.extend(ActorAlias(actor_id=r["id"], name=name) for name in r["aliases"])
        return Actor(
            pk=r["id"],
            name=r["name"],
            kind=r["kind"],
            affiliation_id=r["affiliation"],
            description=r["description"],
            created_by_id=u(r["created_by"]),
            created_at=_dt(r["created_at"]),
        )
    if kind == "article":
        return Article(
            pk=r["id"],
            project_id=r["project"],
            title=r["title"],
            source=r["source"],
            url=r["url"],
            published=_d(r["published"]),
            dateline=r["dateline"],
            language=r["language"],
            text=r["text"],
            text_sha256=r["text_sha256"],
            created_by_id=u(r["created_by"]),
            created_at=_dt(r["created_at"]),
            updated_at=_dt(r["updated_at"]),
        )
    if kind == "statement":
        gold_links.extend(
            link_model(from_statement_id=r["id"], to_statement_id=source) for source in r["adjudicated_from"]
        )
        return Statement(
            pk=r["id"],
            article_id=r["article"],
            start=r["start"],
            end=r["end"],
            quote=r["quote"],
            speaker_id=r["speaker"],
            addressee_id=r["addressee"],
            stance=r["stance"],
            note=r["note"],
            annotator_id=u(r["annotator"]),
            status=r["status"],
            is_gold=r["is_gold"],
            version=r["version"],
            created_at=_dt(r["created_at"]),
            updated_at=_dt(r["updated_at"]),
        )
    if kind == "condition":
        return Condition(
            pk=r["id"],
            statement_id=r["statement"],
            description=r["description"],
            evidence_start=r["evidence_start"],
            evidence_end=r["evidence_end"],
            evidence_quote=r["evidence_quote"],
            position=r["position"],
            created_at=_dt(r["created_at"]),
        )
    if kind == "review":
        return Review(
            pk=r["id"],
            statement_id=r["statement"],
            reviewer_id=u(r["reviewer"]),
            verdict=r["verdict"],
            comment=r["comment"],
            statement_version=r["statement_version"],
            created_at=_dt(r["created_at"]),
        )
    if kind == "comment":
        return Comment(
            pk=r["id"],
            statement_id=r["statement"],
            author_id=u(r["author"]),
            body=r["body"],
            created_at=_dt(r["created_at"]),
        )
    if kind == "assignment":
        return ArticleAssignment(
            pk=r["id"],
            article_id=r["article"],
            analyst_id=u(r["analyst"]),
            assigned_by_id=u(r["assigned_by"]),
            assigned_at=_dt(r["assigned_at"]),
            finished_at=_dt(r["finished_at"]),
        )
    if kind == "suggestion_decision":
        return SuggestionDecision(
            pk=r["id"],
            article_id=r["article"],
            user_id=u(r["user"]),
            statement_id=r["statement"],
            decision=r["decision"],
            rule=r["rule"],
            engine_version=r["engine_version"],
            score=r["score"],
            start=r["start"],
            end=r["end"],
            quote=r["quote"],
            suggested=r["suggested"],
            created_at=_dt(r["created_at"]),
        )
    return StatementEvent(
        pk=r["id"],
        statement_id=r["statement"],
        statement_ref=r["statement_ref"],
        article_id=r["article"],
        user_id=u(r["user"]),
        action=r["action"],
        before=r["before"],
        after=r["after"],
        created_at=_dt(r["created_at"]),
    )


def _records(stream: IO[str]) -> tuple[int, Iterator[tuple[str, dict[str, Any]]]]:
    """Check the header line; the dump's version and its records, checked as they are read:
    in table order, the trailer's counts matching."""
    lines = iter(stream)
    try:
        header = json.loads(next(lines))
    except (StopIteration, ValueError):
        raise DatasetError("This is not a dataset dump (no header line).") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise DatasetError("This is not a dataset dump (the header line is not annotator-dataset's).")
    version = header.get("version")
    if version not in SUPPORTED_VERSIONS or isinstance(version, bool):
        raise DatasetError(f"Dump version {version} is not supported (this is version {VERSION}).")
    return version, _checked(lines, _ORDERS[version])


def _checked(lines: Iterator[str], order: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    seen: dict[str, int] = dict.fromkeys(order, 0)
    rank = -1
    for number, raw in enumerate(lines, start=2):
        try:
            record = json.loads(raw)
            kind = record.pop("type")
        except (ValueError, AttributeError, KeyError, TypeError):
            raise DatasetError(f"Line {number} is not a dataset record.") from None
        if kind == "end":
            if record.get("counts") != seen:
                raise DatasetError(
                    f"The trailer's counts {record.get('counts')} do not match the records {seen}."
                )
            return
        if kind not in order or order.index(kind) < rank:
            raise DatasetError(f"Line {number}: a {kind!r} record is out of place.")
        rank = order.index(kind)
        seen[kind] += 1
        yield kind, record
    raise DatasetError("The dump is truncated: the trailer line is missing.")


def _reset_sequences(using: str) -> None:
    """Next ids continue after the loaded ones (PostgreSQL sequences; SQLite tracks it itself)."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), [User, *_PROJECTS, *_DOMAIN, ActorAlias])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
