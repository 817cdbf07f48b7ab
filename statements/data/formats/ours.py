"""Our own exports read back: the statements JSONL (or JSON array) and the standard workload.

**jsonl** — what `statements/data/exporting.py` writes, one statement per line, in statement id
order: `{"id", "article": {"id", "title", "source", "url", "published"}, "start", "end", "quote",
"context_before", "context_after", "speaker": {"id", "name", "kind", "affiliation"} | null,
"addressee": … | null, "stance", "note", "conditions": [{"description", "evidence": {"start",
"end", "quote"} | null}], "annotator": {"id", "username"}, "status", "gold", "reviews", …}`.
The export does not carry the article's text, so the documents read have `has_text=False` and
`key` = the article id: one document per run of consecutive lines of the same article (an
article whose statements are not consecutive comes back as several documents with the same
key). Offsets are code points; each line's quote must have end − start characters. The context
before and after becomes the span's prefix/suffix, so that `attach_text()` (or `text_for`) can
anchor the spans in the article's text once it is known.

**workload** — the standard workload JSONL (`/work/shared/bench/workload.py`): one article per line,
`{"title", "text", "annotations": [{"annotator", "start", "end", "label", "quote"}]}`; code points,
`text[start:end] == quote`, labels support/caveat/demand. No speakers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import IO, Any

from statements.data.formats.common import Region, assemble, is_int, obj, text_or_none
from statements.data.formats.jsonio import json_records
from statements.data.formats.records import InCondition, InDocument, Report
from statements.data.formats.stances import StanceMap

TextFor = Callable[[InDocument], str | None]


def _name(actor: Any, *keys: str) -> str | None:
    if isinstance(actor, dict):
        for key in keys:
            if text_or_none(actor.get(key)):
                return str(actor[key])
        return None
    return text_or_none(actor)


def read_jsonl(
    stream: IO[bytes], stances: StanceMap, report: Report, name: str | None, text_for: TextFor | None
) -> Iterator[InDocument]:
    run: list[Region] = []
    article: dict[str, Any] = {}
    first_location = ""
    for location, row in json_records(stream, report, item="item", name=name):
        if not isinstance(row, dict):
            report.add(location, "row", f"a row must be a JSON object, not {type(row).__name__}")
            continue
        this = row.get("article")
        if not isinstance(this, dict) or this.get("id") is None:
            report.add(location, "article", "the row has no article (an object with an id)")
            continue
        if run and this.get("id") != article.get("id"):
            document = finish(first_location, article, run, stances, report, text_for)
            if document is not None:
                yield document
            run = []
        if not run:
            article, first_location = this, location
        conditions = []
        for i, c in enumerate(row.get("conditions") or []):
            if not isinstance(c, dict) or not isinstance(c.get("description"), str):
                report.add(location, f"conditions[{i}]", "a condition needs a description")
                continue
            evidence = obj(c.get("evidence"))
            s, e = evidence.get("start"), evidence.get("end")
            conditions.append(
                InCondition(c["description"], s if is_int(s) else None, e if is_int(e) else None)
            )
        stance = row.get("stance")
        run.append(
            Region(
                key=None if row.get("id") is None else str(row["id"]),
                location=location,
                start=row.get("start"),
                end=row.get("end"),
                quote=row.get("quote"),
                labels=[stance] if isinstance(stance, str) else [],
                fields=("start", "end", "quote"),
                speaker=_name(row.get("speaker"), "name"),
                addressee=_name(row.get("addressee"), "name"),
                annotator=_name(row.get("annotator"), "username", "id"),
                notes=[row["note"]] if text_or_none(row.get("note")) else [],
                conditions=conditions,
                status=text_or_none(row.get("status")),
                prefix=row.get("context_before") if isinstance(row.get("context_before"), str) else None,
                suffix=row.get("context_after") if isinstance(row.get("context_after"), str) else None,
            )
        )
    if run:
        document = finish(first_location, article, run, stances, report, text_for)
        if document is not None:
            yield document


def finish(
    location: str,
    article: dict[str, Any],
    regions: list[Region],
    stances: StanceMap,
    report: Report,
    text_for: TextFor | None,
    *,
    key: str | None = None,
    url: str | None = None,
) -> InDocument | None:
    """A document of a file that points at its article instead of carrying its text: placed in
    the text `text_for` gives for it, if any, else checked for shape only."""
    draft = InDocument(
        location=location,
        text="",
        title=text_or_none(article.get("title")),
        url=text_or_none(article.get("url")) or url,
        date=text_or_none(article.get("published")) or text_or_none(article.get("date")),
        source=text_or_none(article.get("source")),
        spans=[],
        key=key if key is not None else (None if article.get("id") is None else str(article["id"])),
        has_text=False,
    )
    text = text_for(draft) if text_for is not None else None
    spans = assemble(text, regions, [], stances, report, with_relations=False)
    if spans is None:
        return None
    if text is None:
        return replace(draft, spans=spans)
    return replace(draft, spans=spans, text=text, has_text=True)


def read_workload(
    stream: IO[bytes], stances: StanceMap, report: Report, name: str | None
) -> Iterator[InDocument]:
    for location, record in json_records(stream, report, item="item", name=name):
        if not isinstance(record, dict):
            report.add(location, "article", f"an article must be a JSON object, not {type(record).__name__}")
            continue
        text = record.get("text")
        if not isinstance(text, str):
            report.add(location, "text", "the article has no text")
            continue
        annotations = record.get("annotations") or []
        if not isinstance(annotations, list):
            report.add(location, "annotations", "annotations must be a list")
            continue
        regions = []
        for i, a in enumerate(annotations):
            where = f"{location}, annotation {i + 1}"
            if not isinstance(a, dict):
                report.add(where, "annotation", "an annotation must be a JSON object")
                continue
            label = a.get("label")
            regions.append(
                Region(
                    key=str(i + 1),
                    location=where,
                    start=a.get("start"),
                    end=a.get("end"),
                    quote=a.get("quote"),
                    labels=[label] if isinstance(label, str) else [],
                    annotator=_name(a.get("annotator")),
                )
            )
        spans = assemble(text, regions, [], stances, report, with_relations=False)
        if spans is None:
            continue
        yield InDocument(
            location=location,
            text=text,
            title=text_or_none(record.get("title")),
            url=text_or_none(record.get("url")),
            date=text_or_none(record.get("date")),
            source=text_or_none(record.get("source")),
            spans=spans,
            key=None if record.get("id") is None else str(record["id"]),
        )
