"""The Nu HTML Checker (v.Nu, the W3C's validator) finds no error on the reader
pages, the new ones of #12 first: search (results, nothing found, an absurd
query), and the story, source, person and claim pages with their sharing tags.

v.Nu is the ``vnu-jar`` npm package, run with Java. Without either the test is
skipped with a message saying how to install it, unless ``NEWSROOM_REQUIRE_VNU``
is set (CI), in which case it fails.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from stories.models import Article, Claim, Person, Story

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_JAR = REPO_ROOT / ".tools/node_modules/vnu-jar/build/dist/vnu.jar"
# Checked in the same run as the pages: if v.Nu reports nothing for it, it checked nothing.
BROKEN = (
    "<!DOCTYPE html><html lang=en><head><title>x</title></head><body><p><div></p></body></html>"
)
INSTALL = "install it with: npm install --no-save --prefix .tools vnu-jar@26.9.27 (and Java 11+)"


def vnu_command():
    jar = Path(os.environ.get("NEWSROOM_VNU_JAR") or DEFAULT_JAR)
    java = shutil.which("java")
    missing = None
    if not jar.exists():
        missing = f"v.Nu not found at {jar}: {INSTALL}"
    elif java is None:
        missing = f"java not found on PATH: {INSTALL}"
    if missing:
        if os.environ.get("NEWSROOM_REQUIRE_VNU"):
            pytest.fail(f"{missing} (NEWSROOM_REQUIRE_VNU is set, so this is a failure)")
        pytest.skip(missing)
    return [java, "-Xss2m", "-jar", str(jar)]


def validate(command, pages):
    """v.Nu's errors for each of ``pages`` ({name: html}), checked in one run."""
    folder = pages.pop("__folder__")
    files = []
    for name, html in pages.items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        [*command, "--format", "json", "--stdout", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    messages = json.loads(result.stdout)["messages"]
    errors = {}
    for message in messages:
        if message.get("type") in ("error", "non-document-error"):
            name = Path(message.get("url", "").removeprefix("file:")).stem
            errors.setdefault(name, []).append(
                f"line {message.get('lastLine')}: {message['message']} "
                f"[{message.get('extract', '').strip()[:120]}]"
            )
    return messages, errors


@pytest.mark.django_db
def test_the_reader_pages_have_no_html_errors(client, demo_data, tmp_path):
    command = vnu_command()
    story = Story.objects.published().get()
    urls = {
        "front": "/",
        "search-results": "/search/?q=Timberlake",
        "search-phrase": '/search/?q="pointed exchange"',
        "search-one-kind": "/search/?q=exchange&kind=sources",
        "search-empty": "/search/",
        "search-nothing-found": "/search/?q=zzyzx",
        "search-absurd": "/search/?q=" + "%3Cscript%3E" * 50 + "x" * 3000,
        "story": story.get_absolute_url(),
        "source": Article.objects.published().order_by("pk").first().get_absolute_url(),
        "person": Person.objects.published().get(slug="justin-timberlake").get_absolute_url(),
        "claim": Claim.objects.published().order_by("pk").first().get_absolute_url(),
        "not-found": "/no-such-page/",
    }
    pages = {"__folder__": tmp_path, "control": BROKEN}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == (404 if name == "not-found" else 200), url
        pages[name] = response.content.decode()
    _, errors = validate(command, pages)
    assert errors.pop("control"), "v.Nu reported nothing for a broken page: is it checking?"
    assert not errors, "v.Nu found errors:\n" + "\n".join(
        f"{name}:\n  " + "\n  ".join(lines) for name, lines in errors.items()
    )
