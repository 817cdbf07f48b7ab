import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from tqdm import tqdm

from statements.data.dataset import DatasetError, load


class Command(BaseCommand):
    help = (
        "Load a dump made by export_dataset into an empty database (no projects, actors or articles; "
        "users are matched by username, new ones get no password and no administrator rights). "
        "All or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The dump; - reads stdin.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")

    def handle(self, *args: Any, file: str, no_progress: bool = False, **options: Any) -> None:
        show = not no_progress and sys.stderr.isatty()
        try:
            stream = sys.stdin if file == "-" else open(file, encoding="utf-8", newline="\n")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        with stream, tqdm(unit=" records", disable=not show, file=sys.stderr) as bar:
            try:
                counts = load(stream, on_record=lambda kind: bar.update())
            except DatasetError as exc:
                raise CommandError(f"Nothing was loaded: {exc}") from None
            except DatabaseError as exc:
                raise CommandError(f"Nothing was loaded: the database refused a row: {exc}") from None
            except UnicodeDecodeError as exc:
                raise CommandError(f"Nothing was loaded: the file is not UTF-8 ({exc}).") from None
        self.stdout.write("Loaded " + ", ".join(f"{n:,} {kind}s" for kind, n in counts.items()) + ".")
