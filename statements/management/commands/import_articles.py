import sys
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from statements import services
from statements.data.importing import ImportFailed, import_articles, read_items
from statements.filters import project_lookup
from statements.models import Project, User


class Command(BaseCommand):
    help = (
        "Import articles from a JSON array or a JSONL file (one article per line: title, text and "
        "optionally source, url, published, dateline, language) into a project. All or nothing; "
        "articles whose text is already stored in the project are skipped, so importing the same "
        "file twice adds nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="A .json or .jsonl file; - reads stdin.")
        parser.add_argument("--user", help="Record this user as the creator (default: none, an import).")
        parser.add_argument(
            "--project",
            help="The project's id or slug (may be left out when there is one open project, or one "
            "where --user adds articles).",
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar, even on a terminal.")
        parser.add_argument(
            "--replace-text",
            action="store_true",
            help="An item with an existing article's URL and another text replaces that article's text "
            "(its statements follow, or become orphans; needs --user). Without it such items are listed.",
        )

    def handle(
        self,
        *args: Any,
        file: str,
        user: str | None = None,
        project: str | None = None,
        no_progress: bool = False,
        replace_text: bool = False,
        **options: Any,
    ) -> None:
        creator = None
        if user:
            creator = User.objects.filter(username=user).first()
            if creator is None:
                raise CommandError(f"There is no user {user!r}.")
        target = None
        if project:
            target = Project.objects.filter(project_lookup(project)).first()
            if target is None:
                raise CommandError(f"There is no project {project!r}.")
        try:
            target = services.project_for_writing(user=creator, project=target)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages) + " Name it with --project.") from None
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        show = not no_progress and sys.stderr.isatty()
        try:
            stream = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from None
        with stream, tqdm(unit=" articles", disable=not show, file=sys.stderr) as bar:
            try:
                report = import_articles(
                    read_items(stream),
                    user=creator,
                    project=target,
                    on_item=bar.update,
                    replace_text=replace_text,
                )
            except ImportFailed as exc:
                lines = [
                    f"  {position}: "
                    + "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
                    for position, errors in exc.errors.items()
                ]
                more = f"\n  … and {len(lines) - 50} more" if len(lines) > 50 else ""
                raise CommandError("Nothing was imported:\n" + "\n".join(lines[:50]) + more) from None
            except PermissionDenied as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Imported {report.created:,} new article(s); {report.existing:,} already existed. "
            f"Project: {target} ({target.slug})."
        )
        for d in report.text_differs:
            if d.replaced:
                counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in (d.counts or {}).items() if n)
                self.stdout.write(
                    f"  {d.position}: replaced the text of #{d.article_id} ({counts or 'no statements'})."
                )
            else:
                self.stdout.write(
                    f"  {d.position}: #{d.article_id} “{d.title}” has this URL and another text: not "
                    f"imported; replace it with --replace-text, or edit it at {d.as_dict()['edit']}."
                )
