"""Django's database session store, reading a session with one hand-written query.

Every request of a signed-in user reads its session first; the ORM's `Session.objects.get(...)`
cost several times the query itself (building and compiling the queryset: about a tenth of a
save's answer). The query is the same (the key and an expiry in the future, the expiry compared
in the form the ORM stores it); writes, expiry and everything else are Django's.
SESSION_ENGINE = "annotator.session_store" (annotator/settings.py); with Redis the sessions are
Django's cached_db store, which reads the database only when the cache misses.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        model = self.model
        connection = connections[router.db_for_read(model)]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {model._meta.db_table}"
                " WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            found = cursor.fetchone()
        if found is None:
            self._session_key = None
            return None
        return model(session_key=str(self.session_key), session_data=found[0])
