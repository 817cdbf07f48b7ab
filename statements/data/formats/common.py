"""What the readers share: raw regions and relations → checked `InSpan`s; and, for the writers,
finding an actor's mention in the text and chunking the output."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from statements.data.formats.offsets import TextIndex
from statements.data.formats.records import InCondition, InSpan, Origin, Report
from statements.data.formats.stances import StanceMap, relation_kind


@dataclass(slots=True)
class Region:
    """A span as a reader found it, before its offsets are checked and its role decided.
    `fields` names the file's fields for start, end and quote (for the problems)."""

    key: str | None
    location: str
    start: Any
    end: Any
    quote: Any
    labels: list[str]
    fields: tuple[str, str, str] = ("start", "end", "quote")
    stance: str | None = None  # a stance the file gives apart from the labels (a choice, an attribute)
    stance_label: str | None = None
    speaker: str | None = None
    addressee: str | None = None
    name: str | None = None  # an entity's canonical name when the file gives one besides its text
    annotator: str | None = None
    notes: list[str] = field(default_factory=list)
    conditions: list[InCondition] = field(default_factory=list)
    status: str | None = None
    origin: Origin = "annotation"
    score: float | None = None
    prefix: str | None = None
    suffix: str | None = None
    direct: bool | None = None
    covering: bool = False  # offsets cover a discontinuous span (the quote is the fragments' texts)


@dataclass(slots=True)
class Relation:
    location: str
    source: str
    target: str
    label: str | None


@dataclass(slots=True)
class _Placed:
    region: Region
    start: int
    end: int
    quote: str | None
    anchored: str | None


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def obj(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def assemble(
    text: str | None,
    regions: list[Region],
    relations: list[Relation],
    stances: StanceMap,
    report: Report,
    *,
    with_relations: bool,
) -> list[InSpan] | None:
    """The document's statements, or None when any of its regions or relations has a problem
    (each reported). `text` None: the file does not carry the text (offsets checked for shape
    only). `with_relations`: spans whose labels are no stance are entities (possible speakers,
    condition evidence); otherwise they are problems."""
    before = len(report)
    placed = _place(text, regions, report)

    statements: list[_Placed] = []
    entities: dict[str, _Placed] = {}
    stance_of: dict[int, tuple[str | None, str | None]] = {}
    for p in placed:
        r = p.region
        label, stance, conflict = stances.first(r.labels)
        if conflict:
            report.add(r.location, "labels", conflict)
            continue
        if stance is None and r.stance is not None:
            label, stance = r.stance_label or label, stances.stance(r.stance)
        if stance is not None:
            statements.append(p)
            stance_of[id(p)] = (label, stance)
        elif with_relations:
            if r.key is not None:
                entities[r.key] = p
        elif not r.labels:
            report.add(
                r.location, "label", "the span has no label (expected a stance: support, caveat, demand)"
            )
        else:
            report.add(
                r.location,
                "label",
                f"the label {r.labels[0]!r} is not a stance (support, caveat, demand); "
                "a stance_map can say what it means",
            )

    by_key = {p.region.key: p for p in statements if p.region.key is not None}
    speakers: dict[int, tuple[str, str]] = {}  # statement -> (name, relation location)
    addressees: dict[int, tuple[str, str]] = {}
    extra_conditions: dict[int, list[InCondition]] = {}
    all_keys = {r.key for r in regions if r.key is not None}
    for rel in relations:
        kind = relation_kind(rel.label)
        unknown = [k for k in (rel.source, rel.target) if k not in all_keys]
        if unknown:
            report.add(
                rel.location, "relation", f"the relation points at {unknown[0]!r}, which is not a span here"
            )
            continue
        if any(k not in by_key and k not in entities for k in (rel.source, rel.target)):
            continue  # an end with a problem of its own, already reported
        ends = [by_key.get(rel.source), by_key.get(rel.target)]
        ents = [entities.get(rel.source), entities.get(rel.target)]
        # one end a statement, the other an entity, whichever way round the file wrote it
        if ends[0] is not None and ents[1] is not None:
            statement, entity = ends[0], ents[1]
        elif ends[1] is not None and ents[0] is not None:
            statement, entity = ends[1], ents[0]
        else:
            if kind is not None:
                report.add(
                    rel.location, "relation", f"a {rel.label} relation must join a statement and an entity"
                )
            continue
        if kind is None:
            if rel.label:  # a relation we do not use ("coreference"...)
                continue
            kind = "speaker"  # an unlabelled relation from a statement to an entity
        if kind == "condition":
            description = "\n".join(entity.region.notes) or entity.region.name or entity.quote or ""
            extra_conditions.setdefault(id(statement), []).append(
                InCondition(description, entity.start, entity.end)
            )
            continue
        name = entity.region.name or entity.quote
        if not name:
            continue
        target = speakers if kind == "speaker" else addressees
        known_name = target.get(id(statement))
        if known_name is not None and known_name[0] != name:
            report.add(
                rel.location,
                "relation",
                f"the statement already has the {kind} {known_name[0]!r} (from {known_name[1]}); "
                f"a second one, {name!r}, is ambiguous",
            )
            continue
        target[id(statement)] = (name, rel.location)

    spans: list[InSpan] = []
    for p in statements:
        r = p.region
        label, stance = stance_of[id(p)]
        speaker = r.speaker or (speakers[id(p)][0] if id(p) in speakers else None)
        addressee = r.addressee or (addressees[id(p)][0] if id(p) in addressees else None)
        spans.append(
            InSpan(
                location=r.location,
                start=p.start,
                end=p.end,
                quote=p.quote,
                label=label,
                stance=stance,
                speaker=speaker,
                addressee=addressee,
                annotator=r.annotator,
                note="\n".join(n for n in r.notes if n),
                conditions=[*r.conditions, *extra_conditions.get(id(p), [])],
                status=r.status,
                origin=r.origin,
                score=r.score,
                prefix=r.prefix,
                suffix=r.suffix,
                direct=r.direct,
                anchored="covering" if r.covering and p.anchored is None else p.anchored,
                key=r.key,
            )
        )
    return None if len(report) > before else spans


def _place(text: str | None, regions: list[Region], report: Report) -> list[_Placed]:
    """Check every region's offsets (and, with a text, place it: see offsets.TextIndex).
    Problems are reported in the regions' order."""
    problems: list[tuple[int, str, str, str]] = []
    shaped: list[tuple[int, Region, int | None, int | None, str | None]] = []
    for n, r in enumerate(regions):
        start_field, end_field, quote_field = r.fields
        ok = True
        start = r.start if is_int(r.start) else None
        end = r.end if is_int(r.end) else None
        for value, name in ((r.start, start_field), (r.end, end_field)):
            if value is not None and not is_int(value):
                problems.append((n, r.location, name, f"an offset must be a whole number, not {value!r}"))
                ok = False
        if r.quote is not None and not isinstance(r.quote, str):
            message = f"the quote must be a string, not {type(r.quote).__name__}"
            problems.append((n, r.location, quote_field, message))
            ok = False
        quote = r.quote if isinstance(r.quote, str) else None
        if ok and (start is None or end is None) and quote is None:
            problems.append((n, r.location, start_field, "the span has no offsets and no quote"))
            ok = False
        if ok and start is not None and end is not None and not 0 <= start < end:
            message = f"the offsets {start}–{end} do not make a span (0 ≤ start < end)"
            problems.append((n, r.location, start_field, message))
            ok = False
        if ok:
            shaped.append((n, r, start, end, quote))
    results: dict[int, _Placed] = {}
    if text is None:
        for n, r, start, end, quote in shaped:
            if start is not None and end is not None and quote is not None and end - start != len(quote):
                message = (
                    f"the quote has {len(quote)} characters but the span {start}–{end} has {end - start}"
                )
                problems.append((n, r.location, r.fields[2], message))
                continue
            results[n] = _Placed(r, -1 if start is None else start, -1 if end is None else end, quote, None)
    else:
        index = TextIndex(text)
        conventions: Counter[str] = Counter()
        for n, r, start, end, quote in shaped:
            if quote is None or r.covering:
                continue
            found = index.locate(start, end, quote, prefix=r.prefix, suffix=r.suffix)
            if isinstance(found, str):
                problems.append((n, r.location, r.fields[0] if start is not None else r.fields[2], found))
                continue
            s, e, how = found
            conventions["codepoints" if how is None else how] += 1
            results[n] = _Placed(r, s, e, text[s:e], how)
        for name in ("nearby", "unique", "context"):
            conventions.pop(name, None)
        convention = conventions.most_common(1)[0][0] if conventions else None
        for n, r, start, end, quote in shaped:
            if quote is not None and not r.covering:
                continue
            found = index.locate(start, end, None, convention=convention)
            if isinstance(found, str):
                problems.append((n, r.location, r.fields[0], found))
                continue
            s, e, how = found
            if r.covering and quote is not None and not _fragments_match(text, s, e, quote):
                message = f"the fragments' text “{quote[:60]}” does not match the text at {start}–{end}"
                problems.append((n, r.location, r.fields[2], message))
                continue
            results[n] = _Placed(r, s, e, text[s:e], how)
    for _n, location, field_name, message in sorted(problems, key=lambda p: p[0]):
        report.add(location, field_name, message)
    return [results[n] for n in sorted(results)]


def _fragments_match(text: str, start: int, end: int, quote: str) -> bool:
    """A discontinuous span's text (its fragments joined by spaces) against the covering span:
    every word of the fragments, in order, within the covering span."""
    covered = text[start:end]
    at = 0
    for word in quote.split():
        at = covered.find(word, at)
        if at == -1:
            return False
        at += len(word)
    return True


# ---------------------------------------------------------------------------------------------
# Writers


class Mentions:
    """Finds where an actor is mentioned in one document's text: whole-word occurrences of its
    name or an alias (the first letter in either case: "a senior official" at the start of a
    sentence), the one nearest to a statement (outside the statement if possible)."""

    def __init__(self, text: str):
        self.text = text
        self._cache: dict[str, list[tuple[int, int]]] = {}

    def occurrences(self, name: str) -> list[tuple[int, int]]:
        found = self._cache.get(name)
        if found is None:
            if len(name.strip()) < 2:
                found = []
            else:
                name = name.strip()
                first = name[0]
                head = (
                    f"[{re.escape(first.lower())}{re.escape(first.upper())}]"
                    if first.isalpha()
                    else re.escape(first)
                )
                pattern = re.compile(r"(?<!\w)" + head + re.escape(name[1:]) + r"(?!\w)")
                found = [(m.start(), m.end()) for m in pattern.finditer(self.text)]
            self._cache[name] = found
        return found

    def nearest(self, names: Iterable[str], start: int, end: int) -> tuple[int, int] | None:
        best: tuple[int, tuple[int, int]] | None = None
        for name in names:
            for s, e in self.occurrences(name):
                if e <= start:
                    distance = start - e
                elif s >= end:
                    distance = s - end
                else:
                    distance = len(self.text) + 1 + abs(s - start)  # inside or overlapping: last resort
                if best is None or distance < best[0]:
                    best = (distance, (s, e))
        return None if best is None else best[1]


def actor_names(name: str, aliases: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for n in (name, *aliases):
        if n and n not in seen:
            seen.append(n)
    return seen


def chunked(parts: Iterator[bytes], size: int = 64 * 1024) -> Iterator[bytes]:
    """Join small byte strings into chunks of about `size` (the first part goes out at once)."""
    buffer: list[bytes] = []
    length = 0
    first = True
    for part in parts:
        buffer.append(part)
        length += len(part)
        if first or length >= size:
            yield b"".join(buffer)
            buffer.clear()
            length = 0
            first = False
    if buffer:
        yield b"".join(buffer)


_STANCE_TITLES = {"support": "Support", "caveat": "Caveat", "demand": "Demand"}


def stance_title(stance: str) -> str:
    """The label writers use for a stance ("Support"), as in the peers' examples."""
    return _STANCE_TITLES.get(stance, stance[:1].upper() + stance[1:])
