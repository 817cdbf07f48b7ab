"""Streaming JSON: JSON Lines line by line, JSON arrays element by element, in flat memory.

`JsonCursor` reads a byte stream through an incremental UTF-8 decoder into a sliding text buffer
and decodes one value at a time with `json.JSONDecoder.raw_decode` (the C scanner). The buffer
holds the value being decoded and what is left of the last chunk read, so memory stays at about
one element however large the file: a 50 MB array of tasks is read with a few hundred KB.
When a value is incomplete the buffer grows geometrically (no quadratic re-parsing), up to
MAX_VALUE_CHARS. A value nested deeper than MAX_DEPTH is refused with a problem, and so is one
deep enough to exhaust the decoder's recursion: never a RecursionError.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, Any

from statements.data.formats.records import Report

MAX_DEPTH = 64  # nesting levels: every format read here needs fewer than 10
MAX_VALUE_CHARS = 256 * 1024 * 1024  # one JSON value (a task, a line) larger than this is refused
CHUNK = 64 * 1024

_WS = re.compile(r"[ \t\n\r]*")
# strings (the loop unrolled: the regex engine keeps no backtracking state per character) and the
# runs of characters that are neither brackets nor quotes
_NOT_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[^\[\]{}"]+', re.DOTALL)
_PAIR = re.compile(r"\[\]|\{\}")


class JsonProblem(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def nesting_depth_exceeds(text: str, limit: int = MAX_DEPTH, start: int = 0, end: int | None = None) -> bool:
    """Is the JSON in text[start:end] nested more than `limit` levels deep? (Strings removed, the
    brackets left are reduced pair by pair: one regular-expression pass per level, C speed.)"""
    brackets = _NOT_BRACKETS.sub("", text[start:end] if start or end is not None else text)
    for _ in range(limit):
        if not brackets:
            return False
        brackets = _PAIR.sub("", brackets)
    return bool(brackets)


def loads(text: str) -> Any:
    """json.loads for one line or document, refusing excessive nesting (JsonProblem)."""
    if nesting_depth_exceeds(text):
        raise JsonProblem("json", f"the JSON is nested more than {MAX_DEPTH} levels deep")
    try:
        return json.loads(text)
    except RecursionError:
        raise JsonProblem("json", f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        raise JsonProblem("json", f"not valid JSON: {exc}") from None


class JsonCursor:
    """A position in a JSON text read incrementally from a byte stream."""

    def __init__(self, stream: IO[bytes], *, chunk: int = CHUNK):
        self._stream = stream
        self._chunk = chunk
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._json = json.JSONDecoder()
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._started = False
        self._counted_pos = 0  # newlines in buf[:_counted_pos] are counted in _lines
        self._lines = 0

    # -- buffer ------------------------------------------------------------------------------
    def _fill(self, size: int | None = None) -> bool:
        """Read more; False at the end of the stream."""
        if self.eof:
            return False
        data = self._stream.read(size or self._chunk)
        try:
            text = self._utf8.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise JsonProblem(
                "encoding", f"the file is not UTF-8 ({exc.reason} near byte {exc.start})"
            ) from None
        if not data:
            self.eof = True
        if not self._started and text:
            self._started = True
            if text.startswith("\ufeff"):  # a byte-order mark
                text = text[1:]
        if self.pos:
            self.line_at(self.pos)
            self.buf = self.buf[self.pos :] + text
            self._counted_pos -= self.pos
            self.pos = 0
        else:
            self.buf += text
        return bool(data) or bool(text)

    def line_at(self, pos: int) -> int:
        """The 1-based line number of buf[pos] (positions asked must not go backwards)."""
        if pos > self._counted_pos:
            self._lines += self.buf.count("\n", self._counted_pos, pos)
            self._counted_pos = pos
        return self._lines + 1

    # -- tokens ------------------------------------------------------------------------------
    def peek(self) -> str:
        """The next non-whitespace character (not consumed), "" at the end."""
        while True:
            match = _WS.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            where = f"line {self.line_at(self.pos)}"
            raise JsonProblem(
                "json", f"expected {char!r} but found {found or 'the end of the file'!r} ({where})"
            )
        self.pos += 1

    def value(self) -> Any:
        """Decode the next JSON value (after whitespace)."""
        if self.peek() == "":
            raise JsonProblem("json", "the file ends where a JSON value was expected")
        size = self._chunk
        while True:
            try:
                value, end = self._json.raw_decode(self.buf, self.pos)
            except RecursionError:
                raise JsonProblem("json", f"the JSON is nested more than {MAX_DEPTH} levels deep") from None
            except json.JSONDecodeError as exc:
                incomplete = exc.pos >= len(self.buf) - 64 or exc.msg.startswith("Unterminated string")
                if self.eof or not incomplete:
                    line = self.line_at(exc.pos) if exc.pos >= self._counted_pos else exc.lineno
                    raise JsonProblem("json", f"not valid JSON: {exc.msg} (line {line})") from None
                if len(self.buf) - self.pos > MAX_VALUE_CHARS:
                    raise JsonProblem(
                        "json", f"a JSON value is larger than {MAX_VALUE_CHARS} characters"
                    ) from None
                self._fill(size)
                size = min(size * 2, 16 * 1024 * 1024)
                continue
            if end == len(self.buf) and not self.eof and self.buf[self.pos] not in '{["':
                self._fill(size)  # a number or literal may go on in the next chunk
                continue
            if nesting_depth_exceeds(self.buf, MAX_DEPTH, self.pos, end):
                raise JsonProblem("json", f"the JSON is nested more than {MAX_DEPTH} levels deep")
            self.pos = end
            return value

    def array_items(self) -> Iterator[Any]:
        """The elements of the array that starts here, one at a time."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == "]":
                self.pos += 1
                return
            where = f"line {self.line_at(self.pos)}"
            raise JsonProblem(
                "json", f"expected ',' or ']' in the array, found {char or 'the end'!r} ({where})"
            )

    def key(self) -> str | None:
        """In an object (after '{' or ','): the next member's key (consuming the ':'), or None
        at the object's end (consuming the '}')."""
        char = self.peek()
        if char == "}":
            self.pos += 1
            return None
        if char == ",":
            self.pos += 1
            char = self.peek()
        if char != '"':
            raise JsonProblem("json", f"expected a member name (line {self.line_at(self.pos)})")
        name = self.value()
        self.expect(":")
        return str(name)

    def next_line(self) -> tuple[int, str] | None:
        """JSON Lines: the next line and its number, or None at the end."""
        scan = self.pos
        while True:
            newline = self.buf.find("\n", scan)
            if newline != -1:
                number = self.line_at(self.pos)
                line = self.buf[self.pos : newline]
                self.pos = newline + 1
                return number, line
            scanned = len(self.buf) - self.pos  # what is searched already (filling moves the buffer)
            if scanned > MAX_VALUE_CHARS:
                raise JsonProblem("json", f"a line is longer than {MAX_VALUE_CHARS} characters")
            filled = self._fill()
            scan = self.pos + scanned
            if not filled:
                if self.pos < len(self.buf):
                    number = self.line_at(self.pos)
                    line = self.buf[self.pos :]
                    self.pos = len(self.buf)
                    return number, line
                return None

    def first_line_is_json(self) -> bool:
        """Does the first line (from here) hold a JSON value of its own (JSON Lines), rather than
        the start of a pretty-printed document? A line ending with a closing bracket does."""
        while True:
            newline = self.buf.find("\n", self.pos)
            if newline != -1 or self.eof or len(self.buf) - self.pos > MAX_VALUE_CHARS:
                break
            self._fill()
        line = self.buf[self.pos : newline if newline != -1 else len(self.buf)]
        if line.rstrip().endswith(("}", "]")):
            return True  # a whole value on the line (perhaps a broken one: reported as that line's)
        try:
            loads(line)
        except JsonProblem:
            return False
        return True


def json_records(
    stream: IO[bytes], report: Report, *, item: str = "item", name: str | None = None
) -> Iterator[tuple[str, Any]]:
    """`(location, value)` for each record of a JSON array ("item 3", with `item` naming the
    records), of JSON Lines ("line 12"; blank lines skipped, a bad line is a problem and the next
    lines are still read) or of a single JSON document (or several concatenated) ("document 1").
    Problems go to `report`."""
    where = name or "file"
    cursor = JsonCursor(stream)
    try:
        first = cursor.peek()
    except JsonProblem as p:
        report.add(where, p.field, p.message)
        return
    if first == "":
        report.add(where, "file", "the file is empty")
        return
    if first == "[":
        number = 0
        try:
            for value in cursor.array_items():
                number += 1
                yield f"{item} {number}", value
            if cursor.peek() != "":
                report.add(where, "json", "there is more data after the JSON array")
        except JsonProblem as p:
            report.add(f"{item} {number + 1}", p.field, p.message)
        return
    try:
        lines = cursor.first_line_is_json()
    except JsonProblem as p:
        report.add(where, p.field, p.message)
        return
    if not lines:  # one pretty-printed document (or several)
        number = 0
        try:
            while cursor.peek() != "":
                number += 1
                yield f"document {number}", cursor.value()
        except JsonProblem as p:
            report.add(f"document {number}", p.field, p.message)
        return
    while True:
        try:
            got = cursor.next_line()
        except JsonProblem as p:
            report.add(where, p.field, p.message)
            return
        if got is None:
            return
        number, line = got
        if not line.strip():
            continue
        try:
            value = loads(line)
        except JsonProblem as p:
            report.add(f"line {number}", p.field, p.message)
            continue
        yield f"line {number}", value
