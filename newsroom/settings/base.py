"""Settings shared by every environment, read from the environment.

Nothing here is a secret or a default password: ``SECRET_KEY`` comes from the
environment (``production``) or from a per-checkout file (``dev``), so a
deployment can never run on a key that is also in the repository.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "taggit",
    # Before stories: its permissions must exist when stories syncs the role groups.
    "axes",
    "django_tasks",
    "django_tasks_db",
    "stories",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cached reader pages for readers without a session, before the rest runs.
    "stories.caching.PublicPageMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes checks every login (the admin's included) before Django's own backend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "newsroom.urls"

# Content-Security-Policy (django-csp): scripts, styles, images and fonts come from
# this site's own files only. No page needs an inline script or style, so there is no
# nonce and no 'unsafe-inline'; the one inline style Django's admin can emit (its
# changelist, when a ModelAdmin turns off both action bars) is allowed by its hash,
# which tests/test_csp.py recomputes from Django's template.
ADMIN_CHANGELIST_STYLE_HASH = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, ADMIN_CHANGELIST_STYLE_HASH],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# SQLite is the embedded default so a checkout runs with nothing installed;
# DATABASE_URL (postgres://…) selects PostgreSQL, which production uses.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the desk read (a job's page, say) while a worker's job holds the one
    # write lock SQLite has; in its default journal mode a long write locks readers out.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL"
# A job reports its progress on a connection of its own to the same database, outside the
# transaction that holds the job's writes, so the desk sees it while the job runs
# (stories/services/jobs.py says when it is used). Tests point it at the test database.
DATABASES["progress"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
if DATABASES["progress"]["ENGINE"] == "django.db.backends.postgresql":
    # Should anything ever hold the job's row in the job's transaction, a progress write
    # gives up (and is skipped) rather than wait for it forever.
    DATABASES["progress"]["OPTIONS"] = {
        **DATABASES["progress"].get("OPTIONS", {}),
        "options": "-c lock_timeout=10s",
    }

# Reader pages are cached (stories.caching) in local memory, one cache per process,
# or, with REDIS_URL (redis://127.0.0.1:6379/0), in Redis shared by every worker and
# machine. Cached pages are keyed on the public version, never expired by time, so
# either cache only ever serves what the database says now. CACHE_KEY_PREFIX keeps
# two sites sharing one Redis apart.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache"
        if REDIS_URL
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": REDIS_URL or "newsroom",
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsroom"),
        # A page lives until its version is replaced; Redis (maxmemory-policy allkeys-lru)
        # or local memory's culling drops the versions nobody asks for any more.
        "TIMEOUT": int(os.environ.get("PAGE_CACHE_SECONDS", "86400")),
        "OPTIONS": {} if REDIS_URL else {"MAX_ENTRIES": 2000},
    }
}
# What the Cache-Control of a reader page lets a CDN or browser do without asking:
# keep it PAGE_MAX_AGE seconds, then serve it PAGE_STALE_WHILE_REVALIDATE seconds more
# while it asks us (a 304 when nothing changed). 0 makes every request revalidate.
NEWSROOM_PAGE_MAX_AGE = int(os.environ.get("PAGE_MAX_AGE", "60"))
NEWSROOM_PAGE_STALE_WHILE_REVALIDATE = int(os.environ.get("PAGE_STALE_WHILE_REVALIDATE", "30"))
# Off (PAGE_CACHE=false): pages are still answered conditionally, but always rendered.
NEWSROOM_PAGE_CACHE = env_bool("PAGE_CACHE", True)

# Whether the reverse proxy in front may tell us the scheme (X-Forwarded-Proto) and the
# client's address (X-Forwarded-For). Only true when nothing but that proxy can reach the
# app server, and the proxy overwrites both headers: otherwise any client could claim
# to be on https, or to come from a fresh address after each locked-out guess.
NEWSROOM_TRUST_PROXY_HEADERS = env_bool("TRUST_PROXY_HEADERS")

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is refused, right password or not, until the
# cool-off has passed since the last attempt. Locking the pair rather than either
# alone means a stranger cannot lock an editor out of the desk by guessing from
# elsewhere, and one office behind a shared address is not locked out as a whole.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "newsroom.proxy.client_ip"
AXES_LOCKOUT_CALLABLE = "newsroom.views.locked_out"
# Its start-up banner would otherwise open every management command's output.
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# Long work (large imports, the suggestion pass over many articles) runs as a job
# (stories/services/jobs.py) through Django's tasks API, the django-tasks backport. By
# default a job runs at once in the process that asks for it, so a checkout, the tests and
# bin/demo need no worker; JOBS_BACKEND=database queues jobs in the database for
# `manage.py db_worker` (README: Background jobs).
JOBS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
JOBS_BACKEND = os.environ.get("JOBS_BACKEND", "immediate").strip().lower()
if JOBS_BACKEND not in JOBS_BACKENDS:
    raise ImproperlyConfigured(
        f"JOBS_BACKEND={JOBS_BACKEND!r}: use one of {', '.join(sorted(JOBS_BACKENDS))}."
    )
TASKS = {"default": {"BACKEND": JOBS_BACKENDS[JOBS_BACKEND]}}
# The admin's import runs as a job above either limit, and Suggest people above this many
# articles; smaller batches are done within the request, as before.
JOBS_IMPORT_INLINE_MAX_FILES = int(os.environ.get("JOBS_IMPORT_INLINE_MAX_FILES", "20"))
JOBS_IMPORT_INLINE_MAX_BYTES = int(os.environ.get("JOBS_IMPORT_INLINE_MAX_BYTES", 2 * 1024 * 1024))
JOBS_SUGGEST_INLINE_MAX_ARTICLES = int(os.environ.get("JOBS_SUGGEST_INLINE_MAX_ARTICLES", "20"))
# A running job on another machine whose heartbeat is older than this is shown as
# interrupted; on this machine the desk asks whether its process is still alive.
JOBS_HEARTBEAT_TIMEOUT = int(os.environ.get("JOBS_HEARTBEAT_TIMEOUT", "120"))
# Worker processes the name rules of a large import run in (stories/text/parallel.py):
# every core this process may use when unset or 0; 1 keeps them in the importing process.
TEXT_PROCESSES = int(os.environ.get("TEXT_PROCESSES", "0")) or None

# Tags are case-insensitive so "megan" and "Megan" never become two topics.
TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The page extractor and its date and URL helpers log a warning or an error for every
    # page they find no article in, or cannot parse; the importer already refuses such a
    # page with one message naming it, which is all an editor should read.
    "loggers": {
        name: {"level": "CRITICAL"} for name in ("trafilatura", "htmldate", "courlan", "justext")
    },
}

# The read-only API for partners (stories/api/, Django REST framework). No API
# logins: everyone reads as the public, at most NEWSROOM_API_ANON_RATE requests
# per client address, counted in Django's cache (one per process with the
# default local-memory cache: point CACHES at a shared one, Redis say, to make
# the limit hold across gunicorn's workers).
NEWSROOM_API_ANON_RATE = os.environ.get("API_ANON_RATE", "120/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["stories.api.throttling.AnonymousReadThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "stories.api.pagination.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Newsroom API",
    "DESCRIPTION": "Published reconciled stories, public claims, sources and people, read-only. "
    "See the README's section for partners.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
}
