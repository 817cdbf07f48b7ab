"""W3C Web Annotation: a collection (with its first page embedded), a page, a list, a single
annotation, or JSON Lines of annotations; streamed item by item.

Each annotation's target is read through its selectors: `TextQuoteSelector` (exact, prefix,
suffix) and/or `TextPositionSelector` (start, end; code points, as the Web Annotation model
says: "the position in the text's sequence of characters"; our export writes both). The bodies:

- `TextualBody` with `purpose: "classifying"` or `"tagging"`: the stance (a value the stance map
  knows; classifying first);
- `purpose: "identifying"`: the speaker's name (our export);
- a tagging value that is no stance, in an annotation that also has a stance: the addressee (our
  export writes the addressee as a tag);
- `purpose: "commenting"` (or `bodyValue`): the note; `purpose: "describing"`: a condition (ours).

The creator (`nickname`, `name`, or an IRI) is the annotator. A W3C annotation points at its
source by IRI instead of carrying its text: documents have `has_text=False` and `key` = the
target's source IRI, one per run of consecutive annotations of the same source; spans given by
quote only have start = end = -1 until `attach_text()` (or `text_for`) places them.
A collection whose pages are not embedded (`first` is an IRI, or a page has `next`) is refused
with a problem: the pages would have to be fetched.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import IO, Any

from statements.data.formats.common import Region, text_or_none
from statements.data.formats.jsonio import JsonCursor, JsonProblem
from statements.data.formats.ours import TextFor, finish
from statements.data.formats.records import InCondition, InDocument, Report
from statements.data.formats.stances import StanceMap


def read(
    stream: IO[bytes], stances: StanceMap, report: Report, name: str | None, text_for: TextFor | None
) -> Iterator[InDocument]:
    run: list[Region] = []
    source: str | None = None
    first_location = ""
    for location, annotation in _annotations(stream, report, name or "file"):
        region, target = _region(location, annotation, stances, report)
        if region is None:
            continue
        if run and target != source:
            document = finish(first_location, {}, run, stances, report, text_for, key=source)
            if document is not None:
                yield document
            run = []
        if not run:
            source, first_location = target, location
        run.append(region)
    if run:
        document = finish(first_location, {}, run, stances, report, text_for, key=source)
        if document is not None:
            yield document


def _annotations(stream: IO[bytes], report: Report, where: str) -> Iterator[tuple[str, Any]]:
    cursor = JsonCursor(stream)
    counter = [0]
    try:
        if cursor.peek() == "":
            report.add(where, "file", "the file is empty")
            return
        while True:
            char = cursor.peek()
            if char == "":
                return
            if char == "[":
                for value in cursor.array_items():
                    counter[0] += 1
                    yield f"item {counter[0]}", value
            elif char == "{":
                members = yield from _object(cursor, counter, report, where, 0)
                if members.get("_streamed"):
                    continue
                counter[0] += 1
                yield f"item {counter[0]}", members
            else:
                report.add(where, "json", f"expected an annotation, a list or a collection, found {char!r}")
                return
    except JsonProblem as p:
        report.add(f"item {counter[0] + 1}", p.field, p.message)


def _object(
    cursor: JsonCursor, counter: list[int], report: Report, where: str, depth: int
) -> Generator[tuple[str, Any], None, dict[str, Any]]:
    """The object starting here, its `items` array streamed (also inside an embedded `first`
    page); returns its other members (with `_streamed` set when it had items)."""
    cursor.expect("{")
    members: dict[str, Any] = {}
    while True:
        key = cursor.key()
        if key is None:
            break
        nxt = cursor.peek()
        if key == "items" and nxt == "[":
            members["_streamed"] = True
            for value in cursor.array_items():
                counter[0] += 1
                yield f"item {counter[0]}", value
        elif key == "first" and nxt == "{" and depth == 0:
            page = yield from _object(cursor, counter, report, where, depth + 1)
            members["_streamed"] = True
            if isinstance(page.get("next"), str | dict):
                report.add(
                    where, "first.next", "the collection has more pages than the first: they are not embedded"
                )
        else:
            members[key] = cursor.value()
    if depth == 0 and isinstance(members.get("first"), str):
        report.add(
            where, "first", "the collection's first page is not embedded (an IRI): it cannot be read here"
        )
        members["_streamed"] = True
    return members


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _purposes(body: dict[str, Any]) -> list[str]:
    return [p for p in _as_list(body.get("purpose")) if isinstance(p, str)]


def _region(
    location: str, annotation: Any, stances: StanceMap, report: Report
) -> tuple[Region | None, str | None]:
    if not isinstance(annotation, dict):
        report.add(location, "annotation", "an annotation must be a JSON object")
        return None, None
    targets = [t for t in _as_list(annotation.get("target")) if isinstance(t, dict) and t.get("selector")]
    if not targets:
        report.add(
            location, "target", "the annotation has no target with a selector (TextQuote or TextPosition)"
        )
        return None, None
    target = targets[0]
    source = target.get("source", target.get("id"))
    source = source if isinstance(source, str) else (source.get("id") if isinstance(source, dict) else None)
    quote = prefix = suffix = start = end = None
    selectors = [s for s in _as_list(target.get("selector")) if isinstance(s, dict)]
    for selector in selectors:
        kind = selector.get("type")
        if kind == "TextQuoteSelector":
            quote = selector.get("exact")
            prefix = selector.get("prefix") if isinstance(selector.get("prefix"), str) else None
            suffix = selector.get("suffix") if isinstance(selector.get("suffix"), str) else None
        elif kind == "TextPositionSelector":
            start, end = selector.get("start"), selector.get("end")
    if quote is None and start is None:
        report.add(location, "target.selector", "neither a TextQuoteSelector nor a TextPositionSelector")
        return None, None
    classifying: list[str] = []
    tags: list[str] = []
    speaker = None
    notes: list[str] = []
    conditions: list[InCondition] = []
    if text_or_none(annotation.get("bodyValue")):
        notes.append(annotation["bodyValue"])
    for body in _as_list(annotation.get("body")):
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            continue  # an IRI body (a SpecificResource) says nothing we can read
        value, purposes = body["value"], _purposes(body)
        if "classifying" in purposes:
            classifying.append(value)
        elif "tagging" in purposes:
            tags.append(value)
        elif "identifying" in purposes:
            speaker = speaker or text_or_none(value)
        elif "describing" in purposes:
            conditions.append(InCondition(value))
        elif value.strip():
            notes.append(value)
    candidates = classifying + tags
    stance_label = next((c for c in candidates if stances.stance(c) is not None), None)
    addressee = None
    if stance_label is not None and (classifying or speaker):
        addressee = next((t for t in tags if t != stance_label and stances.stance(t) is None), None)
    creator = next(iter(_as_list(annotation.get("creator"))), None)
    annotator = None
    if isinstance(creator, dict):
        annotator = next(
            (str(creator[k]) for k in ("nickname", "name", "id") if text_or_none(creator.get(k))), None
        )
    elif isinstance(creator, str):
        annotator = creator
    ident = annotation.get("id")
    region = Region(
        key=None if ident is None else str(ident),
        location=location,
        start=start,
        end=end,
        quote=quote,
        labels=[stance_label] if stance_label else candidates[:1],
        fields=("target.selector.start", "target.selector.end", "target.selector.exact"),
        speaker=speaker,
        addressee=addressee,
        annotator=annotator,
        notes=notes,
        conditions=conditions,
        prefix=prefix,
        suffix=suffix,
    )
    return region, source
