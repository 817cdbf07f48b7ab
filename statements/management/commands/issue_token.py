from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from statements.models import User
from statements.services import token_issue


class Command(BaseCommand):
    help = (
        "Print a user's API token (`Authorization: Token …`), creating it if they have none. "
        "With --regenerate, a new token replaces the old one, which stops working."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--regenerate", action="store_true", help="Replace the existing token.")

    def handle(self, *args: Any, username: str, regenerate: bool, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username!r}.")
        if not user.is_active:
            raise CommandError(f"{username!r} is inactive: a token would be refused.")
        token, created = token_issue(user=user, regenerate=regenerate)
        self.stdout.write(token.key)
        if options["verbosity"] > 1:
            self.stderr.write("Created a new token." if created else "This is the existing token.")
