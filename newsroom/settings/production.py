"""Production: everything that matters must come from the environment.

Starting without ``SECRET_KEY``, or with an empty or weak one, is an error rather
than a silent fallback, and no setting here creates accounts or knows a password.
"""

import os

from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import NEWSROOM_TRUST_PROXY_HEADERS, env_bool

GENERATE_A_KEY = "Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_key_from_environment():
    """The key from the environment, refused when missing, empty or weak.

    Django only warns about a weak key (check W009, which ``check --deploy`` runs but
    gunicorn never does), and an empty one passes settings loading, then makes every
    request fail with a 500. Refusing at start, with Django's own thresholds, turns both
    into one clear error before the first request. The message never repeats the key.
    """
    if "SECRET_KEY" not in os.environ:
        raise ImproperlyConfigured(f"Set the SECRET_KEY environment variable. {GENERATE_A_KEY}")
    key = os.environ["SECRET_KEY"]
    if not key:
        raise ImproperlyConfigured(f"SECRET_KEY is empty. {GENERATE_A_KEY}")
    problems = []
    if len(key) < SECRET_KEY_MIN_LENGTH:
        problems.append(f"it has {len(key)} characters, fewer than {SECRET_KEY_MIN_LENGTH}")
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        problems.append(
            f"it has {len(set(key))} different characters, "
            f"fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS}"
        )
    if key.startswith(SECRET_KEY_INSECURE_PREFIX):
        problems.append(f"it starts with {SECRET_KEY_INSECURE_PREFIX!r}, as startproject's does")
    if problems:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak: {'; '.join(problems)}. {GENERATE_A_KEY}"
        )
    return key


SECRET_KEY = secret_key_from_environment()

DEBUG = False

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Behind a TLS-terminating proxy Django sees plain http from the proxy; it may believe
# the proxy's X-Forwarded-Proto only when told that nothing else can reach it
# (TRUST_PROXY_HEADERS, deploy/): otherwise any client could send the header and be
# taken for https, and SECURE_SSL_REDIRECT and the secure cookies would mean nothing.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if NEWSROOM_TRUST_PROXY_HEADERS else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Submitting a domain to the browsers' HSTS preload list is hard to undo, so it
# is an explicit opt-in (SECURE_HSTS_PRELOAD=true), not a default to warn about.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
