"""Django's SQLite backend with connections that can be kept (CONN_MAX_AGE) safely: a kept
connection holds the database file it opened, so if that file is moved, replaced (a backup
restored) or deleted while the server runs, the connection would go on reading and writing a
file nobody sees any more. The health check Django runs before reusing a connection
(CONN_HEALTH_CHECKS) compares the file's identity now with the one opened: when it changed, the
connection is closed and a new one opens the file now at that path (or fails: a 503, see
annotator/middleware.py). One stat() per request; opening a connection cost ~2 ms (issue #15)."""

from __future__ import annotations

import os
from typing import Any

from django.db.backends.sqlite3 import base


def _identity(path: str) -> tuple[int, int] | None:
    """The file's device and inode, or None when nothing is there."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _on_disk(path: Any) -> bool:
    path = str(path)
    return bool(path) and not path.startswith(":memory:") and "mode=memory" not in path


class DatabaseWrapper(base.DatabaseWrapper):
    _opened: tuple[str, tuple[int, int] | None] | None = None

    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:
        conn = super().get_new_connection(conn_params)
        path = conn_params.get("database")
        self._opened = (str(path), _identity(str(path))) if _on_disk(path) else None
        return conn

    def is_usable(self) -> bool:
        if self._opened is None:
            return super().is_usable()
        path, identity = self._opened
        return identity is not None and _identity(path) == identity
