"""Long work as jobs, run at once in the process (the default): the admin's large
imports and Suggest people over many articles, the job page, failures that change
nothing, a signal during a job, running a job again, and adding a kind."""

import signal
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from stories.models import (
    Article,
    Job,
    JobFile,
    JobStatus,
    Outlet,
    PersonSuggestion,
    SuggestionStatus,
)
from stories.services import jobs

from .desk import client_for, database_rows, desk_user, job_page, job_url
from .factories import article_file, make_article

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:stories_article_import")
REFRESH = '<meta http-equiv="refresh"'


def uploads(count, start=1):
    return [
        SimpleUploadedFile(*article_file(n), content_type="text/plain")
        for n in range(start, start + count)
    ]


@pytest.fixture
def editor(django_user_model):
    return desk_user(django_user_model, "editor")


@pytest.fixture
def editor_desk(editor):
    return client_for(editor)


@pytest.fixture
def test_kind():
    """Register job kinds for one test, through the same decorator the real kinds use."""
    names = []

    def register(name, run, permission="stories.add_article"):
        jobs.kind(name, label=f"Test {name}", permission=permission)(run)
        names.append(name)

    yield register
    for name in names:
        del jobs.KINDS[name]


# --------------------------------------------------------------------------------------------
# The admin's import


def test_a_large_upload_is_imported_by_a_job_whose_page_shows_the_result(editor_desk, editor):
    response = editor_desk.post(IMPORT_URL, {"files": uploads(21), "outlet": "Wire"})

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url(job)
    assert (job.kind, job.status, job.requested_by) == ("import", JobStatus.SUCCEEDED, editor)
    assert (job.done, job.total, job.attempts) == (21, 21, 1)
    assert job.started_at <= job.finished_at
    assert Article.objects.filter(outlet__name="Wire").count() == 21
    assert LogEntry.objects.filter(user=editor, action_flag=ADDITION).count() == 21
    assert not JobFile.objects.exists()  # the upload is not kept once imported
    html = job_page(editor_desk, job)
    assert "<strong>Succeeded</strong>" in html
    assert "Imported 21 article(s); 0 already imported." in html
    assert "21 suggested people to confirm in the reading views." in html
    assert "Imported (21)" in html
    first = Article.objects.get(source_name="article-0001.txt")
    change = reverse("admin:stories_article_change", args=[first.pk])
    assert f'<a href="{change}">Council vote number 1</a>' in html
    assert REFRESH not in html


def test_a_job_lists_the_articles_imported_before_as_unchanged(editor_desk):
    editor_desk.post(IMPORT_URL, {"files": uploads(2), "outlet": ""})

    editor_desk.post(IMPORT_URL, {"files": uploads(21), "outlet": ""})

    job = Job.objects.get()
    assert job.summary.startswith("Imported 19 article(s); 2 already imported.")
    html = job_page(editor_desk, job)
    assert "Imported (19)" in html
    assert "Imported before, unchanged (2)" in html
    assert Article.objects.count() == 21


def test_an_upload_over_the_size_limit_is_a_job_too(editor_desk, settings):
    settings.JOBS_IMPORT_INLINE_MAX_BYTES = 300

    response = editor_desk.post(IMPORT_URL, {"files": uploads(2), "outlet": ""})

    assert response["Location"] == job_url(Job.objects.get())
    assert Article.objects.count() == 2


def test_a_small_upload_is_still_imported_within_the_request(editor_desk):
    response = editor_desk.post(IMPORT_URL, {"files": uploads(20), "outlet": ""})

    assert response.status_code == 200  # the page shows what became of each file
    assert len(response.context["summary"].imported) == 20
    assert Article.objects.count() == 20
    assert not Job.objects.exists()


def test_a_job_with_unreadable_files_names_each_and_changes_nothing(editor_desk):
    before = database_rows()
    bad = [
        SimpleUploadedFile("caf\u00e9.txt", "Caf\u00e9\n\nThe caf\u00e9.\n".encode("latin-1")),
        SimpleUploadedFile("Q&A <draft>.txt", b"Head\x00line\n\nBody.\n"),
    ]

    response = editor_desk.post(IMPORT_URL, {"files": [*uploads(21), *bad], "outlet": "Wire"})

    job = Job.objects.get()
    assert response["Location"] == job_url(job)
    assert job.status == JobStatus.FAILED and not job.retryable
    lines = job.error.splitlines()
    assert lines[0] == "Nothing was imported: 2 of 23 files could not be read."
    assert lines[1].startswith("caf\u00e9.txt: is not valid UTF-8")
    assert lines[2] == (
        "Q&A <draft>.txt: contains binary data (NUL byte at offset 4); expected a UTF-8 text file"
    )
    assert database_rows() == before
    assert not Outlet.objects.exists()
    assert not JobFile.objects.exists()  # running it again could not help
    html = job_page(editor_desk, job)
    assert "<strong>Failed</strong>" in html
    assert "Q&amp;A &lt;draft&gt;.txt: contains binary data" in html
    assert "<draft>" not in html
    assert "Run again" not in html and "It had got to" not in html
    assert REFRESH not in html


def test_the_job_page_counts_while_a_job_runs_and_refreshes_itself(editor_desk):
    job = Job.objects.create(
        kind="import",
        status=JobStatus.RUNNING,
        worker=Job.this_process(),
        stage="Importing articles",
        done=1200,
        total=3000,
    )

    html = job_page(editor_desk, job)

    assert "<strong>Running</strong> — Importing articles" in html
    assert '<progress value="1200" max="3000">' in html
    assert "1,200 of 3,000" in html
    assert f'{REFRESH} content="2">' in html


def test_a_queued_job_waits_for_a_worker(editor_desk):
    html = job_page(editor_desk, Job.objects.create(kind="import"))

    assert "<strong>Queued</strong>" in html
    assert "Waiting for a worker" in html
    assert REFRESH in html


def dead_process():
    """host:pid of a process that has ended."""
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    assert finished.wait() == 0
    return f"{socket.gethostname()}:{finished.pid}"


def test_a_running_job_whose_process_is_gone_is_shown_interrupted(editor_desk):
    job = Job.objects.create(
        kind="import", status=JobStatus.RUNNING, worker=dead_process(), done=5, total=9
    )
    JobFile.objects.create(job=job, name="a.txt", size=3, data=b"abc")

    html = job_page(editor_desk, job)

    assert job.state == JobStatus.INTERRUPTED
    assert "<strong>Interrupted</strong>" in html
    assert "The process running it stopped before it finished" in html
    assert "It had got to 5 of 9" in html
    assert 'value="Run again"' in html
    assert REFRESH not in html
    changelist = editor_desk.get(reverse("admin:stories_job_changelist")).content.decode()
    assert "Interrupted" in changelist and "5 of 9" in changelist


def test_a_job_elsewhere_is_alive_while_its_heartbeat_is_recent(settings):
    settings.JOBS_HEARTBEAT_TIMEOUT = 60
    now = timezone.now()
    elsewhere = {"kind": "import", "status": JobStatus.RUNNING, "worker": "elsewhere.invalid:42"}

    recent = Job.objects.create(**elsewhere, heartbeat_at=now - timedelta(seconds=30))
    stale = Job.objects.create(**elsewhere, heartbeat_at=now - timedelta(seconds=90))

    assert recent.state == JobStatus.RUNNING
    assert stale.state == JobStatus.INTERRUPTED
    jobs.settle_interrupted()
    assert Job.objects.get(pk=recent.pk).status == JobStatus.RUNNING
    assert Job.objects.get(pk=stale.pk).status == JobStatus.INTERRUPTED


# --------------------------------------------------------------------------------------------
# Failing, signals, running again


def test_an_unexpected_failure_keeps_nothing_and_the_job_can_run_again(editor_desk, test_kind):
    def flaky(job, progress):
        progress.stage("Writing", 1)
        make_article(body=f"Written on attempt {job.attempts}.", outlet="")
        if job.attempts == 1:
            raise RuntimeError("the disk is on fire")
        progress(1)
        return jobs.Outcome("Wrote one.")

    test_kind("flaky", flaky)
    before = database_rows()

    job = jobs.enqueue("flaky", files=[JobFile(name="kept.txt", size=1, data=b"x")])

    assert (job.status, job.retryable) == (JobStatus.FAILED, True)
    assert "failed unexpectedly (RuntimeError: the disk is on fire)" in job.error
    assert database_rows() == before
    assert job.files.count() == 1  # kept for the next attempt
    html = job_page(editor_desk, job)
    assert "the disk is on fire" in html and 'value="Run again"' in html

    response = editor_desk.post(reverse("admin:stories_job_run_again", args=[job.pk]))

    job.refresh_from_db()
    assert response["Location"] == job_url(job)
    assert (job.status, job.attempts, job.error, job.summary) == (
        JobStatus.SUCCEEDED,
        2,
        "",
        "Wrote one.",
    )
    assert list(Article.objects.values_list("body", flat=True)) == ["Written on attempt 2."]
    assert not job.files.exists()


def test_a_job_that_succeeded_cannot_run_again(editor_desk, test_kind):
    test_kind("quick", lambda job, progress: jobs.Outcome("Done."))
    job = jobs.enqueue("quick")

    response = editor_desk.post(reverse("admin:stories_job_run_again", args=[job.pk]))

    assert response.status_code == 403
    with pytest.raises(jobs.JobError, match="cannot run again: it succeeded"):
        jobs.run_again(job)


def test_sigterm_during_a_job_rolls_it_back_then_reaches_the_process_handler(test_kind):
    heard = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: heard.append(signum))

    def stopped(job, progress):
        make_article(body="Written before the signal.", outlet="")
        signal.raise_signal(signal.SIGTERM)
        make_article(body="Never written.", outlet="")  # pragma: no cover - not reached
        return jobs.Outcome("Not reached.")

    test_kind("stopped", stopped)
    try:
        job = jobs.enqueue("stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)

    assert job.status == JobStatus.INTERRUPTED and job.can_run_again
    assert job.error.startswith("Stopped by SIGTERM (the worker was shut down)")
    assert not Article.objects.exists()
    assert heard == [signal.SIGTERM]  # the worker's own handler still hears it, once
    assert signal.getsignal(signal.SIGTERM) is previous


def test_enqueue_refuses_a_kind_it_does_not_know():
    with pytest.raises(ValueError, match="No job kind named 'reanchor'"):
        jobs.enqueue("reanchor")
    assert not Job.objects.exists()


def test_a_kind_name_is_registered_once(test_kind):
    with pytest.raises(ValueError, match="job kind named 'import' already"):
        test_kind("import", lambda job, progress: None)


# --------------------------------------------------------------------------------------------
# Suggest people over many articles


def test_suggest_people_over_many_articles_runs_as_a_job(editor_desk, editor):
    chosen = [
        make_article(body=f"Maria Lopez spoke at meeting {n}.", headline=f"Meeting {n}")
        for n in range(21)
    ]

    response = editor_desk.post(
        reverse("admin:stories_article_changelist"),
        {"action": "suggest_people", "_selected_action": [a.pk for a in chosen]},
    )

    job = Job.objects.get()
    assert response["Location"] == job_url(job)
    assert (job.kind, job.status, job.done, job.total) == (
        "suggest_people",
        JobStatus.SUCCEEDED,
        21,
        21,
    )
    pending = PersonSuggestion.objects.filter(status=SuggestionStatus.PENDING, name="Maria Lopez")
    assert pending.count() == 21
    html = job_page(editor_desk, job)
    assert "21 suggested people to confirm across 21 article(s)" in html
    assert "Articles (21)" in html


def test_suggest_people_over_a_few_articles_stays_within_the_request(editor_desk):
    chosen = [make_article(body=f"Maria Lopez at {n}.", headline=f"M {n}") for n in range(3)]

    response = editor_desk.post(
        reverse("admin:stories_article_changelist"),
        {"action": "suggest_people", "_selected_action": [a.pk for a in chosen]},
    )

    assert response.status_code == 302
    assert not Job.objects.exists()
    assert PersonSuggestion.objects.count() == 3


# --------------------------------------------------------------------------------------------
# Who sees what


def test_a_reporter_follows_the_job_of_an_import_and_may_run_it_again(django_user_model):
    reporter = client_for(desk_user(django_user_model, "reporter"))
    job = Job.objects.create(kind="import", status=JobStatus.INTERRUPTED, retryable=True)

    html = job_page(reporter, job)

    assert "<strong>Interrupted</strong>" in html and 'value="Run again"' in html


def test_the_job_page_needs_the_view_permission_and_run_again_the_kinds():
    job = Job.objects.create(kind="import", status=JobStatus.INTERRUPTED, retryable=True)
    stranger = User.objects.create_user("stranger", password="irrelevant-pw", is_staff=True)
    watcher = User.objects.create_user("watcher", password="irrelevant-pw", is_staff=True)
    watcher.user_permissions.set(Permission.objects.filter(codename="view_job"))

    assert client_for(stranger).get(job_url(job)).status_code == 403
    watching = client_for(watcher)
    assert 'value="Run again"' not in job_page(watching, job)
    again = reverse("admin:stories_job_run_again", args=[job.pk])
    assert watching.post(again).status_code == 403
    assert Job.objects.get(pk=job.pk).status == JobStatus.INTERRUPTED
