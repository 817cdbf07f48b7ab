"""A last line that tells whether a JSONL or CSV export arrived whole (#13, item 8).

A download cut short by a dying worker or a dropped connection is otherwise only visible in the
HTTP framing, which a saved file no longer has. With the trailer (`?trailer=true` on
`/api/export/statements`, `--trailer` on `manage.py export_statements`, always in an export to
file, which is a background job) the export ends with one more line:

    JSONL  {"@trailer":{"format":"jsonl","rows":1234,"sha256":"<64 hex digits>"}}
    CSV    #trailer,rows=1234,sha256=<64 hex digits>

`rows` is the number of statements; `sha256` is the SHA-256 of every byte before the trailer line
(the whole file but its last line), so `head -n -1 export.jsonl | sha256sum` gives it, and
`python -m statements.data.export_trailer export.jsonl` checks a file (exit 0 when whole). The
trailer is off by default on the streaming endpoint and the command: a reader that does not know
it would take it for one more row (a CSV reader sees a row with one field starting with #).

This module wraps what statements/data/exporting.py yields and touches none of its bytes, so both
engines' outputs (identical, tests/data/test_export.py) get the same trailer. Standard library
only, so that the checker runs anywhere.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
from collections.abc import Generator, Iterable

FORMATS = ("jsonl", "csv")
_CSV_TRAILER = re.compile(rb"#trailer,rows=(\d+),sha256=([0-9a-f]{64})\n?\Z")


class RowCounter:
    """Pass as `on_rows` to exporting.export_statements: counts the rows as they go out."""

    def __init__(self) -> None:
        self.rows = 0

    def __call__(self, n: int) -> None:
        self.rows += n


def trailer_line(fmt: str, rows: int, sha256: str) -> bytes:
    if fmt == "jsonl":
        body = json.dumps(
            {"@trailer": {"format": "jsonl", "rows": rows, "sha256": sha256}}, separators=(",", ":")
        )
        return body.encode() + b"\n"
    if fmt == "csv":
        return b"#trailer,rows=%d,sha256=%s\n" % (rows, sha256.encode())
    raise ValueError(f"No trailer for {fmt!r}; only {', '.join(FORMATS)} have one.")


def with_trailer(
    chunks: Iterable[bytes], fmt: str, counter: RowCounter | None = None
) -> Generator[bytes, None, None]:
    """`chunks` unchanged, then the trailer line. JSONL counts its rows itself (one a line);
    CSV needs the `counter` given to the export as `on_rows` (a quoted field may hold newlines).
    Closing this generator closes `chunks` (a client that goes away stops the export)."""
    if fmt not in FORMATS:
        raise ValueError(f"No trailer for {fmt!r}; only {', '.join(FORMATS)} have one.")
    if fmt == "csv" and counter is None:
        raise ValueError("A CSV trailer needs the RowCounter passed to the export as on_rows.")
    digest = hashlib.sha256()
    lines = 0
    iterator = iter(chunks)
    try:
        for chunk in iterator:
            digest.update(chunk)
            lines += chunk.count(b"\n")
            yield chunk
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()
    rows = lines if fmt == "jsonl" else counter.rows  # type: ignore[union-attr]
    yield trailer_line(fmt, rows, digest.hexdigest())


class TrailerMismatch(ValueError):
    """The file is not the whole export its trailer describes (or has no trailer)."""


def check(data: bytes, fmt: str) -> int:
    """The number of rows of a whole export with its trailer; TrailerMismatch saying what is wrong
    otherwise (no trailer: cut short, or exported without one; a different checksum or count)."""
    if fmt not in FORMATS:
        raise ValueError(f"No trailer for {fmt!r}; only {', '.join(FORMATS)} have one.")
    body, _, last = data.rstrip(b"\n").rpartition(b"\n")
    body = body + b"\n" if body else b""
    if fmt == "jsonl":
        try:
            trailer = json.loads(last)["@trailer"]
            rows, sha256 = int(trailer["rows"]), str(trailer["sha256"])
        except (ValueError, KeyError, TypeError):
            raise TrailerMismatch(
                "The last line is not a trailer: the file was cut short or exported without one."
            ) from None
        counted = body.count(b"\n")
    else:
        match = _CSV_TRAILER.match(last + b"\n")
        if match is None:
            raise TrailerMismatch(
                "The last line is not a trailer: the file was cut short or exported without one."
            )
        rows, sha256 = int(match.group(1)), match.group(2).decode()
        counted = max(0, sum(1 for _ in csv.reader(io.StringIO(body.decode("utf-8"), newline=""))) - 1)
    actual = hashlib.sha256(body).hexdigest()
    if actual != sha256:
        raise TrailerMismatch(f"The checksum differs: the file holds {actual}, the trailer says {sha256}.")
    if counted != rows:
        raise TrailerMismatch(f"The file holds {counted} rows; the trailer says {rows}.")
    return rows


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m statements.data.export_trailer EXPORT.jsonl|EXPORT.csv", file=sys.stderr)
        return 2
    path = args[0]
    fmt = "csv" if path.lower().endswith(".csv") else "jsonl"
    with open(path, "rb") as f:
        data = f.read()
    try:
        rows = check(data, fmt)
    except TrailerMismatch as exc:
        print(f"{path}: NOT whole: {exc}", file=sys.stderr)
        return 1
    print(f"{path}: whole, {rows} rows, checksum matches.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
