"""Format codecs: our statements to and from the peers' annotation formats (pure Python).

    read(fmt, stream, *, stance_map=None, name=None, text_for=None) -> Iterator[InDocument]
    read_all(fmt, stream, ...) -> list[InDocument]
    read_brat_folder(path, *, stance_map=None) -> Iterator[InDocument]
    attach_text(document, text) -> InDocument
    write(fmt, documents, **options) -> Iterator[bytes]
    guess_format(head, filename) -> str | None

Formats read (READ_FORMATS): "jsonl" (our statements export, also as a JSON array), "label-studio",
"doccano", "brat" (a zip of .txt/.ann pairs), "w3c", "workload" (the standard workload JSONL) and
"events" (our event records). Formats written (WRITE_FORMATS): "label-studio", "doccano", "brat",
"events"; each reads back (same spans, speakers by name, stances). Each module's docstring
describes its format, its offsets (UTF-16 and CRLF detection) and what it keeps.

Reading streams: JSON Lines line by line, JSON arrays element by element (jsonio.JsonCursor), so
memory stays flat on large files. Every problem of the file is collected: documents are yielded
as they are read (those with a problem are not), and at the end one `FormatError` carries every
problem (the caller discards what it received: all or nothing is the caller's business).
`read_all` does the same into a list. Writing streams chunks of bytes, one document at a time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from statements.data.formats import brat, doccano, events, label_studio, ours, w3c
from statements.data.formats.common import Region, assemble
from statements.data.formats.events import (
    CAMEO_LABELS,
    CAMEO_TO_PLOVER,
    DEMAND_CUES,
    SUPPORT_CUES,
    cameo_code,
)
from statements.data.formats.jsonio import MAX_DEPTH
from statements.data.formats.label_studio import LABEL_STUDIO_CONFIG
from statements.data.formats.offsets import codepoints_to_utf16, lf_to_crlf, utf16_to_codepoints
from statements.data.formats.ours import TextFor
from statements.data.formats.records import (
    FormatError,
    InCondition,
    InDocument,
    InSpan,
    OutActor,
    OutDocument,
    OutStatement,
    Problem,
    Report,
)
from statements.data.formats.stances import DEFAULT_SYNONYMS, STANCES, StanceMap

READ_FORMATS = ("jsonl", "label-studio", "doccano", "brat", "w3c", "workload", "events")
WRITE_FORMATS = ("label-studio", "doccano", "brat", "events")
CONTENT_TYPES = {
    "label-studio": "application/json; charset=utf-8",
    "doccano": "application/x-ndjson; charset=utf-8",
    "brat": "application/zip",
    "events": "application/x-ndjson; charset=utf-8",
}
EXTENSIONS = {"label-studio": "json", "doccano": "jsonl", "brat": "zip", "events": "jsonl"}

__all__ = [
    "CAMEO_LABELS",
    "CAMEO_TO_PLOVER",
    "CONTENT_TYPES",
    "DEFAULT_SYNONYMS",
    "DEMAND_CUES",
    "EXTENSIONS",
    "LABEL_STUDIO_CONFIG",
    "MAX_DEPTH",
    "READ_FORMATS",
    "STANCES",
    "SUPPORT_CUES",
    "WRITE_FORMATS",
    "FormatError",
    "InCondition",
    "InDocument",
    "InSpan",
    "OutActor",
    "OutDocument",
    "OutStatement",
    "Problem",
    "TextFor",
    "attach_text",
    "cameo_code",
    "codepoints_to_utf16",
    "guess_format",
    "lf_to_crlf",
    "read",
    "read_all",
    "read_brat_folder",
    "utf16_to_codepoints",
    "write",
]


def read(
    fmt: str,
    stream: IO[bytes],
    *,
    stance_map: Mapping[str, str] | None = None,
    name: str | None = None,
    text_for: TextFor | None = None,
) -> Iterator[InDocument]:
    """The documents of `stream` in `fmt` (see READ_FORMATS), as they are read; raises one
    FormatError with every problem at the end if there were any (documents with problems are not
    yielded). `stance_map` maps labels to stances (stances.py); `name` is the file's name, for the
    problems about the whole file. `text_for(document)` gives the text of a document whose file
    does not carry it (jsonl, w3c, events: `has_text=False`), e.g. looked up by `key`; the spans
    are then anchored in it (None: left as the file gave them)."""
    if fmt not in READ_FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(READ_FORMATS)}.")
    report = Report()
    return _checked(_dispatch(fmt, stream, StanceMap(stance_map), report, name, text_for), report)


def _dispatch(
    fmt: str,
    stream: IO[bytes],
    stances: StanceMap,
    report: Report,
    name: str | None,
    text_for: TextFor | None,
) -> Iterator[InDocument]:
    if fmt == "label-studio":
        return label_studio.read(stream, stances, report, name)
    if fmt == "doccano":
        return doccano.read(stream, stances, report, name)
    if fmt == "brat":
        return brat.read_zip(stream, stances, report, name)
    if fmt == "w3c":
        return w3c.read(stream, stances, report, name, text_for)
    if fmt == "workload":
        return ours.read_workload(stream, stances, report, name)
    if fmt == "events":
        return events.read(stream, stances, report, name, text_for)
    return ours.read_jsonl(stream, stances, report, name, text_for)


def _checked(documents: Iterator[InDocument], report: Report) -> Iterator[InDocument]:
    yield from documents
    error = report.error()
    if error is not None:
        raise error


def read_all(
    fmt: str,
    stream: IO[bytes],
    *,
    stance_map: Mapping[str, str] | None = None,
    name: str | None = None,
    text_for: TextFor | None = None,
) -> list[InDocument]:
    """All the documents of `stream`, or a FormatError with every problem (and no documents)."""
    return list(read(fmt, stream, stance_map=stance_map, name=name, text_for=text_for))


def read_brat_folder(
    path: str | Path, *, stance_map: Mapping[str, str] | None = None
) -> Iterator[InDocument]:
    """The `.txt`/`.ann` pairs under `path` (recursively), as `read("brat", …)` reads a zip."""
    report = Report()
    return _checked(brat.read_folder(path, StanceMap(stance_map), report), report)


def attach_text(document: InDocument, text: str) -> InDocument:
    """`document` (read from a file without the text) with its spans anchored in `text`: offsets
    checked, misplaced quotes found again near them (or by their prefix/suffix), quote-only spans
    placed. Raises FormatError with every span that cannot be placed."""
    report = Report()
    regions = [
        Region(
            key=s.key,
            location=s.location,
            start=None if s.start < 0 else s.start,
            end=None if s.end < 0 else s.end,
            quote=s.quote,
            labels=[],
            stance=s.stance,
            stance_label=s.label,
            speaker=s.speaker,
            addressee=s.addressee,
            annotator=s.annotator,
            notes=[s.note] if s.note else [],
            conditions=list(s.conditions),
            status=s.status,
            origin=s.origin,
            score=s.score,
            prefix=s.prefix,
            suffix=s.suffix,
            direct=s.direct,
        )
        for s in document.spans
    ]
    spans = assemble(text, regions, [], StanceMap(), report, with_relations=False)
    error = report.error()
    if spans is None or error is not None:
        raise error or FormatError([Problem(document.location, "text", "the spans cannot be placed")])
    return replace(document, text=text, has_text=True, spans=spans)


def write(fmt: str, documents: Iterable[OutDocument], **options: Any) -> Iterator[bytes]:
    """Stream `documents` in `fmt` (see WRITE_FORMATS) as chunks of bytes. Options:
    label-studio `target="annotations"` (default) or `"predictions"`."""
    if fmt not in WRITE_FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(WRITE_FORMATS)}.")
    items = iter(documents)
    if fmt == "label-studio":
        return label_studio.write(items, target=options.get("target", "annotations"))
    if options:
        raise TypeError(f"{fmt} takes no options")
    if fmt == "doccano":
        return doccano.write(items)
    if fmt == "brat":
        return brat.write(items)
    return events.write(items)


# ---------------------------------------------------------------------------------------------
# Guessing


def guess_format(head: bytes, filename: str | None = None) -> str | None:
    """The format of a file from its first bytes (a few KB are enough) and its name; None when
    unsure. Zip archives are brat; JSON is told apart by its keys."""
    suffix = Path(filename).suffix.lower() if filename else ""
    if head.startswith(b"PK\x03\x04") or suffix == ".zip":
        return "brat"
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff \t\r\n")
    if suffix == ".ann" or re.match(r"T\d+\t\S+ \d+ \d+", text):
        return "brat"
    if suffix in (".jsonld",):
        return "w3c"
    if not text.startswith(("{", "[")):
        return None
    probe = text[:65536]

    def has(*keys: str) -> bool:
        return all(f'"{k}"' in probe for k in keys)

    if (
        has("TextQuoteSelector")
        or has("TextPositionSelector")
        or "anno.jsonld" in probe
        or has("AnnotationCollection")
    ):
        return "w3c"
    if has("context_before") and has("stance"):
        return "jsonl"
    if has("event_text") or (has("actor") and has("event") and has("cite_info")) or has("cameo"):
        return "events"
    if has("from_name") or has("to_name") or (has("data") and (has("annotations") or has("predictions"))):
        return "label-studio"
    if has("start_offset") or has("entities") and has("relations"):
        return "doccano"
    if re.search(r'"labels?"\s*:\s*\[\s*\[\s*\d', probe):
        return "doccano"
    if has("annotations") and has("annotator") and has("quote"):
        return "workload"
    if has("data") and not has("annotations"):
        return "label-studio"
    first = _first_json(probe)
    if isinstance(first, dict) and isinstance(first.get("text"), str) and "annotations" in first:
        return "workload"
    return None


def _first_json(text: str) -> Any:
    try:
        return json.JSONDecoder().raw_decode(text.lstrip("["))[0]
    except (ValueError, RecursionError):
        return None
