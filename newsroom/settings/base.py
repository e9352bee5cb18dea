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
    "taggit",
    # Before stories: its permissions must exist when stories syncs the role groups.
    "axes",
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
