"""Settings for the annotator project, read from the environment.

Development defaults are safe and need no configuration: DEBUG on, a SQLite file in the project
directory, a throwaway secret key. With DEBUG off the app refuses to start without SECRET_KEY.
"""

from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from annotator.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the app refuses to start without one: "
            "export SECRET_KEY to a long random string (python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "statements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # 503 while the database is unreachable, 413 with a message for an oversized body
    "annotator.middleware.AvailabilityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # 400 with a message for a NUL character in a parameter, or a document nested too deeply
    "annotator.input_guard.InputGuardMiddleware",
]

ROOT_URLCONF = "annotator.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "statements.views.http.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "annotator.wsgi.application"
ASGI_APPLICATION = "annotator.asgi.application"

# The embedded default is a SQLite file; DATABASE_URL=postgres://user@host:5432/name switches.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=60,
        conn_health_checks=True,  # a kept connection that died (database restarted) is replaced
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (an export, the article page) run while an analyst saves.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    # Connections are kept per thread like PostgreSQL's: opening one (the file, the pragmas,
    # the functions Django registers) cost about 2 ms on every request (issue #15: a third of a
    # small API read). This backend's health check replaces a kept connection whose file was
    # moved, replaced or deleted (annotator/sqlite_backend/base.py).
    DATABASES["default"]["ENGINE"] = "annotator.sqlite_backend"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend whose health check polls the kept connection's socket instead of sending
    # SELECT 1 on every request (annotator/postgresql_backend/base.py).
    DATABASES["default"]["ENGINE"] = "annotator.postgresql_backend"
if DATABASES["default"]["ENGINE"] == "annotator.postgresql_backend" and env_bool(
    "DB_PREPARED_STATEMENTS", True
):
    # Server-side parameters and prepared statements (psycopg prepares a query the second time
    # the connection runs it): PostgreSQL then plans each of the app's queries once per
    # connection instead of on every request (planning took 0.1-0.7 ms a query, up to a third
    # of a save's database time). Off (DB_PREPARED_STATEMENTS=false) behind a connection pooler
    # in transaction mode, such as PgBouncer before 1.21, which cannot keep them.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("server_side_binding", True)
    DATABASES["default"]["OPTIONS"].setdefault("prepare_threshold", 2)

# Per-process memory cache: the leads' dashboard keeps its corpus-wide agreement numbers here
# until the corpus changes (statements/review.py: corpus_fingerprint).
CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "annotator",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
}

# Background jobs (statements/tasks.py): Django's tasks framework with a database-backed queue,
# run by `manage.py db_worker` (make run starts one). TASKS_BACKEND=immediate runs jobs inline
# (the tests do). Progress goes through the "jobs" cache so that a page can read it while the
# job still holds its transaction: Redis when REDIS_URL is set, else files beside the database.
TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django.tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }.get(env_str("TASKS_BACKEND", "database"), env_str("TASKS_BACKEND")),
        "QUEUES": ["default"],
    }
}
CACHES["jobs"] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": env_str("JOBS_PROGRESS_DIR") or str(BASE_DIR / ".jobs-progress"),
    "TIMEOUT": 24 * 3600,
}
# Sign-in throttling counters (statements/services/signin.py): shared by the processes of one
# machine (files), or by every machine through Redis.
CACHES["signin"] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": env_str("SIGNIN_THROTTLE_DIR") or str(BASE_DIR / ".signin-throttle"),
}
SIGNIN_ACCOUNT_FAILURES = int(env_str("SIGNIN_ACCOUNT_FAILURES", "5"))
SIGNIN_ADDRESS_FAILURES = int(env_str("SIGNIN_ADDRESS_FAILURES", "20"))
SIGNIN_TOKEN_FAILURES = int(env_str("SIGNIN_TOKEN_FAILURES", "20"))
SIGNIN_LOCKOUT_SECONDS = int(env_str("SIGNIN_LOCKOUT_SECONDS", "900"))
if env_str("REDIS_URL"):
    CACHES["signin"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL"),
        "KEY_PREFIX": "signin",
    }
    CACHES["jobs"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL"),
        "KEY_PREFIX": "jobs",
        "TIMEOUT": 24 * 3600,
    }

# Sessions in the database, read with one hand-written query (annotator/session_store.py);
# with REDIS_URL, Django's cached_db store (below).
SESSION_ENGINE = "annotator.session_store"

# More than one app server (README "Running in production"): with REDIS_URL the default cache
# (the dashboard's numbers, shared by every process and machine) lives in Redis, and so do the
# sessions (cached_db: read from Redis, written through to the database, so a Redis restart
# signs nobody out). Without it, one machine: a per-process cache and sessions in the database.
if env_str("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL"),
        "KEY_PREFIX": "annotator",
        "TIMEOUT": 300,
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "statements.User"
# ModelBackend, with the signed-in user read together with their memberships (one query).
AUTHENTICATION_BACKENDS = ["statements.permissions.MemberBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "article_list"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Article bodies are capped at 500,000 characters; a pasted or uploaded text is a form field,
# so the request limit must fit one in UTF-8 (up to 4 bytes a character) with its metadata.
DATA_UPLOAD_MAX_MEMORY_SIZE = 4 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie; kept default.
CSRF_FAILURE_VIEW = "statements.views.errors.csrf_failure"  # the styled 403 page (JSON under /api/)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=True)
# HTTPS in production (README "Security headers"): on by default with DEBUG off and secure
# cookies; each settable from the environment. Behind the proxy (deploy/), X-Forwarded-Proto
# says the client's scheme. SECURE_COOKIES=false (a plain-HTTP local stack) turns them off.
_TLS = not DEBUG and env_bool("SECURE_COOKIES", default=True)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=_TLS)
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS") or (31_536_000 if _TLS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
if env_bool("SECURE_PROXY_SSL_HEADER", default=_TLS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (Django's own, django.middleware.csp): everything from this server,
# no inline script or style, no plugins, no framing; the SVG charts' data: images allowed.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "statements.api.auth.ThrottledTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "statements.api.schema.ApiAutoSchema",  # documents the error answers
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Annotator API",
    "DESCRIPTION": "Articles, actors, statements, conditions and reviews of diplomatic statements.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
