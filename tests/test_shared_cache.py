"""The page cache shared by processes: two gunicorns on one Redis never serve a stale
page, and a Redis that is down costs renders, not errors."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from .factories import make_article, make_evidence, make_story
from .test_caching import DEMO, REDIS, ROOT, redis_or_skip

pytestmark = pytest.mark.django_db


def test_pages_are_rendered_when_the_cache_is_down(client, settings):
    evidence = make_evidence(make_article(), "a pointed exchange")
    story = make_story("The exchange", statements=[("It was tense.", [evidence])])
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    assert client.get(story.get_absolute_url()).status_code == 200


# Run in a process of its own, on the database the servers share: reads one change a
# line from stdin, makes it through the services and the ORM, answers "done".
CHANGER = """
import sys
import django

django.setup()
from stories.models import Correction, Outlet, Story
from stories.services import publishing

story = Story.objects.get(slug=sys.argv[1])
for line in sys.stdin:
    change = line.strip()
    if change == "correct":
        Correction.objects.create(story=story, text="A correction made elsewhere.")
    elif change == "republish":
        statement = story.statements.order_by("position").first()
        statement.text = "A statement republished elsewhere."
        statement.save()
        publishing.publish_story(story, None)
    elif change == "rename-outlet":
        outlet = Outlet.objects.get(slug="ew")
        outlet.name = "Entertainment Weekly, renamed elsewhere"
        outlet.save()
    elif change == "unpublish":
        publishing.unpublish_story(story)
    print("done", flush=True)
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(port, path):
    """GET ``path`` from the server on ``port`` under the one name both answer to, as
    behind a load balancer (the address is part of a page's key)."""
    request = Request(f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost"})
    try:
        with urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read().decode()
    except HTTPError as error:
        return error.code, ""


def test_two_processes_sharing_redis_never_serve_a_stale_page(tmp_path):
    redis_or_skip()
    database = tmp_path / "shared.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        "DJANGO_SETTINGS_MODULE": "newsroom.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
        "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
        "CACHE_KEY_PREFIX": f"test-processes-{uuid.uuid4().hex}",
        "PYTHONPATH": str(ROOT),
    }

    def manage(*args):
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, timeout=120
        )

    manage("migrate", "--verbosity", "0")
    manage("loaddata", "seed_articles", "demo_story", "--verbosity", "0")
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{port}"]
            + ["--error-logfile", str(tmp_path / f"gunicorn-{port}.log"), "newsroom.wsgi"],
            cwd=ROOT,
            env=env,
        )
        for port in ports
    ]
    slug = DEMO.strip("/").split("/")[-1]
    changer = subprocess.Popen(
        [sys.executable, "-c", CHANGER, slug],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        for port in ports:
            while fetch_or_none(port) != 200:
                assert time.monotonic() < deadline, f"gunicorn on {port} did not start"
                time.sleep(0.2)

        def change(what):
            changer.stdin.write(what + "\n")
            changer.stdin.flush()
            assert changer.stdout.readline().strip() == "done", what

        first, second = ports
        status, page = fetch(first, DEMO)  # rendered by the first, stored in Redis
        assert status == 200
        # Behind the cache's back (no version moves): the second serves the first's copy,
        # which is how we know they share it.
        with sqlite3.connect(database) as raw:
            raw.execute("UPDATE stories_article SET headline = 'Changed behind the cache'")
        assert fetch(second, DEMO) == (200, page)

        for what, expected in [
            ("correct", "A correction made elsewhere."),
            ("republish", "A statement republished elsewhere."),
            ("rename-outlet", "Entertainment Weekly, renamed elsewhere"),
        ]:
            fetch(first, DEMO)  # each server has the page of the version before
            fetch(second, DEMO)
            change(what)
            for port in ports:
                status, page = fetch(port, DEMO)
                assert status == 200 and expected in page, (what, port)
        source = "/sources/1/"
        fetch(first, source)
        change("unpublish")
        for port in ports:
            assert fetch(port, DEMO)[0] == 404, port
            assert fetch(port, source)[0] == 404, port
    finally:
        changer.stdin.close()
        changer.wait(timeout=30)
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=30)


def fetch_or_none(port):
    try:
        return fetch(port, "/")[0]
    except OSError:
        return None
