"""Say clearly, before pytest starts, when DATABASE_URL's PostgreSQL server cannot be
reached: pytest-django would otherwise fail every test with a connection error.

Used by bin/test; exits 1 with the reason (the password masked) on failure.
"""

import os
import sys
from urllib.parse import urlsplit

import dj_database_url
import psycopg

url = os.environ["DATABASE_URL"]
config = dj_database_url.parse(url)
parts = urlsplit(url)
shown = url
if parts.password:
    shown = parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@", 1)).geturl()
try:
    # The maintenance database: the test database is created by pytest-django.
    psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        connect_timeout=5,
    ).close()
except psycopg.Error as exc:
    print(f"error: cannot reach the PostgreSQL server in DATABASE_URL={shown}", file=sys.stderr)
    print(f"  {str(exc).strip()}", file=sys.stderr)
    print("  Start PostgreSQL, fix DATABASE_URL, or unset it to test on SQLite.", file=sys.stderr)
    sys.exit(1)
print(f"Testing against PostgreSQL at {shown}")
