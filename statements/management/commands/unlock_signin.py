from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from statements.models import User
from statements.services import signin


class Command(BaseCommand):
    help = "Unlock accounts locked by failed sign-ins (the admin's 'Unlock sign-in' action does the same)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args: Any, **options: Any) -> None:
        for username in options["usernames"]:
            account = User.objects.filter(username=username).first()
            if account is None:
                raise CommandError(f"There is no user {username!r}.")
            was = signin.signin_unlock(user=None, account=account)
            self.stdout.write(f"{username}: {'unlocked' if was else 'was not locked'}.")
