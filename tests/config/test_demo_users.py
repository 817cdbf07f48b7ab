"""First run (#13): `demo_users` prints the accounts and the password in a box, keeps a generated
password across runs (beside the database) unless DEMO_PASSWORD changes it, and leaves an
account whose password is already right alone, so that nobody is signed out."""

import io

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client

from statements.models import User

pytestmark = pytest.mark.django_db


def _run(**options) -> str:
    out = io.StringIO()
    call_command("demo_users", force=True, stdout=out, **options)
    return out.getvalue()


def _password(box: str) -> str:
    line = next(line for line in box.splitlines() if "Password for all:" in line)
    return line.split("Password for all:")[1].strip(" │")


def test_it_keeps_the_generated_password_and_the_sessions_across_runs(tmp_path, monkeypatch):
    kept = tmp_path / "db.sqlite3-demo-password"
    monkeypatch.setenv("DEMO_PASSWORD_FILE", str(kept))
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    box = _run()
    lines = box.splitlines()
    assert lines[0].startswith("┌") and lines[-1].startswith("└")  # a box, the last thing printed
    assert all(line.startswith("│") and line.endswith("│") for line in lines[1:-1])
    assert len({len(line) for line in lines}) == 1
    for name in ("lead", "analyst1", "analyst2", "viewer"):
        assert f"│   {name} " in box
    password = _password(box)
    assert kept.read_text().strip() == password and oct(kept.stat().st_mode)[-3:] == "600"

    client = Client()
    assert client.login(username="analyst1", password=password)
    assert _password(_run()) == password  # the same password next time
    assert client.session.get(SESSION_KEY)
    assert client.get("/").status_code == 200  # still signed in: the hash did not change

    monkeypatch.setenv("DEMO_PASSWORD", "a-chosen-demo-password")
    assert _password(_run()) == "a-chosen-demo-password"
    assert User.objects.get(username="viewer").check_password("a-chosen-demo-password")
    monkeypatch.delenv("DEMO_PASSWORD")
    assert _password(_run()) == "a-chosen-demo-password"  # kept from then on


def test_it_writes_the_box_to_a_file_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD_FILE", str(tmp_path / "pw"))
    assert _run(box_file=str(tmp_path / "box.txt")) == ""
    assert "Password for all:" in (tmp_path / "box.txt").read_text()
