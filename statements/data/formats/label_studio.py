"""Label Studio: tasks JSON (a JSON array, or JSON Lines) with annotations and predictions.

Reading. A task is `{"data": {...}, "annotations": [...], "predictions": [...]}` (older exports
say "completions"; a bare data object is a task without annotations). The text is `data.text`,
else the data field a result's `to_name` names, else the first string field that is not
metadata (title, url, date, source). Each annotation's `result` holds:

- `labels` results (`value.start/end/text/labels`; `hypertextlabels` with `globalOffsets`): a
  region. Its labels give the stance; a region whose labels are no stance is an entity;
- per-region results carrying the region's `id`: `textarea` by `from_name` (speaker/said_by/source
  → speaker, addressee/target/recipient → addressee, condition(s) → conditions, one per line,
  actor → an entity's canonical name, anything else → note), `choices` (a stance, Direct/Indirect,
  or from_name "status"), and a region's `meta.text` (note);
- `relation` results (`from_id`, `to_id`, `labels`): a Speaker-like relation (or an unlabelled one)
  between a statement region and an entity gives the speaker (the entity's text); Addressee-like
  the addressee; Condition-like a condition with its evidence span. Direction does not matter.

The annotator is `completed_by` (an id, or an object with username/email/id), else
`created_username`, else our own `annotator` key; a prediction's is its `model_version`, its
score the result's or the prediction's. Cancelled annotations are skipped.

Offsets: current Label Studio stores code points (it did not always: up to 2021 the front end
stored JavaScript string offsets, UTF-16 code units; the example in tests/data/formats uses code
points). Each region is checked against the text and, when its text does not match in code points
but does in UTF-16 units (or with CRLF counted as one character, as the browser's DOM counts it),
converted; regions without `value.text` follow the convention the task's other regions showed.

Writing: a JSON array of tasks, one per article, importable as pre-annotated tasks with the
labelling configuration LABEL_STUDIO_CONFIG. `data` holds text, title, url, date, source and
article_id; one annotation per annotator (or one prediction per annotator with
`target="predictions"`), each statement a `labels` region with the stance ("Support"), and
per-region results: speaker and addressee names (textarea), the note, the conditions without
evidence (one text each), Direct/Indirect and the status (choices). When the speaker's (or
addressee's) name or alias occurs in the text, the nearest mention also becomes an "Actor" region
joined to the statement by a Speaker (Addressee) relation, as Label Studio users draw them; a
condition with evidence becomes a "Condition" region (its description as the region's note) and a
Condition relation. Offsets are code points. The annotator travels in an `annotator` key of the
annotation: Label Studio ignores unknown keys on import (and `completed_by` must be one of its
user ids, which we do not know), so the imported annotations belong to the importing user.
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
    stance_title,
    text_or_none,
)
from statements.data.formats.jsonio import json_records
from statements.data.formats.records import InCondition, InDocument, InSpan, OutDocument, OutStatement, Report
from statements.data.formats.stances import StanceMap, normalise_label, relation_kind

LABEL_STUDIO_CONFIG = """<View>
  <Header value="$title"/>
  <Labels name="label" toName="text">
    <Label value="Support" background="#2e7d32"/>
    <Label value="Caveat" background="#f9a825"/>
    <Label value="Demand" background="#c62828"/>
    <Label value="Actor" background="#1565c0"/>
    <Label value="Condition" background="#6a1b9a"/>
  </Labels>
  <Text name="text" value="$text"/>
  <Relations>
    <Relation value="Speaker"/>
    <Relation value="Addressee"/>
    <Relation value="Condition"/>
  </Relations>
  <View visibleWhen="region-selected">
    <TextArea name="speaker" toName="text" perRegion="true" maxSubmissions="1" placeholder="Speaker"/>
    <TextArea name="addressee" toName="text" perRegion="true" maxSubmissions="1" placeholder="Addressee"/>
    <TextArea name="actor" toName="text" perRegion="true" maxSubmissions="1" placeholder="Actor's name"/>
    <TextArea name="note" toName="text" perRegion="true" placeholder="Note"/>
    <TextArea name="conditions" toName="text" perRegion="true" placeholder="Conditions, one per line"/>
    <Choices name="quote" toName="text" perRegion="true" choice="single">
      <Choice value="Direct"/>
      <Choice value="Indirect"/>
    </Choices>
    <Choices name="status" toName="text" perRegion="true" choice="single">
      <Choice value="pending"/>
      <Choice value="accepted"/>
      <Choice value="rejected"/>
      <Choice value="changes_requested"/>
    </Choices>
  </View>
</View>
"""

_METADATA = {
    "title": ("title", "headline"),
    "url": ("url", "link"),
    "date": ("date", "published", "pub_date", "publication_date"),
    "source": ("source", "publisher", "outlet"),
}
_METADATA_KEYS = {k for keys in _METADATA.values() for k in keys} | {"id", "article_id"}


def read(stream: IO[bytes], stances: StanceMap, report: Report, name: str | None) -> Iterator[InDocument]:
    for location, task in json_records(stream, report, item="task", name=name):
        document = _task(location, task, stances, report)
        if document is not None:
            yield document


def _task(location: str, task: Any, stances: StanceMap, report: Report) -> InDocument | None:
    if not isinstance(task, dict):
        report.add(location, "task", f"a task must be a JSON object, not {type(task).__name__}")
        return None
    sets = [("annotations", "annotation"), ("completions", "annotation"), ("predictions", "prediction")]
    if isinstance(task.get("data"), dict):
        data = task["data"]
    elif not any(k in task for k, _ in sets):
        data = task  # a bare data object
    else:
        report.add(location, "data", "the task has no data object")
        return None
    to_names = {
        r.get("to_name")
        for key, _ in sets
        for a in (task.get(key) or [])
        if isinstance(a, dict)
        for r in (a.get("result") or [])
        if isinstance(r, dict)
    }
    text_key = _text_key(data, to_names)
    if text_key is None:
        report.add(location, "data.text", "the task has no text (data.text or another string field)")
        return None
    text = data[text_key]
    before = len(report)
    spans: list[InSpan] = []
    for key, origin in sets:
        group = task.get(key)
        if group is None:
            continue
        if not isinstance(group, list):
            report.add(location, key, f"{key} must be a list")
            continue
        for index, annotation in enumerate(group):
            found = _annotation(location, key, index, annotation, origin, text, stances, report)
            spans.extend(found or [])
    if len(report) > before:
        return None
    meta = {field: next((str(data[k]) for k in keys if data.get(k) not in (None, "")), None)
            for field, keys in _METADATA.items()}  # fmt: skip
    task_id = task.get("id", data.get("article_id"))
    return InDocument(
        location=location,
        text=text,
        title=meta["title"],
        url=meta["url"],
        date=meta["date"],
        source=meta["source"],
        spans=spans,
        key=None if task_id is None else str(task_id),
    )


def _text_key(data: dict[str, Any], to_names: set[Any]) -> str | None:
    if isinstance(data.get("text"), str):
        return "text"
    for name in to_names:
        if isinstance(name, str) and isinstance(data.get(name), str):
            return name
    strings = [k for k, v in data.items() if isinstance(v, str)]
    for k in strings:
        if k not in _METADATA_KEYS:
            return k
    return strings[0] if strings else None


def _annotator(annotation: dict[str, Any], origin: str) -> str | None:
    if origin == "prediction":
        version = annotation.get("model_version")
        return None if version in (None, "") else str(version)
    if text_or_none(annotation.get("annotator")):
        return str(annotation["annotator"])
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        for k in ("username", "email", "id"):
            if who.get(k) not in (None, ""):
                return str(who[k])
    elif is_int(who) or isinstance(who, str):
        return str(who)
    created = annotation.get("created_username")
    return created if text_or_none(created) else None


def _role(from_name: Any) -> str:
    key = normalise_label(from_name) if isinstance(from_name, str) else ""
    kind = relation_kind(key)
    if kind in ("speaker", "addressee"):
        return kind
    if key in ("condition", "conditions"):
        return "conditions"
    if key in ("actor", "actor name", "name", "canonical name"):
        return "name"
    if key == "annotator":
        return "annotator"
    return "note"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _annotation(
    location: str,
    key: str,
    index: int,
    annotation: Any,
    origin: str,
    text: str,
    stances: StanceMap,
    report: Report,
) -> list[InSpan] | None:
    if not isinstance(annotation, dict):
        report.add(f"{location}, {key}[{index}]", key, "an annotation must be a JSON object")
        return None
    if annotation.get("was_cancelled") is True:
        return []
    label = "prediction" if origin == "prediction" else "annotation"
    where = f"{location}, {label} {annotation.get('id', index + 1)}"
    results = annotation.get("result")
    if results is None:
        return []
    if not isinstance(results, list):
        report.add(where, "result", "result must be a list")
        return None
    annotator = _annotator(annotation, origin)
    default_score = annotation.get("score") if isinstance(annotation.get("score"), int | float) else None
    regions: dict[str, Region] = {}
    extras: list[tuple[str, str, Any, dict[str, Any]]] = []  # (location, region id, type, result)
    relations: list[Relation] = []
    for r_index, result in enumerate(results):
        if not isinstance(result, dict):
            report.add(f"{where}, result {r_index + 1}", "result", "a result must be a JSON object")
            continue
        rid = result.get("id")
        rloc = f"{where}, result {rid if rid is not None else r_index + 1}"
        kind = result.get("type")
        if kind == "relation":
            source, target = result.get("from_id"), result.get("to_id")
            if source is None or target is None:
                report.add(rloc, "from_id", "a relation needs from_id and to_id")
                continue
            labels = _strings(result.get("labels"))
            relations.append(Relation(rloc, str(source), str(target), labels[0] if labels else None))
            continue
        value = result.get("value")
        if not isinstance(value, dict):
            if kind in ("labels", "hypertextlabels", "textarea", "choices"):
                report.add(rloc, "value", "the result has no value object")
            continue
        labels_key = kind if isinstance(kind, str) and kind.endswith("labels") else None
        if labels_key is not None:
            start, end = value.get("start"), value.get("end")
            fields = ("value.start", "value.end", "value.text")
            offsets = value.get("globalOffsets")
            if not is_int(start) and isinstance(offsets, dict):  # HyperText: XPath offsets, plus global ones
                start, end = offsets.get("start"), offsets.get("end")
                fields = ("value.globalOffsets.start", "value.globalOffsets.end", "value.text")
            region_key = str(rid) if rid is not None else f"#{r_index}"
            score = result.get("score") if isinstance(result.get("score"), int | float) else default_score
            region = Region(
                key=region_key,
                location=rloc,
                start=start,
                end=end,
                quote=value.get("text"),
                labels=_strings(value.get(labels_key)) or _strings(value.get("labels")),
                fields=fields,
                annotator=annotator,
                origin="prediction" if origin == "prediction" else "annotation",
                score=None if score is None else float(score),
            )
            previous = regions.get(region_key)
            if previous is not None:  # several labels results for one region: merge their labels
                previous.labels.extend(region.labels)
            else:
                regions[region_key] = region
            meta = result.get("meta")
            if isinstance(meta, dict):
                regions[region_key].notes.extend(_strings(meta.get("text")))
        elif kind in ("textarea", "choices") and rid is not None:
            extras.append((rloc, str(rid), kind, result))
    for _where, rid, kind, result in extras:
        if rid not in regions:
            continue  # a per-task (not per-region) textarea or choice: not about a statement
        region = regions[rid]
        value = result["value"]
        if kind == "textarea":
            texts = [t for t in _strings(value.get("text")) if t.strip()]
            role = _role(result.get("from_name"))
            if not texts:
                continue
            if role == "speaker":
                region.speaker = texts[0].strip()
            elif role == "addressee":
                region.addressee = texts[0].strip()
            elif role == "name":
                region.name = texts[0].strip()
            elif role == "annotator":
                region.annotator = texts[0].strip()
            elif role == "conditions":
                region.conditions.extend(
                    InCondition(line.strip()) for t in texts for line in t.splitlines() if line.strip()
                )
            else:
                region.notes.extend(texts)
        else:
            choices = _strings(value.get("choices"))
            from_name = normalise_label(str(result.get("from_name", "")))
            for choice in choices:
                if from_name == "status":
                    region.status = choice
                elif normalise_label(choice) in ("direct", "direct quote"):
                    region.direct = True
                elif normalise_label(choice) in ("indirect", "reported", "reported speech"):
                    region.direct = False
                elif stances.stance(choice) is not None and region.stance is None:
                    region.stance, region.stance_label = choice, choice
    # relation ids are region ids of this annotation
    return assemble(text, list(regions.values()), relations, stances, report, with_relations=True)


# ---------------------------------------------------------------------------------------------
# Writing


def write(documents: Iterator[OutDocument], *, target: str = "annotations") -> Iterator[bytes]:
    if target not in ("annotations", "predictions"):
        raise ValueError("target must be 'annotations' or 'predictions'")

    def parts() -> Iterator[bytes]:
        yield b"["
        first = True
        for document in documents:
            task = json.dumps(_task_out(document, target), ensure_ascii=False, separators=(",", ":"))
            yield (b"\n" if first else b",\n") + task.encode()
            first = False
        yield b"]\n" if first else b"\n]\n"

    return chunked(parts())


def _task_out(document: OutDocument, target: str) -> dict[str, Any]:
    data: dict[str, Any] = {"text": document.text, "article_id": document.id}
    for field, value in (
        ("title", document.title),
        ("url", document.url),
        ("date", document.date),
        ("source", document.source),
    ):
        if value is not None:
            data[field] = value
    groups: dict[str, list[OutStatement]] = {}
    for statement in document.statements:
        groups.setdefault(statement.annotator, []).append(statement)
    mentions = Mentions(document.text)
    sets: list[dict[str, Any]] = []
    for annotator, statements in groups.items():
        results = _results(document.text, statements, mentions)
        if target == "predictions":
            sets.append({"model_version": annotator, "result": results})
        else:
            sets.append(
                {"annotator": annotator, "result": results, "was_cancelled": False, "ground_truth": False}
            )
    return {"data": data, target: sets}


def _results(text: str, statements: list[OutStatement], mentions: Mentions) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    entities: dict[tuple[int, int, str], str] = {}

    def region(rid: str, start: int, end: int, label: str) -> None:
        results.append(
            {
                "id": rid,
                "from_name": "label",
                "to_name": "text",
                "type": "labels",
                "origin": "manual",
                "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
            }
        )

    def per_region(rid: str, start: int, end: int, name: str, kind: str, values: list[str]) -> None:
        value: dict[str, Any] = {"start": start, "end": end}
        value["text" if kind == "textarea" else "choices"] = values
        results.append({"id": rid, "from_name": name, "to_name": "text", "type": kind, "value": value})

    def relation(source: str, target: str, label: str) -> None:
        results.append(
            {"from_id": source, "to_id": target, "type": "relation", "direction": "right", "labels": [label]}
        )

    for st in statements:
        rid = f"s{st.id}"
        region(rid, st.start, st.end, stance_title(st.stance))
        for role, actor in (("speaker", st.speaker), ("addressee", st.addressee)):
            if actor is None:
                continue
            per_region(rid, st.start, st.end, role, "textarea", [actor.name])
            found = mentions.nearest(actor_names(actor.name, actor.aliases), st.start, st.end)
            if found is None:
                continue
            key = (found[0], found[1], "Actor")
            eid = entities.get(key)
            if eid is None:
                eid = entities[key] = f"a{len(entities) + 1}-{st.id}"
                region(eid, found[0], found[1], "Actor")
                if text[found[0] : found[1]] != actor.name:
                    per_region(eid, found[0], found[1], "actor", "textarea", [actor.name])
            relation(rid, eid, role.capitalize())
        if st.note:
            per_region(rid, st.start, st.end, "note", "textarea", [st.note])
        loose = [c.description for c in st.conditions if c.start is None or c.end is None]
        if loose:
            per_region(rid, st.start, st.end, "conditions", "textarea", loose)
        for i, condition in enumerate(st.conditions):
            if condition.start is None or condition.end is None:
                continue
            cid = f"c{st.id}-{i + 1}"
            region(cid, condition.start, condition.end, "Condition")
            per_region(cid, condition.start, condition.end, "note", "textarea", [condition.description])
            relation(rid, cid, "Condition")
        per_region(rid, st.start, st.end, "quote", "choices", ["Direct" if st.direct else "Indirect"])
        if st.status:
            per_region(rid, st.start, st.end, "status", "choices", [st.status])
    return results
