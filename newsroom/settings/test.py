"""Settings for the test suite (pytest-django selects this module)."""

from .base import *  # noqa: F403

# Tests need a key but must not depend on a developer's var/ file.
SECRET_KEY = "test-only-key-not-used-anywhere-else"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
NEWSROOM_ALLOW_DEMO_ACCOUNTS = True

# django-axes refuses an authenticate() without a request, which is what the test
# client's login() makes. tests/test_login_throttling.py turns it on for its tests.
AXES_ENABLED = False

# Serve static files straight from the source folders: the suite (and the
# browser tests' live server) must not depend on a prior collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The suite's clients share one address and one cache: only the throttling test
# (tests/test_api.py) lowers the API's rate limit to meet it.
NEWSROOM_API_ANON_RATE = "100000/minute"
