"""brat standoff: `.txt`/`.ann` pairs, read from a zip (or a folder) and written as a zip stream.

Reading an `.ann` (against its `.txt`, decoded as UTF-8, line breaks kept as they are):

- `T` text-bound annotations `T1<TAB>Type START END<TAB>text`. A T whose type is a stance (through
  the stance map) is a statement; so is one with an attribute whose value (or, for a binary
  attribute, name) is a stance, e.g. `A1<TAB>Stance T1 Support`. Any other T is an entity.
  **Discontinuous** spans (`START END;START END`) are taken as the span covering all their
  fragments (our statements are contiguous), marked `anchored="covering"`, after checking that
  the fragments' words are in it; an entity's fragments give its name (the fragments' text).
- `R` relations `R1<TAB>Speaker Arg1:T2 Arg2:T1`: Speaker-like types (Speaker, SaidBy, Source,
  Attribution, case-insensitive) between a statement and an entity give the speaker (the entity's
  text), Addressee-like the addressee, Condition-like (HasCondition) a condition with its evidence.
- `#` notes (`#1<TAB>AnnotatorNotes T3<TAB>text`) become the span's note, except lines written by
  our exporter with a prefix: `Speaker:`, `Addressee:`, `Annotator:`, `Condition:`, `Status:`,
  `Note:`, and `Actor:` (an entity's canonical name).
- `A` (and old-style `M`) attributes: a stance (see above), `Indirect`/`Direct`, `Status <value>`;
  any other attribute becomes a note line ("Reviewed", "Certainty: high").
- `E` events, `N` normalisations and `*` equivalences are not used.

Offsets are code points of the `.txt` (brat's server is Python). The T's text is checked against
the `.txt` (a text field where line breaks became spaces is accepted); when it does not match,
offsets counting CRLF as one character (a corpus annotated with LF line breaks and checked out
with CRLF) are detected and converted, then the quote is looked for nearby.

Writing: a zip (streamed in flat memory by zipstream.ZipStream: data descriptors, Zip64 when needed) with
`annotation.conf` and `NNN.txt`/`NNN.ann` per article (NNN the article id, zero-padded to three
digits). Statements are `T`s typed with the stance; a statement crossing line breaks is written as
fragments split at the line breaks (as brat draws it), which read back as the covering span.
The speaker's (addressee's) nearest mention by name or alias becomes an `Actor` T with a
`Speaker` (`Addressee`) relation and, if the mention is not the name itself, an `Actor: <name>`
note; a speaker not mentioned in the text is a `Speaker: <name>` note. Conditions with evidence
are `Condition` Ts with a `HasCondition` relation and their description as note; without, a
`Condition: <description>` note. The annotator and the note are notes; the status and
Indirect are attributes. Line breaks and tabs inside notes become spaces (the format is line based).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from statements.data.formats.common import Mentions, Region, Relation, actor_names, assemble, stance_title
from statements.data.formats.records import InCondition, InDocument, InSpan, OutDocument, Report
from statements.data.formats.stances import StanceMap, normalise_label
from statements.data.formats.zipstream import ZipStream

ANNOTATION_CONF = """[entities]
Support
Caveat
Demand
Actor
Condition

[relations]
Speaker\tArg1:Support|Caveat|Demand, Arg2:Actor
Addressee\tArg1:Support|Caveat|Demand, Arg2:Actor
HasCondition\tArg1:Support|Caveat|Demand, Arg2:Condition

[events]

[attributes]
Indirect\tArg:Support|Caveat|Demand
Status\tArg:Support|Caveat|Demand, Value:pending|accepted|rejected|changes_requested
"""

MAX_MEMBER_BYTES = 256 * 1024 * 1024
_PREFIXES = ("speaker", "addressee", "annotator", "condition", "status", "note", "actor")
_PREFIX = re.compile(r"^(" + "|".join(_PREFIXES) + r"):\s?(.*)$", re.IGNORECASE | re.DOTALL)
_OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")


# ---------------------------------------------------------------------------------------------
# Reading


def read_zip(stream: IO[bytes], stances: StanceMap, report: Report, name: str | None) -> Iterator[InDocument]:
    where = name or "file"
    spool: IO[bytes] | None = None
    try:
        seekable = stream.seekable()
    except (AttributeError, OSError):
        seekable = False
    if not seekable:  # zip's directory is at the end: spool to a temporary file (memory up to 32 MB)
        spool = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 (closed below)
        shutil.copyfileobj(stream, spool)
        spool.seek(0)
        stream = spool
    try:
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError) as exc:
            report.add(where, "file", f"not a zip archive: {exc}")
            return
        with archive:
            members = {
                i.filename: i
                for i in archive.infolist()
                if not i.is_dir() and not i.filename.startswith("__MACOSX/")
                and not Path(i.filename).name.startswith(".")
            }  # fmt: skip

            def load(member: str) -> str | None:
                info = members[member]
                if info.file_size > MAX_MEMBER_BYTES:
                    report.add(member, "file", f"larger than {MAX_MEMBER_BYTES} bytes")
                    return None
                try:
                    return archive.read(info).decode("utf-8")
                except UnicodeDecodeError as exc:
                    report.add(member, "encoding", f"not UTF-8 ({exc.reason} at byte {exc.start})")
                except (zipfile.BadZipFile, OSError, RuntimeError) as exc:  # RuntimeError: encrypted
                    report.add(member, "file", f"cannot be read: {exc}")
                return None

            yield from _pairs(sorted(members), load, stances, report)
    finally:
        if spool is not None:
            spool.close()


def read_folder(path: str | Path, stances: StanceMap, report: Report) -> Iterator[InDocument]:
    root = Path(path)
    if not root.is_dir():
        report.add(str(path), "file", "not a folder")
        return
    names = sorted(
        str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.suffix in (".txt", ".ann")
    )

    def load(member: str) -> str | None:
        try:
            return (root / member).read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            report.add(member, "encoding", f"not UTF-8 ({exc.reason} at byte {exc.start})")
        except OSError as exc:
            report.add(member, "file", f"cannot be read: {exc}")
        return None

    yield from _pairs(names, load, stances, report)


def _pairs(
    names: list[str], load: Callable[[str], str | None], stances: StanceMap, report: Report
) -> Iterator[InDocument]:
    present = set(names)
    for member in names:
        stem, suffix = (member[:-4], member[-4:]) if len(member) > 4 else (member, "")
        if suffix == ".ann":
            if stem + ".txt" not in present:
                report.add(member, "file", f"there is no {Path(stem).name}.txt for it")
                continue
            text, ann = load(stem + ".txt"), load(member)
        elif suffix == ".txt" and stem + ".ann" not in present:
            text, ann = load(member), ""  # a text nobody annotated yet
        else:
            continue
        if text is None or ann is None:
            continue
        spans = parse_ann(ann, text, member, stances, report)
        if spans is not None:
            yield InDocument(
                location=member, text=text, title=None, url=None, date=None, source=None, spans=spans,
                key=Path(stem).name,
            )  # fmt: skip


def parse_ann(ann: str, text: str, where: str, stances: StanceMap, report: Report) -> list[InSpan] | None:
    """The statements of one `.ann` over its `.txt` (None when it has problems, all reported)."""
    before = len(report)
    ann = ann.removeprefix("\ufeff")
    regions: dict[str, Region] = {}
    relations: list[Relation] = []
    attributes: list[tuple[str, str, str, str | None]] = []  # location, target, name, value
    notes: list[tuple[str, str, str]] = []  # location, target, note
    for number, raw in enumerate(ann.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        loc = f"{where}, line {number}"
        ident, _, rest = line.partition("\t")
        kind = ident[:1]
        if kind == "T":
            head, has_text, quote = rest.partition("\t")
            label, _, offsets = head.partition(" ")
            if not label or not _OFFSETS.match(offsets):
                report.add(loc, "offsets", f"expected 'Type START END' after {ident}, found {head!r}")
                continue
            fragments = [tuple(int(x) for x in f.split(" ")) for f in offsets.split(";")]
            start, end = min(f[0] for f in fragments), max(f[1] for f in fragments)
            region = Region(
                key=ident,
                location=f"{where}, {ident}",
                start=start,
                end=end,
                quote=quote if has_text else None,
                labels=[label],
                fields=("offsets", "offsets", "text"),
                covering=len(fragments) > 1,
            )
            if len(fragments) > 1 and has_text:
                region.name = quote  # an entity's name: the fragments' text
            elif (
                has_text
                and 0 <= start < end <= len(text)
                and text[start:end] != quote
                and re.sub(r"[\r\n\t]", " ", text[start:end]) == quote  # line breaks written as spaces
            ):
                region.quote = text[start:end]
            if ident in regions:
                report.add(loc, "id", f"{ident} is defined twice")
                continue
            regions[ident] = region
        elif kind == "R":
            parts = rest.split()
            args = dict(p.split(":", 1) for p in parts[1:] if ":" in p)
            if len(parts) < 3 or "Arg1" not in args or "Arg2" not in args:
                report.add(loc, "relation", f"expected 'Type Arg1:T1 Arg2:T2', found {rest!r}")
                continue
            relations.append(Relation(loc, args["Arg1"], args["Arg2"], parts[0]))
        elif kind in ("A", "M"):
            parts = rest.split()
            if len(parts) < 2:
                report.add(loc, "attribute", f"expected 'Name TARGET [VALUE]', found {rest!r}")
                continue
            attributes.append((loc, parts[1], parts[0], " ".join(parts[2:]) or None))
        elif kind == "#":
            head, _, note = rest.partition("\t")
            parts = head.split()
            if len(parts) < 2:
                report.add(loc, "note", f"expected 'AnnotatorNotes TARGET<TAB>text', found {rest!r}")
                continue
            notes.append((loc, parts[1], note))
        elif kind in ("E", "N", "*"):
            continue
        else:
            report.add(loc, "line", f"not a brat annotation line: {line[:60]!r}")
    for loc, target, name, value in attributes:
        if target not in regions:
            if target.startswith("T"):
                report.add(loc, "attribute", f"the attribute points at {target}, which is not defined")
            continue
        region = regions[target]
        key = normalise_label(name)
        if value is not None and stances.stance(value) is not None:
            region.stance, region.stance_label = value, value
        elif value is None and stances.stance(name) is not None:
            region.stance, region.stance_label = name, name
        elif key == "indirect" and value is None:
            region.direct = False
        elif key == "direct" and value is None:
            region.direct = True
        elif key == "status" and value is not None:
            region.status = value
        else:
            region.notes.append(name if value is None else f"{name}: {value}")
    for loc, target, note in notes:
        if target not in regions:
            if target.startswith("T"):
                report.add(loc, "note", f"the note points at {target}, which is not defined")
            continue
        region = regions[target]
        match = _PREFIX.match(note)
        if match is None:
            region.notes.append(note)
            continue
        prefix, value = match.group(1).casefold(), match.group(2).strip()
        if prefix == "speaker":
            region.speaker = value
        elif prefix == "addressee":
            region.addressee = value
        elif prefix == "annotator":
            region.annotator = value
        elif prefix == "condition":
            region.conditions.append(InCondition(value))
        elif prefix == "status":
            region.status = value
        elif prefix == "actor":
            region.name = value
        else:
            region.notes.append(value)
    if len(report) > before:
        return None
    return assemble(text, list(regions.values()), relations, stances, report, with_relations=True)


# ---------------------------------------------------------------------------------------------
# Writing


def write(documents: Iterator[OutDocument]) -> Iterator[bytes]:
    archive = ZipStream()
    try:
        yield archive.add("annotation.conf", ANNOTATION_CONF.encode())
        for document in documents:
            stem = f"{document.id:03d}"
            text = archive.add(f"{stem}.txt", document.text.encode())
            yield text + archive.add(f"{stem}.ann", ann_for(document).encode())
        yield from archive.finish()
    finally:
        archive.close()


def _one_line(value: str) -> str:
    return re.sub(r"[\r\n\t]+", " ", value).strip()


def ann_for(document: OutDocument) -> str:
    """The `.ann` of one article (see the module docstring)."""
    text = document.text
    mentions = Mentions(text)
    lines: list[str] = []
    counters = {"T": 0, "R": 0, "A": 0, "#": 0}
    actors: dict[tuple[int, int], str] = {}

    def next_id(kind: str) -> str:
        counters[kind] += 1
        return f"{kind}{counters[kind]}"

    def span(label: str, start: int, end: int) -> str:
        tid = next_id("T")
        quote = text[start:end]
        pieces = list(re.finditer(r"[^\r\n]+", quote))
        if len(pieces) > 1 and quote[:1] not in "\r\n" and quote[-1:] not in "\r\n":
            offsets = ";".join(f"{start + m.start()} {start + m.end()}" for m in pieces)
            shown = " ".join(m.group() for m in pieces)
        else:
            offsets, shown = f"{start} {end}", re.sub(r"[\r\n\t]", " ", quote)
        lines.append(f"{tid}\t{label} {offsets}\t{shown}")
        return tid

    def note(target: str, value: str) -> None:
        lines.append(f"{next_id('#')}\tAnnotatorNotes {target}\t{_one_line(value)}")

    for st in document.statements:
        tid = span(stance_title(st.stance), st.start, st.end)
        for kind, actor in (("Speaker", st.speaker), ("Addressee", st.addressee)):
            if actor is None:
                continue
            found = mentions.nearest(actor_names(actor.name, actor.aliases), st.start, st.end)
            if found is None:
                note(tid, f"{kind}: {actor.name}")
                continue
            eid = actors.get(found)
            if eid is None:
                eid = actors[found] = span("Actor", found[0], found[1])
                if text[found[0] : found[1]] != actor.name:
                    note(eid, f"Actor: {actor.name}")
            lines.append(f"{next_id('R')}\t{kind} Arg1:{tid} Arg2:{eid}")
        for condition in st.conditions:
            if condition.start is None or condition.end is None:
                note(tid, f"Condition: {condition.description}")
                continue
            cid = span("Condition", condition.start, condition.end)
            note(cid, condition.description)
            lines.append(f"{next_id('R')}\tHasCondition Arg1:{tid} Arg2:{cid}")
        if st.annotator:
            note(tid, f"Annotator: {st.annotator}")
        if st.note:
            note(tid, f"Note: {st.note}")
        if st.status:
            lines.append(f"{next_id('A')}\tStatus {tid} {st.status}")
        if not st.direct:
            lines.append(f"{next_id('A')}\tIndirect {tid}")
    return "".join(line + "\n" for line in lines)
