"""The reliability suite (#8, "Hard to break"): bounded, loopback only, under 3 minutes.

1. Load: LOAD_SECONDS (60 in CI) of 50 concurrent connections on the story page under
   gunicorn with the production settings, while two editors race each other saving and
   publishing the story in the admin. No request may fail, and every save is either kept
   (its text is in a published revision) or refused with the locking message; none lost.
2. A PostgreSQL restart in the middle of a load run, on a throwaway cluster this test
   starts itself (``initdb``/``pg_ctl``, a port and socket directory of its own; the
   shared server is never touched): requests fail only while it is down, none once it is
   back, without restarting gunicorn; the recovery time is printed.
3. Property-based tests over arbitrary Unicode (no database): the article reader reads or
   refuses with an ArticleFileError, and a located quote is exactly the body's text.

1 and 2 need PostgreSQL (``DATABASE_URL=postgres://…``, as CI's second pass sets) and are
skipped on SQLite: SQLite's single writer and file locking are not what production runs.
Each builds a fresh database with ``migrate`` and the demo fixtures, so the gunicorn
processes see committed data, and drops it at the end. The figures are printed past
pytest's capture, so CI's log always has them; docs/reliability.md records a run's by hand.
``NEWSROOM_LOAD_SECONDS`` shortens the load run locally (60 s in CI).
"""

import glob
import http.client
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import hypothesis
import hypothesis.strategies as st
import psycopg
import pytest

from stories.text import anchoring, formats, importing
from stories.text.anchoring import AnchorError
from stories.text.importing import ArticleFileError

from .test_deploy import ROOT, Processes, free_port, production_environment
from .test_locking import _FormReader

pytestmark = pytest.mark.reliability

DATABASE_URL = os.environ.get("DATABASE_URL", "")
ON_POSTGRES = re.match(r"postgres(ql)?(\+[a-z0-9]+)?://", DATABASE_URL) is not None
needs_postgres = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="the load and restart tests run gunicorn against PostgreSQL; "
    "set DATABASE_URL=postgres://… (CI's PostgreSQL pass does)",
)

LOAD_SECONDS = float(os.environ.get("NEWSROOM_LOAD_SECONDS", "60"))
CONNECTIONS = 50
WORKERS = 3
REQUEST_TIMEOUT = 30
STORY_PATH = "/stories/megan-thee-stallion-justin-timberlake-vmas-backstage/"
STORY_MARK = b"Megan Thee Stallion"  # on the story page, so a 200 is the real page
CHANGE_PATH = "/admin/stories/story/1/change/"
CONFLICT = "changed this story"
EDITORS = ("alice", "bob")
PASSWORD = "reliability-" + secrets.token_urlsafe(12)


# --------------------------------------------------------------------------------------------
# A site: a fresh database, migrated and seeded, and gunicorn on it


def _manage(environment, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stdout}\n{result.stderr}"


def _sql(url, statement):
    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(statement)
        return cursor.fetchall() if cursor.description else None


@contextmanager
def site(tmp, database_url):
    """gunicorn (production settings, WORKERS workers) on ``database_url``, which is
    migrated and given the demo story and two superusers first; yields its port."""
    environment = production_environment(tmp)
    environment.update(
        DATABASE_URL=database_url,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        WEB_CONCURRENCY=str(WORKERS),
    )
    _manage(environment, "migrate", "--noinput", "-v0")
    _manage(environment, "loaddata", "-v0", "seed_articles", "demo_story")
    _manage(environment, "collectstatic", "--noinput", "-v0")
    for name in EDITORS:
        _manage(
            {**environment, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
            "createsuperuser",
            "--noinput",
            f"--username={name}",
            f"--email={name}@newsroom.invalid",
        )
    port = free_port()
    processes = Processes(tmp)
    try:
        gunicorn = processes.start(
            "gunicorn",
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
            {**environment, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        )
        processes.wait_for_port("gunicorn", gunicorn, port)
        yield port, gunicorn
    finally:
        processes.stop_all()


@contextmanager
def fresh_database_on_the_test_server():
    """A database of its own on DATABASE_URL's server (never pytest's test database),
    dropped at the end; yields its URL."""
    parts = urlsplit(re.sub(r"^postgres(ql)?(\+[a-z0-9]+)?://", "postgres://", DATABASE_URL))
    name = f"newsroom_reliability_{os.getpid()}"
    admin_url = parts._replace(path="/postgres").geturl()
    _sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _sql(admin_url, f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        _sql(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --------------------------------------------------------------------------------------------
# Readers: CONNECTIONS threads, each a keep-alive client, for a bounded time


@dataclass
class Hit:
    started: float
    ended: float
    outcome: str  # "ok", an HTTP status, or an exception's name


@dataclass
class Load:
    port: int
    connections: int
    hits: list = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)

    def reader(self, deadline):
        """One connection's requests until ``deadline``. gunicorn's sync workers close
        each connection after its response; http.client then opens the next one."""
        hits = []
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        while time.monotonic() < deadline and not self.stopping.is_set():
            started = time.monotonic()
            try:
                connection.request("GET", STORY_PATH, headers={"Host": f"127.0.0.1:{self.port}"})
                response = connection.getresponse()
                body = response.read()
                ok = response.status == 200 and STORY_MARK in body
                outcome = "ok" if ok else str(response.status)
            except (OSError, http.client.HTTPException) as exc:
                outcome = type(exc).__name__
                connection.close()
            hits.append(Hit(started, time.monotonic(), outcome))
            if outcome != "ok":
                time.sleep(0.02)  # not a hot loop while the database is down
        connection.close()
        self.hits.extend(hits)  # list.extend is atomic under the GIL

    @contextmanager
    def running(self, seconds):
        deadline = time.monotonic() + seconds
        threads = [
            threading.Thread(target=self.reader, args=(deadline,), daemon=True)
            for _ in range(self.connections)
        ]
        for thread in threads:
            thread.start()
        try:
            yield deadline
        except BaseException:
            self.stopping.set()  # the test failed: no point loading the site until deadline
            raise
        finally:
            for thread in threads:
                thread.join(timeout=seconds + REQUEST_TIMEOUT + 5)
            assert not any(thread.is_alive() for thread in threads), "a reader hung"

    def errors(self):
        return [hit for hit in self.hits if hit.outcome != "ok"]


# --------------------------------------------------------------------------------------------
# Editors: the admin through real HTTP, a session cookie and the CSRF token


class Editor:
    def __init__(self, port, name):
        self.port, self.name, self.cookies = port, name, {}

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        headers = {"Host": f"127.0.0.1:{self.port}", "Origin": f"http://127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location"), text

    def form(self, path, form_id):
        status, _, page = self.request("GET", path)
        assert status == 200, f"{self.name}: GET {path} answered {status}"
        reader = _FormReader(form_id)
        reader.feed(page)
        return [(name, value) for name, value in reader.pairs if "__prefix__" not in name]

    def log_in(self):
        form = dict(self.form("/admin/login/?next=/admin/", "login-form"))
        form.update(username=self.name, password=PASSWORD)
        status, location, _ = self.request("POST", "/admin/login/?next=/admin/", form)
        assert (status, location) == (302, "/admin/"), f"{self.name} could not log in"


@dataclass
class Attempt:
    editor: str
    text: str
    outcome: str  # "kept", "refused", or what went wrong

    @property
    def mark(self):
        """What this attempt added, unique to it and the same as JSON text."""
        return self.text[self.text.rindex(" [") :]


def edit_and_publish(editor, number):
    """Open the story, change its first statement and press "Publish changes"."""
    pairs = editor.form(CHANGE_PATH, "story_form")
    fields = dict(pairs)
    original = fields["statements-0-text"].split(" [", 1)[0]
    text = f"{original} [{editor.name} #{number}]"
    time.sleep(secrets.randbelow(300) / 1000)  # an editor reads before saving: races happen
    form = [(k, text if k == "statements-0-text" else v) for k, v in pairs]
    status, location, page = editor.request("POST", CHANGE_PATH, [*form, ("_publish", "x")])
    if status == 302 and location and not location.endswith(CHANGE_PATH):
        return Attempt(editor.name, text, "kept")
    if status == 200 and CONFLICT in page:
        return Attempt(editor.name, text, "refused")
    return Attempt(editor.name, text, f"{status} {location}")


def editing(editor, deadline, attempts):
    """Edit and publish until ``deadline``; what goes wrong is an attempt's outcome."""
    number = 0
    try:
        while time.monotonic() < deadline:
            number += 1
            attempts.append(edit_and_publish(editor, number))
    except (AssertionError, OSError, http.client.HTTPException, KeyError) as exc:
        attempts.append(Attempt(editor.name, f" [{editor.name} failed]", f"{exc!r}"))


# --------------------------------------------------------------------------------------------
# 1. Load on the story page while two editors race


@needs_postgres
def test_the_story_page_under_load_while_two_editors_publish(tmp_path, capsys):
    load = Load(0, CONNECTIONS)
    attempts = []
    with fresh_database_on_the_test_server() as url, site(tmp_path, url) as (port, _):
        load.port = port
        editors = [Editor(port, name) for name in EDITORS]
        for editor in editors:
            editor.log_in()
        with load.running(LOAD_SECONDS) as deadline:
            editors = [
                threading.Thread(target=editing, args=(editor, deadline - 1, attempts))
                for editor in editors
            ]
            for thread in editors:
                thread.start()
            for thread in editors:
                thread.join(timeout=LOAD_SECONDS + 2 * REQUEST_TIMEOUT)
        statement = _sql(url, "SELECT text FROM stories_statement WHERE story_id = 1 "
                         "ORDER BY position LIMIT 1")[0][0]  # fmt: skip
        published = [
            text
            for (text,) in _sql(
                url, "SELECT content::text FROM stories_storyrevision ORDER BY number"
            )
        ]

    kept = [a for a in attempts if a.outcome == "kept"]
    refused = [a for a in attempts if a.outcome == "refused"]
    seconds = max(h.ended for h in load.hits) - min(h.started for h in load.hits)
    with capsys.disabled():  # the figures belong in CI's log, pass or fail
        print(
            f"\nreliability/load: {len(load.hits)} requests in {seconds:.1f} s "
            f"({len(load.hits) / seconds:.0f} req/s) at {CONNECTIONS} connections, "
            f"{len(load.errors())} errors; {len(attempts)} saves: {len(kept)} kept, "
            f"{len(refused)} refused with the conflict message"
        )
    assert load.errors() == [], f"{len(load.errors())} failed requests: {load.errors()[:5]}"
    assert len(load.hits) >= CONNECTIONS
    assert [a for a in attempts if a not in kept and a not in refused] == []
    assert kept, "no save was kept: the editors never got through"
    # Kept: published as a revision of its own (save and publish are one transaction).
    for attempt in kept:
        assert sum(attempt.mark in content for content in published) == 1, attempt
    # Refused: written nowhere. The last kept save is what the story says now.
    for attempt in refused:
        assert not any(attempt.mark in content for content in published), attempt
        assert statement != attempt.text
    latest = next(a for a in kept if a.text == statement)
    assert latest.mark in published[-1]


# --------------------------------------------------------------------------------------------
# 2. PostgreSQL restarted under load, on a throwaway cluster of its own

RESTART_CONNECTIONS = 20
BEFORE_STOP = 6  # seconds of load before PostgreSQL stops
DOWN = 3  # seconds it stays down
AFTER_START = 8  # seconds of load once it is back
GRACE = 1.0  # a request already under way when it came back may still fail
RECOVERY_SECONDS = 10


def _postgres_binary(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        pytest.skip(f"{name} not found: install Debian's postgresql package to run this test")
    return found[-1]


class Cluster:
    """A PostgreSQL cluster in a temporary directory, on a free port and a socket
    directory of its own; run as the ``postgres`` user when this is root (PostgreSQL
    refuses to run as root)."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="newsroom-reliability-pg-")
        self.data = os.path.join(self.directory, "data")
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.directory, "postgres")
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/newsroom"

    def _run(self, tool, *args):
        result = subprocess.run(
            [*self.as_postgres, _postgres_binary(tool), *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{tool} failed:\n{result.stdout}\n{result.stderr}"

    def initdb(self):
        self._run("initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "-N")

    def start(self):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = os.path.join(self.directory, "postgres.log")
        self._run("pg_ctl", "-D", self.data, "-l", log, "-o", options, "-w", "-t", "60", "start")

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def remove(self):
        if os.path.exists(os.path.join(self.data, "postmaster.pid")):
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def throwaway_cluster():
    cluster = Cluster()
    try:
        cluster.initdb()
        cluster.start()
        _sql(f"postgres://postgres@127.0.0.1:{cluster.port}/postgres", "CREATE DATABASE newsroom")
        yield cluster
    finally:
        cluster.remove()


@needs_postgres
def test_requests_fail_only_while_postgresql_is_down(tmp_path, capsys):
    load = Load(0, RESTART_CONNECTIONS)
    with throwaway_cluster() as cluster, site(tmp_path, cluster.url) as (port, gunicorn):
        load.port = port
        with load.running(BEFORE_STOP + DOWN + AFTER_START):
            time.sleep(BEFORE_STOP)
            stopping = time.monotonic()
            cluster.stop()
            time.sleep(DOWN)
            starting = time.monotonic()
            cluster.start()
            back = time.monotonic()  # pg_ctl -w: accepting connections from here on
        assert gunicorn.poll() is None, "gunicorn died"
        same_gunicorn = gunicorn.pid

    errors = load.errors()
    after = [hit for hit in load.hits if hit.started >= back and hit.outcome == "ok"]
    first_ok = min((hit.ended for hit in after), default=None)
    late = [hit for hit in errors if hit.started > back + GRACE]
    early = [hit for hit in errors if hit.ended < stopping]
    kinds = ", ".join(sorted({hit.outcome for hit in errors}))
    with capsys.disabled():  # the figures belong in CI's log, pass or fail
        print(
            f"\nreliability/restart: {len(load.hits)} requests at {RESTART_CONNECTIONS} "
            f"connections; PostgreSQL down {back - stopping:.1f} s (pg_ctl start took "
            f"{back - starting:.1f} s); {len(errors)} errors ({kinds}), {len(early)} before it "
            f"stopped, {len(late)} after it was back; last failed request sent "
            f"{max((h.started for h in errors), default=back) - back:+.2f} s from its return; "
            f"first success {(first_ok or back) - back:.2f} s after it; gunicorn pid "
            f"{same_gunicorn} throughout"
        )
    assert early == [], f"requests failed before PostgreSQL stopped: {early[:5]}"
    assert late == [], f"requests failed after PostgreSQL was back: {late[:5]}"
    assert errors, "no request failed while PostgreSQL was down: was it?"
    assert first_ok is not None, "no request succeeded after PostgreSQL was back"
    # The first success waits its turn behind the requests queued meanwhile: bounded, loosely.
    assert first_ok - back < RECOVERY_SECONDS, f"recovery took {first_ok - back:.2f} s"
    assert len(after) >= RESTART_CONNECTIONS


# --------------------------------------------------------------------------------------------
# 3. Arbitrary Unicode: the article reader and quote locating never crash


# What copy and paste from the web brings: combining marks, right-to-left text and marks,
# zero-width and invisible characters, NUL and other controls, every kind of line end, and
# the typography the locator folds (curly quotes, dashes, the ellipsis).
TRICKY = (
    "e\u0301", "\u0301", "\u0308", "\u05d0", "\u0627\u0644", "\u202e", "\u200f", "\u200e",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\x00", "\x01", "\x1a",
    "\r\n", "\r", "\n", "\n\n", "\t", "\u2028", "\u2029", "\x85", "\u00a0", "\u3000",
    "\u2018", "\u2019", "\u201c", "\u201d", "\u2013", "\u2014", "\u2026", "...", "'", '"',
    "<", "&amp;", "{", "\U0001f600", "\ud7ff", "\uffff",
)  # fmt: skip
# Any code point except lone surrogates (which no UTF-8 text can hold), plus the above.
UNICODE = st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(TRICKY))
TEXT = st.lists(UNICODE, max_size=60).map("".join)
BYTES = st.one_of(
    st.binary(max_size=200),
    TEXT.map(lambda text: text.encode("utf-8")),
    TEXT.map(lambda text: ("\ufeff" + text).encode("utf-8")),
    TEXT.map(lambda text: f"<html><body><h1>{text}</h1><p>{text}</p></body></html>".encode()),
    TEXT.map(lambda text: json.dumps({"headline": text, "body_html": f"<p>{text}</p>"}).encode()),
)
QUICK = hypothesis.settings(max_examples=300, deadline=None, database=None)


def _read_or_refuse(read):
    """What the reader returns, or None when it refused with an ArticleFileError; anything
    else it raises fails the test."""
    try:
        return read()
    except ArticleFileError as refused:
        assert str(refused), "a refusal must say why"
        return None


@QUICK
@hypothesis.given(text=TEXT, name=st.sampled_from(["a.txt", "b.html", "c.json", "d"]))
def test_the_article_reader_reads_or_refuses_any_unicode_text(text, name):
    article = _read_or_refuse(lambda: importing.parse_article(text, name))
    if article is not None:
        assert article.headline.strip() and article.body.strip()
        assert "\r" not in article.body


@QUICK
@hypothesis.given(data=BYTES, name=st.sampled_from(["a.txt", "b.html", "c.json", "d.xml"]))
def test_uploads_and_files_of_any_bytes_are_read_or_refused(data, name):
    upload = _read_or_refuse(lambda: importing.read_upload(io.BytesIO(data), name, len(data)))
    filed = _read_or_refuse(lambda: formats.parse_file(data, name))
    for article in (upload, filed):
        if article is not None:
            assert article.body.strip()


def _fold(text):
    """``text`` as an editor might retype it: the typography the locator folds, plainer."""
    return text.replace("\u2019", "'").replace("\u201c", '"').replace("\u2014", "-")


@QUICK
@hypothesis.given(body=TEXT, data=st.data())
def test_a_located_quote_is_exactly_the_quoted_text(body, data):
    if body and data.draw(st.booleans()):
        start = data.draw(st.integers(0, len(body) - 1))
        end = data.draw(st.integers(start + 1, len(body)))
        quote = body[start:end]
        quote = _fold(quote) if data.draw(st.booleans()) else quote
    else:
        quote = data.draw(TEXT)
    hint = data.draw(st.none() | st.integers(-1, len(body) + 1))
    context = data.draw(st.just("") | TEXT)
    try:
        anchor = anchoring.locate(body, quote, start=hint, context=context)
    except AnchorError as refused:
        assert str(refused).endswith(".")
        return
    assert body[anchor.start : anchor.end] == anchor.quote
    assert anchor.prefix == body[max(0, anchor.start - len(anchor.prefix)) : anchor.start]
    assert body[anchor.end :].startswith(anchor.suffix)
    if quote.strip() in body:  # an exact match wins outright
        assert anchor.quote == quote.strip()
    else:  # else it is the same text under the module's own normalisation
        assert anchoring._normalised_text(anchor.quote) == anchoring._normalised_text(quote)
