"""Jobs through a real worker, and long imports under SIGTERM and SIGKILL.

``manage.py db_worker`` (django-tasks' database backend: the database is the queue) and
``manage.py import_articles`` run as processes of their own against the test database,
so the data they see is committed (transactional tests). Each test waits a bounded time
for each step and kills what it started at the end. The ``worker`` mark selects them.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from stories.models import Article, Job, JobFile, JobStatus, Outlet
from stories.services import jobs
from stories.text.importing import body_sha256

from .desk import client_for, database_rows, desk_user, job_page, job_url
from .factories import article_file
from .processes import children_of, is_running
from .seed_texts import SEED_000, seed_body
from .test_versions import corrected_seed

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parent.parent
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
LONG = 3000  # articles in the long import
SHORTER = 1000  # articles in the import killed and then run again to the end
WAIT = 90  # seconds any one step may take, at most
REFRESH = '<meta http-equiv="refresh"'
SIGNALS = [pytest.param(signal.SIGTERM, id="SIGTERM"), pytest.param(signal.SIGKILL, id="SIGKILL")]


def database_url():
    """The test database, as DATABASE_URL tells the settings of another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = f"{db['HOST']}:{db['PORT'] or 5432}" if db["HOST"] else ""
    return f"postgres://{auth}@{host}/{quote(db['NAME'])}"


@pytest.fixture
def manage(transactional_db, tmp_path):
    """Start ``manage.py ARGS`` on the test database; each one is killed at the end of
    the test (before the test database is emptied) if it is still running."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "JOBS_BACKEND"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings.test",
        DATABASE_URL=database_url(),
        JOBS_BACKEND="database",
        PYTHONUNBUFFERED="1",
    )
    started = []

    def start(*args):
        log = tmp_path / f"{args[0]}-{len(started)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "manage.py", *args],
                cwd=ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        process.log = log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(WAIT)


def start_worker(manage):
    return manage("db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload")


def output(process):
    return process.log.read_text(errors="replace")


def wait_for(condition, what, process):
    """Poll ``condition`` until it holds, failing with the process's output if it ends
    first or WAIT seconds pass."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if process.poll() is not None:
            pytest.fail(
                f"the process ended ({process.returncode}) before {what}:\n{output(process)}"
            )
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {WAIT} s:\n{output(process)[-3000:]}")
        time.sleep(0.05)


def job_now(job):
    return Job.objects.get(pk=job.pk)


def sqlite_write_locked():
    """Whether another connection holds SQLite's one write lock (a write transaction)."""
    probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0.05)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    else:
        probe.rollback()
        return False
    finally:
        probe.close()


def postgres_articles_written_uncommitted():
    """Whether another connection's open transaction has written to the articles table:
    a table lock PostgreSQL holds until that transaction commits or rolls back."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'relation' AND mode = 'RowExclusiveLock' AND granted
              AND relation = 'stories_article'::regclass
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND pid <> pg_backend_pid()
            """
        )
        return cursor.fetchone()[0] > 0


def import_transaction_writing():
    """Whether the worker's import has begun writing in its one transaction, uncommitted."""
    if connection.vendor == "sqlite":
        return sqlite_write_locked()
    return postgres_articles_written_uncommitted()


def wait_until_well_into_the_import(job, worker, total=LONG):
    """Until the worker's job writes articles inside its transaction, and shows it.

    The articles are saved before their people are proposed, so a kill a moment after the
    first is written lands mid-transaction with the slow part still to come.
    """
    wait_for(lambda: job_now(job).status == JobStatus.RUNNING, "the job to start", worker)
    wait_for(import_transaction_writing, "the job's transaction to write articles", worker)
    time.sleep(total / 3000)
    assert import_transaction_writing()
    if connection.vendor != "sqlite":
        # The count is written with the result on SQLite (the job's transaction holds the
        # write lock); PostgreSQL shows it as it goes, through the progress connection,
        # while what the job writes stays invisible.
        assert not Article.objects.filter(outlet__name="Wire").exists()
        running = job_now(job)
        assert running.stage in {"Saving articles", "Proposing people"}, running.stage
        assert running.total == total and running.state == JobStatus.RUNNING


def test_a_worker_runs_a_large_upload_end_to_end(manage, settings, django_user_model):
    settings.TASKS = DATABASE_QUEUE
    desk = client_for(desk_user(django_user_model, "editor"))
    files = [SimpleUploadedFile(*article_file(n)) for n in range(21)]

    response = desk.post(
        reverse("admin:stories_article_import"), {"files": files, "outlet": "Wire"}
    )

    job = Job.objects.get()
    assert response["Location"] == job_url(job)
    queued = job_page(desk, job)
    assert "<strong>Queued</strong>" in queued and "Waiting for a worker" in queued
    assert REFRESH in queued
    assert not Article.objects.exists()

    worker = start_worker(manage)
    wait_for(lambda: job_now(job).is_finished, "the job to finish", worker)

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.worker.endswith(f":{worker.pid}")
    assert Article.objects.filter(outlet__name="Wire").count() == 21
    done = job_page(desk, job)
    assert "Imported 21 article(s); 0 already imported." in done
    assert "Imported (21)" in done and REFRESH not in done
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


FIRST_NAMES = ["Ada", "Bram", "Cleo", "Dev", "Esme", "Finn", "Gia", "Hal"]
LAST_NAMES = ["Quist", "Ebb", "Orr", "Nash", "Lowe", "Stott", "Reyes", "Marr"]


def long_article_file(n):
    """``article_file(n)`` with paragraphs naming eight more people: work enough for the
    name rules (in worker processes, for a batch this size) that a long import is still in
    its transaction a moment after it first writes, on a fast machine too."""
    name, data = article_file(n)
    head, _, byline = data.decode().rpartition("\n\nWritten by")
    people = [f"{FIRST_NAMES[(n + k) % 8]} {LAST_NAMES[(n * 3 + k) % 8]}" for k in range(8)]
    more = "\n\n".join(
        f"{person}, a member of the harbour board, said on Monday that item {n} would "
        f"need another vote. {person.split()[1]} said the board would meet in May."
        for person in people
    )
    return name, f"{head}\n\n{more}\n\nWritten by{byline}".encode()


def long_import(user, count=LONG):
    files = [
        JobFile(name=name, size=len(data), data=data)
        for name, data in (long_article_file(n) for n in range(count))
    ]
    return jobs.enqueue("import", user=user, files=files, outlet="Wire")


@pytest.mark.parametrize("signum", SIGNALS)
def test_a_worker_stopped_during_a_long_import_leaves_the_database_as_it_was(
    signum, manage, settings, django_user_model
):
    settings.TASKS = DATABASE_QUEUE
    editor = desk_user(django_user_model, "editor")
    desk = client_for(editor)
    before = database_rows()
    job = long_import(editor)
    worker = start_worker(manage)
    wait_until_well_into_the_import(job, worker)
    running = job_page(desk, job)
    assert "<strong>Running</strong>" in running and REFRESH in running
    if connection.vendor != "sqlite":
        assert "of 3,000" in running and "<progress" in running

    # The name rules of a batch this size run in worker processes of the job's own.
    helpers = children_of(worker.pid)
    assert helpers

    worker.send_signal(signum)
    returncode = worker.wait(WAIT)

    # Stopped with the job, or (killed with it) gone once they see their parent gone.
    deadline = time.monotonic() + WAIT
    while any(is_running(pid) for pid in helpers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(is_running(pid) for pid in helpers)
    assert database_rows() == before
    assert not Outlet.objects.filter(name="Wire").exists()
    job.refresh_from_db()
    assert job.state == JobStatus.INTERRUPTED and job.can_run_again
    assert job.files.count() == LONG  # kept, to run it again
    page = job_page(desk, job)
    assert "<strong>Interrupted</strong>" in page and 'value="Run again"' in page
    assert REFRESH not in page
    if signum == signal.SIGTERM:
        assert returncode == 0, output(worker)  # the worker shut down as it does
        assert job.status == JobStatus.INTERRUPTED
        assert job.error.startswith("Stopped by SIGTERM (the worker was shut down)")
        assert DBTaskResult.objects.get().status == "FAILED"
    else:
        assert returncode == -signal.SIGKILL
        assert job.status == JobStatus.RUNNING  # nobody could say otherwise; the desk can
        assert "The process running it stopped before it finished" in page


def test_a_killed_job_runs_again_to_the_end(manage, settings, django_user_model):
    settings.TASKS = DATABASE_QUEUE
    editor = desk_user(django_user_model, "editor")
    desk = client_for(editor)
    job = long_import(editor, SHORTER)
    first = start_worker(manage)
    wait_until_well_into_the_import(job, first, SHORTER)
    first.kill()
    first.wait(WAIT)

    response = desk.post(reverse("admin:stories_job_run_again", args=[job.pk]))
    second = start_worker(manage)
    wait_for(lambda: job_now(job).is_finished, "the job run again to finish", second)

    assert response["Location"] == job_url(job)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.SUCCEEDED, 2), job.error
    assert Article.objects.filter(outlet__name="Wire").count() == SHORTER
    assert not job.files.exists()


@pytest.mark.parametrize("signum", SIGNALS)
def test_import_articles_stopped_during_a_long_import_imports_nothing(signum, manage, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    paths = []
    for n in range(LONG):
        name, data = long_article_file(n)
        (folder / name).write_bytes(data)
        paths.append(str(folder / name))
    before = database_rows()
    command = manage("import_articles", *paths, "--outlet", "Wire", "-v", "2")
    wait_for(lambda: "Importing: 300 of 3,000" in output(command), "300 articles imported", command)

    command.send_signal(signum)
    returncode = command.wait(WAIT)

    assert returncode == -signum
    assert "Importing: 3,000 of 3,000" not in output(command)
    assert database_rows() == before
    assert not Outlet.objects.filter(name="Wire").exists()


def test_a_worker_runs_the_answer_to_an_import_s_question(
    manage, settings, django_user_model, demo_data, tmp_path
):
    """A text resembling an article on file fails the worker's job, changing nothing; the
    editor's answer on its page is a new job, which the worker runs to version 2."""
    settings.TASKS = DATABASE_QUEUE
    settings.JOBS_IMPORT_INLINE_MAX_FILES = 1
    seed = Article.objects.get(body_sha256=body_sha256(seed_body(SEED_000)))
    path, corrected = corrected_seed(tmp_path)
    desk = client_for(desk_user(django_user_model, "editor"))
    files = [SimpleUploadedFile(path.name, path.read_bytes()), SimpleUploadedFile(*article_file(1))]
    desk.post(reverse("admin:stories_article_import"), {"files": files, "outlet": "Wire"})
    asked = Job.objects.get()
    before = database_rows()

    worker = start_worker(manage)
    wait_for(lambda: job_now(asked).is_finished, "the job to finish", worker)

    # The worker records its task's end after the job's: on SQLite a desk write racing it
    # would find the one write lock taken from under its read (SQLITE_BUSY, no waiting).
    wait_for(lambda: DBTaskResult.objects.get().status == "SUCCESSFUL", "the task's end", worker)
    asked.refresh_from_db()
    assert asked.status == JobStatus.FAILED and asked.result["choice"]["resembles"] == seed.pk
    assert database_rows() == before
    page = job_page(desk, asked)
    assert f"Import as a new version of article #{seed.pk}" in page

    response = desk.post(
        reverse("admin:stories_job_answer", args=[asked.pk]), {"answer": "new_version"}
    )
    answer = Job.objects.exclude(pk=asked.pk).get()
    assert response["Location"] == job_url(answer)
    wait_for(lambda: job_now(answer).is_finished, "the answer's job to finish", worker)

    answer.refresh_from_db()
    assert answer.status == JobStatus.SUCCEEDED, answer.error
    assert answer.worker.endswith(f":{worker.pid}")
    seed.refresh_from_db()
    assert seed.body == corrected and seed.versions.count() == 2
    assert Article.objects.filter(outlet__name="Wire").count() == 1
