import sys
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from statements.data import statement_import
from statements.filters import project_lookup
from statements.models import Project, User
from statements.services.bulk import (
    PREDICTIONS,
    UNKNOWN_ANNOTATORS,
    UNKNOWN_SPEAKERS,
    BulkImportFailed,
    ImportOptions,
)

SHOWN_PROBLEMS = 100


class Command(BaseCommand):
    help = (
        "Import statements into a project from our JSONL export, Label Studio JSON, doccano JSONL, "
        "brat standoff (a zip of .txt/.ann), W3C Web Annotations, event records or the standard "
        "workload. All or nothing: every problem of the file is listed (by line, task or file, and "
        "field) and nothing is stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The file; - reads stdin.")
        parser.add_argument("--project", required=True, help="The target project's id or slug.")
        parser.add_argument(
            "--format", choices=statement_import.FORMATS, help="Guessed from the content when left out."
        )
        parser.add_argument(
            "--user",
            help="The importing user (their role in the project applies; new articles, actors and the "
            "history are theirs). Default: the instance administrator, if there is exactly one.",
        )
        parser.add_argument(
            "--unknown-speakers",
            choices=UNKNOWN_SPEAKERS,
            default="error",
            help="Names the actor registry does not know: refuse the file and list them (default), "
            "create the actors, or import the statements without them.",
        )
        parser.add_argument(
            "--unknown-annotators",
            choices=UNKNOWN_ANNOTATORS,
            default="inactive",
            help="Annotators without an account: new inactive accounts (default) or the importing user.",
        )
        parser.add_argument(
            "--predictions",
            choices=PREDICTIONS,
            default="skip",
            help="Label Studio predictions: skip them (default) or import them as statements.",
        )
        parser.add_argument(
            "--stance-map",
            help='Labels to stances, e.g. "Endorse=support,Call for=demand" (replaces the default synonyms).',
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(project_lookup(options["project"])).first()
        if project is None:
            raise CommandError(f"There is no project {options['project']!r}.")
        user = self._user(options["user"])
        try:
            stance_map = statement_import.parse_stance_map(options["stance_map"])
            import_options = ImportOptions(
                unknown_speakers=options["unknown_speakers"],
                unknown_annotators=options["unknown_annotators"],
                predictions=options["predictions"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        file = options["file"]
        try:
            stream = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        show = not options["no_progress"] and sys.stderr.isatty()
        with (
            stream,
            tqdm(unit="B", unit_scale=True, disable=not show, file=sys.stderr, desc="import") as bar,
        ):

            def progress(done: int, total: int | None) -> None:
                if total is not None and bar.total != total:
                    bar.total = total
                bar.update(done - bar.n)

            try:
                result = statement_import.import_statements_file(
                    stream,
                    user=user,
                    project=project,
                    fmt=options["format"],
                    name=None if file == "-" else file,
                    stance_map=stance_map,
                    options=import_options,
                    progress=progress,
                )
            except BulkImportFailed as exc:
                lines = [f"  {p}" for p in exc.problems[:SHOWN_PROBLEMS]]
                if len(exc.problems) > SHOWN_PROBLEMS:
                    lines.append(f"  … and {len(exc.problems) - SHOWN_PROBLEMS} more")
                if exc.unknown_speakers:
                    lines.insert(0, "  unknown speakers: " + ", ".join(exc.unknown_speakers))
                raise CommandError("Nothing was imported:\n" + "\n".join(lines)) from None
            except ValidationError as exc:
                raise CommandError("Nothing was imported: " + " ".join(exc.messages)) from None
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from None
        created = f"; new actors: {', '.join(result.speakers_created)}" if result.speakers_created else ""
        skipped = (
            f"; speakers left out (not in the registry): {', '.join(result.speakers_unknown)}"
            if result.speakers_unknown and import_options.unknown_speakers == "skip"
            else ""
        )
        self.stdout.write(
            f"Imported {result.statements:,} statement(s) with {result.conditions:,} condition(s) into "
            f"{project} ({project.slug}): {result.articles_created:,} new article(s), "
            f"{result.articles_existing:,} already there{created}{skipped}."
        )
        if result.predictions_skipped:
            self.stdout.write(f"Skipped {result.predictions_skipped:,} prediction(s).")
        if result.accepted_as_pending:
            self.stdout.write(
                f"{result.accepted_as_pending:,} statement(s) marked accepted in the file are pending: "
                "only a lead imports accepted statements."
            )

    def _user(self, username: str | None) -> User:
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"There is no user {username!r}.")
            return user
        admins = list(User.objects.filter(is_superuser=True, is_active=True)[:2])
        if len(admins) != 1:
            raise CommandError("Name the importing user with --user.")
        return admins[0]
