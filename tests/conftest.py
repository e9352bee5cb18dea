"""Fixtures shared by the whole suite: a real Chromium, the demo data, an editor.

Browser tests drive Debian's Chromium (``/usr/bin/chromium``) through Playwright's
sync API; no browser is ever downloaded. Without that binary they are skipped with
a message saying how to install it, unless ``NEWSROOM_REQUIRE_BROWSER`` is set (CI),
in which case they fail.
"""

import os
import uuid
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread while Django's
# live_server answers from another; Django's async-safety guard would refuse
# the ORM. Set here, next to the browser fixtures that need it, rather than in
# settings/test.py: it is the test harness's environment, not a Django setting,
# and Django reads it on every ORM call, so it only has to be set before the first.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}


def _browser_unavailable(reason):
    if os.environ.get("NEWSROOM_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (NEWSROOM_REQUIRE_BROWSER is set, so this is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session."""
    if not CHROMIUM.exists():
        _browser_unavailable(
            f"{CHROMIUM} not found: install Debian's chromium package "
            "(sudo apt-get install chromium) to run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    """A fresh context and page per test, so no cookie or storage leaks between tests."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def artifacts_dir():
    """Where tests leave screenshots for a person to look at (ignored by git)."""
    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def demo_data(db):
    """The seed articles plus the demo story that cites them."""
    from django.core.management import call_command

    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)


@pytest.fixture
def seed_article(demo_data):
    """Seed 000 (EW's report) as loaded with the demo story, whose passages it holds."""
    from stories.models import Article
    from stories.text.importing import body_sha256

    from .seed_texts import SEED_000, seed_body

    return Article.objects.get(body_sha256=body_sha256(seed_body(SEED_000)))


@pytest.fixture
def editor_client(client, django_user_model):
    """A test client logged in as a new superuser named "editor"."""
    editor = django_user_model.objects.create_superuser(
        username="editor", email="editor@newsroom.invalid", password="editor-test-password"
    )
    client.force_login(editor)
    return client


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, django_db_modify_db_settings_parallel_suffix):
    """Before the SQLite test database (a file: settings/test.py) is made anew, drop the
    write-ahead log a killed run may have left beside it, which SQLite would otherwise
    replay into the new, empty database."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    name = database.get("TEST", {}).get("NAME")
    if database["ENGINE"].endswith("sqlite3") and name and not request.config.getvalue("reuse_db"):
        for suffix in ("-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def page_cache_of_its_own(settings):
    """A cache namespace per test. Reader pages are cached by the public version
    (``stories.caching``), and a test's transaction is rolled back at its end, so the next
    test reaches the same version numbers with other content: in a namespace of its own
    it never finds the pages of the test before."""
    caches = {alias: dict(config) for alias, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches
