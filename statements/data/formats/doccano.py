"""doccano: JSON Lines (or a JSON array) of examples.

Reading accepts the shapes doccano exports:

- sequence labelling: `{"text", "label": [[start, end, "LABEL"], ...]}` (also "labels");
- sequence labelling with relations: `{"text", "entities": [{"id", "label", "start_offset",
  "end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}]}`;
- doccano 1.x: `{"text", "annotations": [{"label", "start_offset", "end_offset", "user"}]}`
  (the user becomes the annotator).

A span whose label is a stance is a statement; any other is an entity (a possible speaker): a
Speaker-like relation (Speaker, SaidBy, Source, Attribution) between a statement and an entity
gives the speaker (the entity's text), Addressee-like the addressee, Condition-like a condition
with its evidence. Title, url, date and source come from the top level or a "meta" object.
Offsets are code points (doccano's server is Python). doccano files carry no quote, so the
offsets can only be checked against the text's length: UTF-16 offsets (doccano's front end
counted them before 2019) or LF-counted offsets on a CRLF text cannot be told apart here.

Writing: the relation variant, one article per line, so that speakers survive: each statement
an entity labelled with its stance ("Support"), the speaker's and addressee's nearest mention in
the text (by name or alias) an "Actor" entity with a Speaker/Addressee relation, a condition with
evidence a "Condition" entity with a Condition relation. What doccano has no field for goes into a
`details` object keyed by entity id (doccano keeps unknown keys as the example's metadata): per
statement the speaker and addressee names (also when they are not mentioned in the text),
annotator, note, conditions without evidence, status, direct, created and our statement id; per
Actor entity its canonical name; per Condition entity its description. Also title, url, date,
source and article_id at the top level.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from statements.data.formats.common import (
    Mentions,
    Region,
    Relation,
    actor_names,
    assemble,
    chunked,
    is_int,
    obj,
    stance_title,
    text_or_none,
)
from statements.data.formats.jsonio import json_records
from statements.data.formats.records import InCondition, InDocument, OutDocument, Report
from statements.data.formats.stances import StanceMap


def read(stream: IO[bytes], stances: StanceMap, report: Report, name: str | None) -> Iterator[InDocument]:
    for location, record in json_records(stream, report, item="example", name=name):
        document = _example(location, record, stances, report)
        if document is not None:
            yield document


def _meta(record: dict[str, Any], *keys: str) -> str | None:
    meta = obj(record.get("meta"))
    for key in keys:
        for source in (record, meta):
            value = source.get(key)
            if value not in (None, "") and not isinstance(value, dict | list):
                return str(value)
    return None


def _example(location: str, record: Any, stances: StanceMap, report: Report) -> InDocument | None:
    if not isinstance(record, dict):
        report.add(location, "example", f"an example must be a JSON object, not {type(record).__name__}")
        return None
    text = record.get("text", record.get("data"))
    if not isinstance(text, str):
        report.add(location, "text", "the example has no text")
        return None
    before = len(report)
    details = obj(record.get("details"))
    regions: list[Region] = []
    relations: list[Relation] = []
    labels = record.get("label", record.get("labels"))
    if isinstance(record.get("entities"), list):
        for i, entity in enumerate(record["entities"]):
            where = f"{location}, entity {entity.get('id', i + 1) if isinstance(entity, dict) else i + 1}"
            if not isinstance(entity, dict):
                report.add(where, "entities", "an entity must be a JSON object")
                continue
            key = str(entity.get("id", f"#{i}"))
            start, end = entity.get("start_offset"), entity.get("end_offset")
            regions.append(_region(where, key, start, end, entity.get("label"), details.get(key), None))
        for i, rel in enumerate(record.get("relations") or []):
            where = f"{location}, relation {rel.get('id', i + 1) if isinstance(rel, dict) else i + 1}"
            if not isinstance(rel, dict) or rel.get("from_id") is None or rel.get("to_id") is None:
                report.add(where, "relations", "a relation needs from_id and to_id")
                continue
            kind = rel.get("type", rel.get("label"))
            relations.append(Relation(where, str(rel["from_id"]), str(rel["to_id"]), kind))
    elif isinstance(record.get("annotations"), list):
        for i, item in enumerate(record["annotations"]):
            where = f"{location}, annotation {i + 1}"
            if not isinstance(item, dict):
                report.add(where, "annotations", "an annotation must be a JSON object")
                continue
            user = item.get("user")
            start, end = item.get("start_offset"), item.get("end_offset")
            who = None if user is None else str(user)
            regions.append(_region(where, f"#{i}", start, end, item.get("label"), None, who))
    elif isinstance(labels, list):
        for i, item in enumerate(labels):
            where = f"{location}, label {i + 1}"
            if isinstance(item, str):
                report.add(
                    where, "label", "a label without offsets (a text classification example) is not a span"
                )
                continue
            if not isinstance(item, list) or len(item) != 3:
                report.add(where, "label", "a label must be [start, end, label]")
                continue
            regions.append(_region(where, f"#{i}", item[0], item[1], item[2], None, None))
    if len(report) > before:
        return None
    spans = assemble(text, regions, relations, stances, report, with_relations=True)
    if spans is None:
        return None
    ident = record.get("article_id", record.get("id"))
    return InDocument(
        location=location,
        text=text,
        title=_meta(record, "title", "headline"),
        url=_meta(record, "url", "link"),
        date=_meta(record, "date", "published"),
        source=_meta(record, "source", "publisher"),
        spans=spans,
        key=None if ident is None else str(ident),
    )


def _region(where: str, key: str, start: Any, end: Any, label: Any, detail: Any, user: str | None) -> Region:
    region = Region(
        key=key,
        location=where,
        start=start,
        end=end,
        quote=None,
        labels=[label] if isinstance(label, str) else [],
        fields=("start_offset", "end_offset", "label"),
        annotator=user,
    )
    if isinstance(detail, dict):
        region.speaker = text_or_none(detail.get("speaker"))
        region.addressee = text_or_none(detail.get("addressee"))
        region.name = text_or_none(detail.get("name"))
        region.annotator = text_or_none(detail.get("annotator")) or user
        if text_or_none(detail.get("note")):
            region.notes.append(detail["note"])
        if text_or_none(detail.get("description")):
            region.notes.append(detail["description"])
        region.status = text_or_none(detail.get("status"))
        region.direct = detail.get("direct") if isinstance(detail.get("direct"), bool) else None
        for c in detail.get("conditions") or []:
            if isinstance(c, dict) and text_or_none(c.get("description")):
                s, e = c.get("start"), c.get("end")
                region.conditions.append(
                    InCondition(c["description"], s if is_int(s) else None, e if is_int(e) else None)
                )
    return region


# ---------------------------------------------------------------------------------------------
# Writing


def write(documents: Iterator[OutDocument]) -> Iterator[bytes]:
    def lines() -> Iterator[bytes]:
        for document in documents:
            yield (
                json.dumps(_example_out(document), ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            )

    return chunked(lines())


def _example_out(document: OutDocument) -> dict[str, Any]:
    text = document.text
    mentions = Mentions(text)
    entities: list[dict[str, Any]] = []
    relations: list[dict[str, Any]] = []
    details: dict[str, dict[str, Any]] = {}
    actors: dict[tuple[int, int], int] = {}

    def entity(start: int, end: int, label: str) -> int:
        eid = len(entities) + 1
        entities.append({"id": eid, "label": label, "start_offset": start, "end_offset": end})
        return eid

    def relate(source: int, target: int, kind: str) -> None:
        relations.append({"id": len(relations) + 1, "from_id": source, "to_id": target, "type": kind})

    for st in document.statements:
        sid = entity(st.start, st.end, stance_title(st.stance))
        detail: dict[str, Any] = {
            "statement_id": st.id,
            "speaker": st.speaker.name if st.speaker else None,
            "addressee": st.addressee.name if st.addressee else None,
            "annotator": st.annotator,
            "note": st.note,
            "conditions": [
                {"description": c.description} for c in st.conditions if c.start is None or c.end is None
            ],
            "status": st.status,
            "direct": st.direct,
            "created": st.created,
        }
        details[str(sid)] = detail
        for kind, actor in (("Speaker", st.speaker), ("Addressee", st.addressee)):
            if actor is None:
                continue
            found = mentions.nearest(actor_names(actor.name, actor.aliases), st.start, st.end)
            if found is None:
                continue
            aid = actors.get(found)
            if aid is None:
                aid = actors[found] = entity(found[0], found[1], "Actor")
                if text[found[0] : found[1]] != actor.name:
                    details[str(aid)] = {"name": actor.name}
            relate(sid, aid, kind)
        for condition in st.conditions:
            if condition.start is None or condition.end is None:
                continue
            cid = entity(condition.start, condition.end, "Condition")
            details[str(cid)] = {"description": condition.description}
            relate(sid, cid, "Condition")
    out: dict[str, Any] = {
        "article_id": document.id,
        "text": text,
        "entities": entities,
        "relations": relations,
    }
    for field, value in (
        ("title", document.title),
        ("url", document.url),
        ("date", document.date),
        ("source", document.source),
    ):
        if value is not None:
            out[field] = value
    out["details"] = details
    return out
