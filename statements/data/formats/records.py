"""The normalised records every reader yields and every writer takes, and the problems report.

Readers turn a peer's file into `InDocument`s (an article's text and metadata with its `InSpan`s,
offsets already in code points of `text`); writers take `OutDocument`s (what the database holds)
and stream a peer's file. Pure data: no Django, no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Origin = Literal["annotation", "prediction"]

# How a span's offsets were made to fit the text (InSpan.anchored); None: they fitted as given.
ANCHORINGS = (
    "utf-16",  # the offsets counted UTF-16 code units (a browser's string length) and were converted
    "lf",  # the offsets counted a CRLF line break as one character (the text has CRLF) and were converted
    "lf+utf-16",  # both
    "nearby",  # the quote was not at the offsets; it was found again within ±200 characters
    "unique",  # the quote was not at (or near) the offsets; it occurs once in the text, there
    "context",  # the quote occurs several times; its prefix/suffix pick one occurrence
    "covering",  # a discontinuous (brat) span: the span covering all its fragments
)


@dataclass(frozen=True, slots=True)
class InCondition:
    """A condition attached to a statement; `start`/`end` (code points) point at its evidence in
    the text when the format says where it is."""

    description: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class InSpan:
    """One statement read from a peer's file.

    `start`/`end` are code-point offsets into the document's text (end exclusive) and
    `text[start:end] == quote` whenever the document has its text (`InDocument.has_text`). For a
    document without its text (our JSONL and W3C exports, the events file: they point at an article
    by id) the offsets are the file's own, unchecked against any text, and -1 when the file gave a
    quote only (a W3C TextQuoteSelector); `attach_text()` anchors them once the text is known.
    `label` is the file's label as written, `stance` what it maps to (support, caveat, demand).
    The trailing fields are extras with defaults: `prefix`/`suffix` (context the file gave around
    the quote), `direct` (direct or reported speech, when the file says), `anchored` (how the
    offsets were made to fit: see ANCHORINGS; None when they fitted as given) and `key` (the
    file's own id of the span: a Label Studio region id, a brat T id, our statement id)."""

    location: str
    start: int
    end: int
    quote: str | None
    label: str | None
    stance: str | None
    speaker: str | None
    addressee: str | None
    annotator: str | None
    note: str
    conditions: list[InCondition]
    status: str | None
    origin: Origin
    score: float | None
    prefix: str | None = None
    suffix: str | None = None
    direct: bool | None = None
    anchored: str | None = None
    key: str | None = None


@dataclass(frozen=True, slots=True)
class InDocument:
    """One article read from a peer's file. `location` names where it came from ("task 3",
    "line 12", "news.ann"); `key` is the file's own id of the article (a task id, a brat file stem,
    our article id or IRI), when it has one. `has_text` is False for files that point at the
    article instead of carrying its text (then `text` is "")."""

    location: str
    text: str
    title: str | None
    url: str | None
    date: str | None
    source: str | None
    spans: list[InSpan]
    key: str | None = None
    has_text: bool = True


@dataclass(frozen=True, slots=True)
class OutActor:
    """A speaker or addressee to write. `aliases` (other names the text may use) help writers find
    the actor mentioned in the text (brat, doccano and Label Studio relations)."""

    id: int
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutStatement:
    """A statement to write: code-point offsets into its document's text, `created` an ISO 8601
    time, `status` pending/accepted/rejected/changes_requested."""

    id: int
    start: int
    end: int
    quote: str
    direct: bool
    stance: str
    speaker: OutActor | None
    addressee: OutActor | None
    annotator: str
    note: str
    conditions: list[InCondition]
    status: str
    created: str


@dataclass(frozen=True, slots=True)
class OutDocument:
    """An article to write, with its statements (any order; writers keep the order given)."""

    id: int
    text: str
    title: str | None
    url: str | None
    date: str | None
    statements: list[OutStatement]
    source: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a file: where (`location`: "task 3, annotation 1001, result r2",
    "line 12", "news.ann, line 4"), which field ("value.start", "label", "offsets") and what."""

    location: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.field}: {self.message}"


class FormatError(Exception):
    """A file could not be read cleanly. `problems` lists every problem found in the file (up to
    MAX_PROBLEMS of them, then one problem saying how many more there were)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = str(problems[0]) if problems else "no details"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}")


MAX_PROBLEMS = 1000


@dataclass
class Report:
    """Collects the problems of one read. Keeps the first MAX_PROBLEMS, counts the rest (a broken
    50 MB file must not fill the memory with its problems)."""

    problems: list[Problem] = field(default_factory=list)
    dropped: int = 0

    def add(self, location: str, field: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(location, field, message))
        else:
            self.dropped += 1

    def __len__(self) -> int:
        return len(self.problems) + self.dropped

    def error(self) -> FormatError | None:
        if not self.problems:
            return None
        problems = list(self.problems)
        if self.dropped:
            problems.append(
                Problem("file", "-", f"{self.dropped} more problems were found and are not listed")
            )
        return FormatError(problems)
