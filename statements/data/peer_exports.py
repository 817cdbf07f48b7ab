"""Exports in the peers' formats — Label Studio tasks, doccano JSONL, brat standoff (a zip) and
event records (PLOVER/CAMEO codes) — streamed in flat memory, next to exporting.py's own formats.

The writers (statements/data/formats) take one document per article with its statements; the
statements of a queryset (already filtered and scoped to what the user may see) are read here in
batches of BATCH_ARTICLES articles, in article id order and text order within an article: per
batch one query for the articles with their text, one for the statements (speaker, addressee and
annotator joined), one for their conditions and one for the actors' aliases (the writers look for
a speaker's mention in the text by name or alias). So the number of queries grows with the number
of articles / BATCH_ARTICLES, never with the statements, and memory holds one batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Iterator

from django.db.models import Prefetch, QuerySet

from statements.data import formats
from statements.data.formats import InCondition, OutActor, OutDocument, OutStatement
from statements.models import Actor, ActorAlias, Article, Condition, Statement

FORMATS = formats.WRITE_FORMATS  # label-studio, doccano, brat, events
CONTENT_TYPES = formats.CONTENT_TYPES
EXTENSIONS = formats.EXTENSIONS
BATCH_ARTICLES = 100


def _actor(actor: Actor | None, aliases: dict[int, tuple[str, ...]]) -> OutActor | None:
    if actor is None:
        return None
    return OutActor(id=actor.pk, name=actor.name, kind=actor.kind, aliases=aliases.get(actor.pk, ()))


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def documents(queryset: QuerySet[Statement]) -> Iterator[OutDocument]:
    """One OutDocument per article of `queryset`'s statements, in article id order."""
    article_ids = list(queryset.order_by("article_id").values_list("article_id", flat=True).distinct())
    conditions = Condition.objects.order_by("position", "id")
    for at in range(0, len(article_ids), BATCH_ARTICLES):
        batch = article_ids[at : at + BATCH_ARTICLES]
        articles = {
            a["pk"]: a
            for a in Article.objects.filter(pk__in=batch).values(
                "pk", "text", "title", "url", "published", "source"
            )
        }
        rows = list(
            queryset.filter(article_id__in=batch)
            .select_related("speaker", "addressee", "annotator")
            .prefetch_related(Prefetch("conditions", queryset=conditions))
            .order_by("article_id", "start", "-end", "id")
        )
        actor_ids = {s.speaker_id for s in rows if s.speaker_id} | {
            s.addressee_id for s in rows if s.addressee_id
        }
        aliases: dict[int, list[str]] = {}
        for actor_id, name in (
            ActorAlias.objects.filter(actor_id__in=actor_ids).order_by("name").values_list("actor_id", "name")
        ):
            aliases.setdefault(actor_id, []).append(name)
        frozen = {k: tuple(v) for k, v in aliases.items()}
        by_article: dict[int, list[OutStatement]] = {}
        for s in rows:
            by_article.setdefault(s.article_id, []).append(
                OutStatement(
                    id=s.pk,
                    start=s.start,
                    end=s.end,
                    quote=s.quote,
                    direct=True,  # the model does not tell direct from reported speech
                    stance=s.stance,
                    speaker=_actor(s.speaker, frozen),
                    addressee=_actor(s.addressee, frozen),
                    annotator=s.annotator.username,
                    note=s.note,
                    conditions=[
                        InCondition(c.description, c.evidence_start, c.evidence_end)
                        for c in s.conditions.all()
                    ],
                    status=s.status,
                    created=_iso(s.created_at),
                )
            )
        for pk in batch:
            a = articles.get(pk)
            if a is None or pk not in by_article:
                continue
            yield OutDocument(
                id=pk,
                text=a["text"],
                title=a["title"],
                url=a["url"] or None,
                date=a["published"].isoformat() if a["published"] else None,
                statements=by_article[pk],
                source=a["source"] or None,
            )


def export_peer(queryset: QuerySet[Statement], *, fmt: str) -> Generator[bytes, None, None]:
    """Stream `queryset`'s statements in `fmt` (one of FORMATS) as chunks of bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    return _stream(queryset, fmt)


def _stream(queryset: QuerySet[Statement], fmt: str) -> Generator[bytes, None, None]:
    yield from formats.write(fmt, documents(queryset))


def export_filename(fmt: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"statements-{now:%Y%m%d-%H%M%S}.{EXTENSIONS[fmt]}"
