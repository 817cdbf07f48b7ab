import os
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from statements.data.seeding import sample_project
from statements.models import Membership, Role, User

DEMO_USERS = [
    ("lead", "Lena", "Lead", Role.LEAD),
    ("analyst1", "Amira", "Analyst", Role.ANALYST),
    ("analyst2", "Ben", "Analyst", Role.ANALYST),
    ("viewer", "Victor", "Viewer", Role.VIEWER),
]


class Command(BaseCommand):
    help = (
        "Create (or reset) the demo accounts lead, analyst1, analyst2 and viewer as members of the "
        "sample project (lead is also an instance administrator), and print their "
        "password: DEMO_PASSWORD from the environment, or a new random one each run. "
        "For development only: refused when DEBUG is off unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("demo_users is for development (DEBUG on); use --force if you really mean it.")
        password = os.environ.get("DEMO_PASSWORD") or secrets.token_urlsafe(9)
        project = sample_project({})
        for username, first, last, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.is_staff = role == Role.LEAD
            user.is_superuser = role == Role.LEAD
            user.set_password(password)
            user.save()
            Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
        names = ", ".join(u[0] for u in DEMO_USERS)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts: {names}. Password for all: {password}"))
