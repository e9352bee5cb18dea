"""Production settings: deploy checks pass, no default secret, no demo accounts."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {"SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    environment.update(DJANGO_SETTINGS_MODULE="newsroom.settings.production", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_checks(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-production-key-" + "x" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check")
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable." in result.stderr


def test_production_settings_never_create_the_demo_login(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    key = "a-production-key-" + "x" * 50
    assert manage("migrate", "-v0", SECRET_KEY=key, DATABASE_URL=database).returncode == 0
    result = manage("create_demo_editor", SECRET_KEY=key, DATABASE_URL=database)
    assert result.returncode != 0
    assert "Demo accounts are disabled" in result.stderr
    assert "password" not in result.stdout


def test_production_refuses_an_empty_secret_key():
    result = manage("check", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is empty" in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr


def test_production_refuses_a_short_or_repetitive_secret_key():
    for weak, reason in [
        ("too-short-a-key", "15 characters"),
        ("ab" * 40, "2 different characters"),
        ("django-insecure-" + "k3y-0f-th3-st4rt-pr0j3ct-t3mpl4t3-n0t-f0r-pr0d", "django-insecure-"),
    ]:
        result = manage("check", SECRET_KEY=weak)
        assert result.returncode != 0, weak
        assert "SECRET_KEY is too weak" in result.stderr, result.stderr
        assert reason in result.stderr
        assert "secrets.token_urlsafe(50)" in result.stderr
        assert weak not in result.stderr, "the message must not repeat the key"
