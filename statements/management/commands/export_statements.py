import sys
from collections.abc import Iterator
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import QueryDict
from tqdm import tqdm

from statements.data import export_trailer, exporting, peer_exports
from statements.filters import StatementFilter, project_lookup
from statements.models import Project, Statement, User
from statements.selectors import catalog


class Command(BaseCommand):
    help = (
        "Export statements as JSONL, JSON, CSV or W3C Web Annotations, with the same filters as "
        "/api/export/statements, to a file or stdout (a progress bar on a terminal)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=[*exporting.FORMATS, *peer_exports.FORMATS], default="jsonl")
        parser.add_argument("--project", help="Only this project's statements (its id or slug).")
        parser.add_argument("-o", "--output", default="-", help="A file path; - (the default) is stdout.")
        for name in ("article", "speaker", "addressee", "annotator"):
            parser.add_argument(f"--{name}", help=f"{name.capitalize()} id(s), comma-separated.")
        parser.add_argument("--stance", action="append", help="support, caveat or demand (repeatable).")
        parser.add_argument("--status", action="append", help="pending, accepted, … (repeatable).")
        parser.add_argument(
            "--gold", choices=["true", "false"], help="Only gold (or only non-gold) statements."
        )
        for name in ("created-after", "created-before", "updated-after", "updated-before"):
            parser.add_argument(f"--{name}", help="An ISO 8601 date or time (UTC unless it says otherwise).")
        parser.add_argument("--q", help="Text in the quote or the note.")
        parser.add_argument(
            "--as-user", help="Export what this user may see (blind annotation); by default everything."
        )
        parser.add_argument(
            "--base-url", default="http://localhost:8000", help="Makes the W3C annotation IRIs absolute."
        )
        parser.add_argument(
            "--engine", choices=list(exporting.ENGINES), help="Default: copy on PostgreSQL, sqlite on SQLite."
        )
        parser.add_argument(
            "--raw",
            action="store_true",
            help="CSV: keep cells exactly as stored (by default a cell starting with =, +, -, @, tab "
            "or CR gets a ' before it, so that a spreadsheet does not run it as a formula).",
        )
        parser.add_argument(
            "--trailer",
            action="store_true",
            help="JSONL and CSV: end with a line holding the row count and the SHA-256 of everything "
            "before it (check a file with python -m statements.data.export_trailer FILE).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")

    def handle(self, *args: Any, **options: Any) -> None:
        queryset = Statement.objects.all()
        user: User | None = None
        if options["as_user"]:
            user = User.objects.filter(username=options["as_user"]).first()
            if user is None:
                raise CommandError(f"There is no user {options['as_user']!r}.")
            queryset = catalog.visible_statements(user)
        params = QueryDict(mutable=True)
        if options["project"]:
            projects = catalog.visible_projects(user) if user is not None else Project.objects.all()
            project = projects.filter(project_lookup(options["project"])).first()
            if project is None:
                raise CommandError(f"There is no project {options['project']!r}.")
            params["project"] = str(project.pk)
        for name in ("article", "speaker", "addressee", "annotator", "gold", "q"):
            if options[name] is not None:
                params[name] = options[name]
        for name in ("created_after", "created_before", "updated_after", "updated_before"):
            if options[name] is not None:
                params[name] = options[name]
        for name in ("stance", "status"):
            for value in options[name] or ():
                params.appendlist(name, value)
        filterset = StatementFilter(data=params, queryset=queryset)
        if not filterset.is_valid():
            problems = "; ".join(
                f"--{k.replace('_', '-')}: {' '.join(v)}" for k, v in filterset.errors.items()
            )
            raise CommandError(f"Invalid filter: {problems}")
        queryset = filterset.qs
        fmt = options["format"]
        to_stdout = options["output"] == "-"
        show = not options["no_progress"] and sys.stderr.isatty()
        if options["trailer"] and fmt not in export_trailer.FORMATS:
            raise CommandError(f"--trailer: only {' and '.join(export_trailer.FORMATS)} have a trailer.")
        bar = tqdm(total=queryset.count() if show else None, unit=" rows", disable=not show, file=sys.stderr)
        counter = export_trailer.RowCounter()

        def on_rows(n: int) -> None:
            counter(n)
            bar.update(n)

        chunks = (
            peer_exports.export_peer(queryset, fmt=fmt)  # label-studio, doccano, brat, events
            if fmt in peer_exports.FORMATS
            else exporting.export_statements(
                queryset,
                fmt=fmt,
                base_url=options["base_url"],
                collection_id=f"{options['base_url'].rstrip('/')}/api/export/statements?format={fmt}",
                engine=options["engine"],
                on_rows=on_rows,
                raw=options["raw"],
            )
        )
        if options["trailer"]:
            chunks = export_trailer.with_trailer(chunks, fmt, counter)
        try:
            if to_stdout:
                self._write_stdout(chunks)
            else:
                with open(options["output"], "wb") as out:
                    for chunk in chunks:
                        out.write(chunk)
        finally:
            chunks.close()
            bar.close()
        if not to_stdout and options["verbosity"] > 0:
            self.stderr.write(f"Wrote {bar.n:,} statements to {options['output']}.")

    def _write_stdout(self, chunks: Iterator[bytes]) -> None:
        out = cast(TextIO, self.stdout._out)  # the stream OutputWrapper wraps (not in the stubs)
        raw = getattr(out, "buffer", None)  # the real stdout takes bytes
        for chunk in chunks:
            if raw is not None:
                raw.write(chunk)
            else:  # e.g. call_command(stdout=io.StringIO())
                out.write(chunk.decode())
        if raw is not None:
            raw.flush()
