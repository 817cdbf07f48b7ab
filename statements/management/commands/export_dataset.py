import sys
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from statements.data.dataset import dump


class Command(BaseCommand):
    help = (
        "Dump the whole dataset (the users it refers to, projects with their members and guideline "
        "revisions, actors with aliases, articles, statements "
        "with gold links, conditions, reviews, comments, assignments, history) as JSONL, to a file "
        "or stdout. import_dataset loads it into an empty database; dumping again gives the same bytes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", default="-", help="A file path; - (the default) is stdout.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")

    def handle(self, *args: Any, output: str = "-", no_progress: bool = False, **options: Any) -> None:
        show = not no_progress and sys.stderr.isatty()
        with tqdm(unit=" records", disable=not show, file=sys.stderr) as bar:
            if output == "-":
                # the stream OutputWrapper wraps (its _out, not in the stubs): no added line ends
                stdout = cast(TextIO, self.stdout._out)
                counts = dump(stdout, on_record=lambda kind: bar.update())
            else:
                with open(output, "w", encoding="utf-8", newline="\n") as out:
                    counts = dump(out, on_record=lambda kind: bar.update())
        if output != "-" and options["verbosity"] > 0:
            self.stderr.write("Dumped " + ", ".join(f"{n:,} {kind}s" for kind, n in counts.items()) + ".")
