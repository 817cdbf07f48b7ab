import os
import secrets
from pathlib import Path
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
        "sample project (lead is also an instance administrator), and print them with their "
        "password in a box: DEMO_PASSWORD from the environment, else the one kept beside the "
        "database from an earlier run, else a new random one (then kept). An account whose "
        "password is already right is left alone, so nobody is signed out. "
        "For development only: refused when DEBUG is off unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off.")
        parser.add_argument(
            "--box-file", help="Write the box with the accounts to this file instead of printing it."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("demo_users is for development (DEBUG on); use --force if you really mean it.")
        kept = password_file()
        stored = kept.read_text().strip() if kept.is_file() else ""
        password = os.environ.get("DEMO_PASSWORD") or stored or secrets.token_urlsafe(9)
        if password != stored:
            kept.write_text(password + "\n")
            kept.chmod(0o600)
        project = sample_project({})
        for username, first, last, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name = first, last
            user.is_staff = role == Role.LEAD
            user.is_superuser = role == Role.LEAD
            if not user.check_password(password):  # a new hash would sign the account out
                user.set_password(password)
            user.save()
            Membership.objects.update_or_create(project=project, user=user, defaults={"role": role})
        box = accounts_box(password, kept)
        if options.get("box_file"):
            Path(options["box_file"]).write_text(box + "\n")
        else:
            self.stdout.write(box)


def password_file() -> Path:
    """Where the demo password is kept: beside a SQLite database (`db.sqlite3-demo-password`,
    ignored by git like the database), else in the project folder, one file per database;
    DEMO_PASSWORD_FILE to choose."""
    if os.environ.get("DEMO_PASSWORD_FILE"):
        return Path(os.environ["DEMO_PASSWORD_FILE"])
    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    if "sqlite" in database["ENGINE"] and name and not name.startswith((":memory:", "file:")):
        return Path(name + "-demo-password")
    safe = "".join(c if c.isalnum() else "-" for c in f"{database['ENGINE'].rsplit('.', 1)[-1]}-{name}")
    return Path(settings.BASE_DIR) / f".demo-password-{safe}"


def accounts_box(password: str, kept: Path) -> str:
    roles = {"lead": "lead of the sample project, administrator", "viewer": "viewer"}
    lines = ["Demo accounts (members of “Sample: ceasefire coverage”):", ""]
    lines += [f"  {name:<9} {roles.get(name, 'analyst')}" for name, *_ in DEMO_USERS]
    lines += ["", f"  Password for all:  {password}", "", f"Kept in {kept.name}; DEMO_PASSWORD=… changes it."]
    width = max(len(line) for line in lines)
    return "\n".join(
        ["┌" + "─" * (width + 2) + "┐"]
        + [f"│ {line:<{width}} │" for line in lines]
        + ["└" + "─" * (width + 2) + "┘"]
    )
