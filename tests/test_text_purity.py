"""The text rules stay free of the database: ``stories.text`` is what models,
services, commands and unit tests share, so it must never reach back into them."""

import ast
import pkgutil
import sys
from pathlib import Path

import pytest

import stories.text

TEXT_DIR = Path(stories.text.__file__).parent
MODULES = sorted(info.name for info in pkgutil.iter_modules([str(TEXT_DIR)]))

# Django's pure helpers (escaping, text) are allowed; the ORM, the apps and the
# project's own layers above this one are not.
FORBIDDEN = ("django.db", "django.contrib", "django.apps", "django.conf", "taggit", "stories")


def imported_modules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                # A relative import stays inside the package only at level 1.
                yield "stories.text" if node.level == 1 else "stories"
            elif node.module:
                yield node.module


def test_the_package_holds_the_text_modules():
    assert {"anchoring", "importing", "reconciling", "diffing"} <= set(MODULES)
    assert {"names", "quotes", "words", "paragraphs"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_text_module_imports_no_orm_and_no_higher_layer(name):
    path = TEXT_DIR / f"{name}.py"
    offending = [
        module
        for module in imported_modules(path)
        if module != "stories.text"
        and not module.startswith("stories.text.")
        and any(module == banned or module.startswith(banned + ".") for banned in FORBIDDEN)
    ]
    assert offending == [], f"stories/text/{name}.py imports {offending}"


# The suggestion rules promise more: the standard library only, so that the import command,
# the admin and the tests share exactly the same rules, on any machine, without Django.
STANDARD_LIBRARY_ONLY = ["names", "paragraphs", "quotemarks", "quotes", "words"]


@pytest.mark.parametrize("name", STANDARD_LIBRARY_ONLY)
def test_suggestion_rules_import_only_the_standard_library(name):
    # Relative imports reach sibling text modules, which the test above checks.
    tree = ast.parse((TEXT_DIR / f"{name}.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            imported.add(node.module.split(".")[0])
    assert imported - {"__future__"} <= set(sys.stdlib_module_names), imported
