"""The export trailer (#13, item 8) and export to file as a job (item 7): the trailer only appends
a line (the export's bytes are untouched, the same for every engine), counts the rows and checks
the bytes, and a file cut short or altered is told apart from a whole one."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from statements import services
from statements.data import export_job, export_trailer, exporting
from statements.data.export_trailer import TrailerMismatch
from statements.models import Job, JobStatus, Statement
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _engines() -> list[str]:
    return sorted({"python", exporting.default_engine()})


def _export(fmt: str, queryset=None, *, engine: str | None = None, trailer: bool = True) -> bytes:
    queryset = Statement.objects.all() if queryset is None else queryset
    counter = export_trailer.RowCounter()
    chunks = exporting.export_statements(queryset, fmt=fmt, engine=engine, on_rows=counter)
    if trailer:
        chunks = export_trailer.with_trailer(chunks, fmt, counter)
    return b"".join(chunks)


@pytest.fixture
def corpus(seeded, analyst):
    """The seed's 19 statements plus one whose note spans lines (a CSV row over several lines)."""
    quote = seeded.text[10:40]
    services.statement_create(
        user=analyst,
        article=seeded,
        start=10,
        end=40,
        quote=quote,
        stance="caveat",
        note='two\nlines, "quoted"',
    )
    return Statement.objects.count()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_it_appends_one_checkable_line_and_changes_nothing_else(corpus, fmt):
    outputs = {engine: _export(fmt, engine=engine) for engine in _engines()}
    plain = _export(fmt, trailer=False)
    for data in outputs.values():
        body, last = (
            data[: -len(data.rstrip(b"\n").rpartition(b"\n")[2]) - 1],
            data.rstrip(b"\n").rpartition(b"\n")[2],
        )
        assert body == plain  # the export's own bytes are untouched
        assert export_trailer.check(data, fmt) == corpus
        assert last.startswith(b'{"@trailer":' if fmt == "jsonl" else b"#trailer,rows=")
    assert len(set(outputs.values())) == 1  # the engines agree, trailer included
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(outputs["python"].decode(), newline="")))
        assert rows[-1][0] == "#trailer" and rows[-1][1] == f"rows={corpus}"
        assert len(rows) == corpus + 2  # header, rows, trailer: the multi-line note is one row


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_it_tells_a_cut_or_altered_file_from_a_whole_one(corpus, fmt):
    data = _export(fmt)
    with pytest.raises(TrailerMismatch, match="not a trailer"):
        export_trailer.check(data[: len(data) // 2], fmt)
    with pytest.raises(TrailerMismatch, match="not a trailer"):
        export_trailer.check(_export(fmt, trailer=False), fmt)
    lines = data.split(b"\n")
    without_one_row = b"\n".join(lines[:1] + lines[2:])  # a row lost, the trailer kept
    with pytest.raises(TrailerMismatch, match="checksum differs"):
        export_trailer.check(without_one_row, fmt)
    altered = data.replace(b"demand", b"demanD", 1)
    with pytest.raises(TrailerMismatch, match="checksum differs"):
        export_trailer.check(altered, fmt)


def test_it_counts_zero_rows_and_refuses_other_formats(db):
    for fmt in ("jsonl", "csv"):
        assert export_trailer.check(_export(fmt), fmt) == 0
    with pytest.raises(ValueError, match="only jsonl, csv"):
        list(export_trailer.with_trailer([b"[]"], "json", export_trailer.RowCounter()))


def test_it_checks_a_saved_file_from_the_command_line(corpus, tmp_path, capsys):
    path = tmp_path / "export.jsonl"
    path.write_bytes(_export("jsonl"))
    assert export_trailer.main([str(path)]) == 0
    assert f"whole, {corpus} rows" in capsys.readouterr().out
    path.write_bytes(path.read_bytes()[:-30])
    assert export_trailer.main([str(path)]) == 1
    assert "NOT whole" in capsys.readouterr().err


def test_it_stops_the_export_when_the_reader_goes_away(corpus):
    closed = []

    def chunks():
        try:
            yield b"a\n"
            yield b"b\n"
        finally:
            closed.append(True)

    stream = export_trailer.with_trailer(chunks(), "jsonl")
    assert next(stream) == b"a\n"
    stream.close()
    assert closed == [True]


def test_the_export_command_adds_the_trailer_when_asked(corpus, tmp_path):
    for fmt in ("jsonl", "csv"):
        path = tmp_path / f"out.{fmt}"
        call_command("export_statements", format=fmt, output=str(path), trailer=True, verbosity=0)
        assert export_trailer.check(path.read_bytes(), fmt) == corpus
    call_command("export_statements", format="csv", output=str(path), verbosity=0)
    assert path.read_bytes() == _export("csv", trailer=False)
    with pytest.raises(CommandError, match="only jsonl and csv"):
        call_command("export_statements", format="w3c", output=str(path), trailer=True)


# ---- Export to file (a job) ---------------------------------------------------------------------


def test_it_exports_to_a_file_kept_on_the_job(corpus, viewer):
    job = export_job.start_export(user=viewer, fmt="csv", filters={"stance": ["demand"], "unknown": ["x"]})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.errors
    demands = Statement.objects.filter(stance="demand")
    assert bytes(job.output) == _export("csv", demands)  # the same bytes as the streaming export
    assert export_trailer.check(bytes(job.output), "csv") == demands.count() > 0
    assert job.result == {"format": "csv", "rows": demands.count(), "bytes": len(job.output)}
    assert job.output_name.endswith(".csv") and job.output_type.startswith("text/csv")
    assert job.done == job.total == demands.count()


def test_it_exports_only_what_the_user_may_see(corpus):
    outsider = UserFactory(role="analyst", role__project=ProjectFactory())
    job = export_job.start_export(user=outsider, fmt="jsonl", filters={})
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result["rows"] == 0
    assert export_trailer.check(bytes(job.output), "jsonl") == 0


def test_it_refuses_a_bad_format_or_filter_before_queuing(corpus, viewer):
    with pytest.raises(ValidationError):
        export_job.start_export(user=viewer, fmt="xlsx", filters={})
    with pytest.raises(ValidationError):
        export_job.start_export(user=viewer, fmt="jsonl", filters={"stance": ["shouting"]})
    assert not Job.objects.exists()
