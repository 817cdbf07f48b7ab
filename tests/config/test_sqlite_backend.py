"""annotator/sqlite_backend: a kept SQLite connection is given up when its database file was
moved, replaced or deleted, so that a server never goes on writing to a file nobody sees."""

import os
import shutil
import sqlite3

import pytest
from django.db import connections

from annotator.sqlite_backend.base import DatabaseWrapper

pytestmark = pytest.mark.django_db  # pytest-django lets no connection open without it


def _wrapper(path) -> DatabaseWrapper:
    settings = connections.configure_settings(
        {
            "default": {"ENGINE": "django.db.backends.dummy"},
            "kept": {"ENGINE": "annotator.sqlite_backend", "NAME": str(path)},
        }
    )
    return DatabaseWrapper(settings["kept"], alias="kept")


def test_it_keeps_a_connection_while_its_file_stays(tmp_path):
    db = _wrapper(tmp_path / "a.sqlite3")
    db.ensure_connection()
    with db.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x integer)")
    assert db.is_usable()
    db.close()


def test_it_gives_up_a_connection_whose_file_moved_or_was_replaced(tmp_path):
    path = tmp_path / "a.sqlite3"
    db = _wrapper(path)
    db.ensure_connection()
    with db.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x integer)")
    os.rename(path, tmp_path / "moved.sqlite3")
    assert not db.is_usable()  # gone
    other = sqlite3.connect(tmp_path / "restored.sqlite3")
    other.execute("CREATE TABLE u (y integer)")
    other.close()
    shutil.copy(tmp_path / "restored.sqlite3", path)
    assert not db.is_usable()  # a different file at the same path (a backup restored)
    db.close()
    db.ensure_connection()  # a new connection opens the file now there
    with db.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master")
        assert cursor.fetchall() == [("u",)]
    assert db.is_usable()
    db.close()


def test_an_in_memory_database_is_always_usable():
    db = _wrapper(":memory:")
    db.ensure_connection()
    assert db.is_usable()
    db.close()
