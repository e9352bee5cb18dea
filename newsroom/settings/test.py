"""Settings for the test suite (pytest-django selects this module)."""

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

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

# The worker tests start `db_worker` and `import_articles` as processes of their own, which
# must open the test database: on SQLite that takes a file, not the in-memory default.
# synchronous=OFF spares the fsyncs; a killed process still rolls back, only a power cut
# could lose a test database. tests/conftest.py removes a write-ahead log left behind.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test-db.sqlite3")}
    DATABASES["default"]["OPTIONS"]["init_command"] += ";PRAGMA synchronous=OFF"

# The suite's clients share one address and one cache: only the throttling test
# (tests/test_api.py) lowers the API's rate limit to meet it.
NEWSROOM_API_ANON_RATE = "100000/minute"
