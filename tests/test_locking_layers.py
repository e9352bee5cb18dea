"""The locking package by layer: the models never load the admin.

``stories/models.py`` imports ``stories.locking.models`` only; the forms and
the admin layers of the package import ``django.contrib.admin`` (its LogEntry,
``display_for_field``), the model layer must not. Checked for real: a fresh
interpreter sets Django up *without* the admin app, imports the models, and
lists every ``django.contrib.admin`` module that got loaded.
"""

import ast
import json
import subprocess
import sys
from pathlib import Path

import stories

STORIES_DIR = Path(stories.__file__).parent

SETUP_WITHOUT_ADMIN = """
import json, sys
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "taggit",
        "stories",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    USE_TZ=True,
)
django.setup()
import {module}

print(json.dumps(sorted(
    name for name in sys.modules
    if name == "django.contrib.admin" or name.startswith("django.contrib.admin.")
)))
"""


def admin_modules_loaded_by(module):
    result = subprocess.run(
        [sys.executable, "-c", SETUP_WITHOUT_ADMIN.replace("{module}", module)],
        cwd=STORIES_DIR.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_models_load_without_the_admin():
    assert admin_modules_loaded_by("stories.models") == []
    assert admin_modules_loaded_by("stories.locking.models") == []


def test_the_check_can_see_the_admin_being_loaded():
    """The same probe sees the admin load when a module does load it (here the
    display helper the forms layer uses), so the check above can fail. (The
    forms and admin layers themselves cannot even be imported without the admin
    app: they use its LogEntry model.)"""
    assert "django.contrib.admin" in admin_modules_loaded_by("django.contrib.admin.utils")


def test_models_import_only_the_model_layer_of_locking():
    tree = ast.parse((STORIES_DIR / "models.py").read_text(encoding="utf-8"))
    locking_imports = [
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        and node.module
        and (node.module == "locking" or node.module.startswith("locking."))
    ]
    assert locking_imports == ["locking.models"]
