from typing import Any

from django.core.management.base import BaseCommand, CommandError

from statements.data.seeding import SeedError, load_seeds


class Command(BaseCommand):
    help = "Load the sample corpus from seeds/ (actors, the seed article, its worked annotation). Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_seeds()
        except SeedError as exc:
            raise CommandError(f"The seed data is inconsistent: {exc}") from exc
        if report.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeds loaded: {report.actors_created} actors, {report.aliases_created} aliases, "
                    f"{report.articles_created} articles, {report.statements_created} statements."
                )
            )
        else:
            self.stdout.write("Seeds already loaded; nothing changed.")
