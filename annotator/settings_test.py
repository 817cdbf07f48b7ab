"""Test settings: the same as production but fast hashing and plain static storage.

DATABASE_URL still decides the database, so the suite runs on SQLite or PostgreSQL.
"""

from annotator.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# pytest-django forces DEBUG off; manifest storage would then need collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECRET_KEY = "test-only-secret-key"  # noqa: S105
# Serve static files from the finders (no collectstatic in tests, and no warning about it).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Jobs run inline at job_start (the immediate backend), their progress in a per-run folder.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
CACHES["jobs"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jobs"}  # noqa: F405
CACHES["signin"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "signin"}  # noqa: F405
# The real database queue too, under its own alias: tests enqueue on it and run `db_worker --batch`.
TASKS["database"] = {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}

# Tests never share a cache or sessions, even when REDIS_URL is set in the environment (the
# autouse fixture clears the default cache before every test).
CACHES["default"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "annotator"}  # noqa: F405
SESSION_ENGINE = "annotator.session_store"

# SQLite: a test database in a file, not in memory. Django shares one in-memory connection between
# the live server's threads and the test (LiveServerTestCase); the page's parallel requests (the
# anchor-issues panel, the suggestions, the review badge) then used it at once, SQLite answered
# "bad parameter or other API misuse", and a request lost its session. With a file each thread has
# its own connection, as in production (WAL). pytest-xdist gives each worker its own file.
if DATABASES["default"]["ENGINE"] == "annotator.sqlite_backend":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}  # noqa: F405
