"""Local development: DEBUG on, SQLite unless DATABASE_URL says otherwise.

The secret key is generated once per checkout and kept in ``var/`` (ignored
by git), so sessions survive a restart without a key living in the repo.
"""

import os
import secrets

from .base import *  # noqa: F403
from .base import BASE_DIR, env_bool


def _checkout_secret_key():
    path = BASE_DIR / "var" / "dev-secret-key"
    if not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY") or _checkout_secret_key()

# Only development settings may create the demo editor login.
NEWSROOM_ALLOW_DEMO_ACCOUNTS = True
