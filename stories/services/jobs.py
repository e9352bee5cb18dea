"""Long work off the request path: jobs the desk can watch, that change all or nothing.

A job is a ``Job`` row plus a task on Django's tasks API (the django-tasks backport, to
become ``django.tasks`` with Django 6). The settings choose where the task runs: at once,
in the process that asks for it (the immediate backend: a checkout, the tests and bin/demo
need no worker), or queued in the database for ``manage.py db_worker``
(``JOBS_BACKEND=database``). The database backend needs no broker, and its task row
commits with the job's row and files in one transaction: a job is queued exactly when
its row exists, whatever happens to the request that asked for it.

How a job runs (``execute``):

* It is claimed — queued to running, naming the process that runs it, with a
  heartbeat — in a write of its own, so the desk sees it start.
* The kind's function runs in one transaction together with the job's result: all its
  writes and "succeeded" commit together, or nothing does. An error, SIGTERM or SIGINT
  (turned into ``JobInterrupted`` while the job can still roll back; the process's own
  handler hears the signal afterwards, so a worker still shuts down) or SIGKILL (the
  database drops the transaction with the connection) leaves the database as it was,
  but for the job's row.
* Progress goes through ``Progress``. In a worker on PostgreSQL it is written on a
  connection of its own (the ``progress`` database alias, the same database), outside
  the job's transaction, so the job page counts while the job runs, and each write is
  a heartbeat. A job that runs within a transaction already (at once, inside the request
  that asked for it) has nobody watching, and its row may not even be committed yet; and
  on SQLite the job's transaction holds the only write lock. In both cases the count is
  written with the result, and ``Job.worker_alive`` asks the process, not the heartbeat.
* A failure is recorded afterwards, in words: ``JobError`` for what is wrong with the
  input (stored files are dropped: running it again cannot help); ``JobAwaitsChoice``
  for input only an editor can settle (the files are kept, and the choice is recorded
  in the result, for ``follow_up`` to run a new job with the editor's answer); anything
  else as unexpected, logged with its traceback, and the job may run again with its files.

Adding a kind is one function::

    @jobs.kind("reanchor", label="Re-anchor passages", permission="stories.change_evidence")
    def reanchor(job, progress, article_ids=()):
        progress.stage("Re-anchoring", len(article_ids))
        ...
        moved = jobs.Link("Moved", "stories.evidence", pks)
        return jobs.Outcome(f"Re-anchored {len(pks)} passages.", [moved])

and ``jobs.enqueue("reanchor", user=request.user, article_ids=[...])`` where it is asked for.
A kind's function must not save the job's row: it reports through ``progress``.
"""

import contextlib
import io
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.admin.models import ADDITION, LogEntry
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from ..models import Article, Job, JobFile, JobStatus
from ..text import batches, importing
from . import articles, suggestions

logger = logging.getLogger(__name__)

PROGRESS_DATABASE = "progress"
# Seconds between two progress writes; the count in between is only kept in memory.
PROGRESS_INTERVAL = 1.0
PROCESS_GONE = (
    "The process running it stopped before it finished (killed, or its machine went down); "
    "nothing it did was kept."
)
STOPPED_BY_SIGNAL = (
    "Stopped by {signal} (the worker was shut down) before it finished; nothing it did was kept."
)


class JobError(Exception):
    """What is wrong with a job's input, in words for the desk; running it again cannot help."""


class JobAwaitsChoice(JobError):
    """The input asks a question the job may not answer itself (is this text a new
    version of that article?). The job fails, changing nothing; its files are kept and
    ``choice`` (JSON: what there is to choose between) is recorded in its result."""

    def __init__(self, message, choice):
        super().__init__(message)
        self.choice = choice


class JobInterrupted(BaseException):
    """A signal asked the process to stop while a job ran.

    A BaseException, as KeyboardInterrupt is, so that no ``except Exception`` in the job's
    code can swallow it and carry on writing.
    """

    def __init__(self, signum):
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


class JobSuperseded(Exception):
    """The job was queued again while this run still went on (its heartbeat looked dead):
    this run's writes are rolled back, and the row belongs to the newer run."""


@dataclass(frozen=True)
class Link:
    """Objects a result points to: the job page lists them with links to the admin."""

    heading: str
    model: str  # "app_label.model_name"
    ids: list


@dataclass
class Outcome:
    """What a kind's function returns: the result in words, and what it links to."""

    summary: str
    links: list = field(default_factory=list)

    def as_result(self):
        return {
            "links": [
                {"heading": link.heading, "model": link.model, "ids": list(link.ids)}
                for link in self.links
            ]
        }


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    permission: str  # what a user needs to ask for it, and to run it again
    run: Callable


KINDS = {}


def kind(name, *, label, permission):
    """Register ``run(job, progress, **arguments) -> Outcome`` as the job kind ``name``."""

    def register(run):
        if name in KINDS:
            raise ValueError(f"There is a job kind named {name!r} already.")
        KINDS[name] = Kind(name=name, label=label, permission=permission, run=run)
        return run

    return register


def kind_label(job):
    """What the job does, in the desk's words."""
    known = KINDS.get(job.kind)
    return known.label if known else job.kind


def stored_upload(upload):
    """An unsaved JobFile for a Django upload, for ``enqueue(files=...)``. No more of it
    is kept than the importer would read, so a huge file costs no storage to refuse."""
    return JobFile(
        name=upload.name, size=upload.size, data=upload.read(importing.MAX_FILE_BYTES + 1)
    )


def enqueue(kind_name, *, user=None, files=(), **arguments):
    """Queue a job of ``kind_name`` asked for by ``user`` and return its row (as it is
    once queued, or once done where jobs run at once). ``files`` are unsaved JobFiles
    (``stored_upload``); ``arguments`` go to the kind's function and must be JSON."""
    if kind_name not in KINDS:
        raise ValueError(f"No job kind named {kind_name!r}; there are {', '.join(sorted(KINDS))}.")
    files = list(files)
    with transaction.atomic():
        job = Job.objects.create(kind=kind_name, requested_by=user, arguments=arguments)
        for stored in files:
            stored.job = job
        JobFile.objects.bulk_create(files)
        run_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


def awaiting_choice(job):
    """The choice a failed job waits for (``JobAwaitsChoice``), or None: none was asked,
    or an editor has answered it already (``follow_up``)."""
    if job.state != JobStatus.FAILED or "followed_by" in job.result:
        return None
    return job.result.get("choice")


def follow_up(job, *, user=None, **arguments):
    """Queue a new job of ``job``'s kind with ``job``'s stored files, which move to it, and
    its arguments updated by ``arguments``: the editor's answer to the choice it awaits.
    Answered once: ``job`` then names the new job (``result["followed_by"]``)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if awaiting_choice(job) is None:
            raise JobError(f"{job} waits for no choice (any more).")
        if not job.files.exists():
            raise JobError(f"{job}'s files are no longer stored: upload them again.")
        new = Job.objects.create(
            kind=job.kind, requested_by=user, arguments={**job.arguments, **arguments}
        )
        JobFile.objects.filter(job=job).update(job=new)
        Job.objects.filter(pk=job.pk).update(result={**job.result, "followed_by": new.pk})
        run_job.enqueue(new.pk)
    new.refresh_from_db()
    return new


def run_again(job):
    """Queue an interrupted job, or one that failed for a reason other than its input,
    once more; its stored files are still there."""
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job.pk)
        if not job.can_run_again:
            raise JobError(f"{job} cannot run again: it {job.state.label.lower()}.")
        Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, **_fresh())
        run_job.enqueue(job.pk)
    job.refresh_from_db()
    return job


@task()
def run_job(job_id):
    """The task every job runs through: what a worker calls."""
    execute(job_id)


def execute(job_id):
    """Run the queued job ``job_id`` (see the module's docstring). An interruption or an
    unexpected error is raised again once recorded, so the task backend's own record
    says failed too (and logs the traceback); a JobError is only the job's business."""
    settle_interrupted()
    job = _claim(job_id)
    if job is None:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    live = not connection.in_atomic_block and connection.vendor != "sqlite"
    progress = Progress(job, live=live)
    with _signals_interrupt_job() as guard:
        try:
            known = KINDS.get(job.kind)
            if known is None:
                raise JobError(f"This site has no job kind “{job.kind}”.")
            with transaction.atomic():
                outcome = known.run(job, progress, **job.arguments)
                guard.disarm()  # from here a signal waits for the commit
                _succeed(job, progress, outcome)
        except JobSuperseded:
            logger.warning("%s was queued again while it ran; this run changed nothing.", job)
        except JobInterrupted as exc:
            _fail(job, progress, STOPPED_BY_SIGNAL.format(signal=exc), interrupted=True)
            raise
        except JobAwaitsChoice as exc:
            _fail(job, progress, str(exc), retryable=False, result={"choice": exc.choice})
        except JobError as exc:
            _fail(job, progress, str(exc), retryable=False)
        except Exception as exc:
            _fail(
                job,
                progress,
                f"It failed unexpectedly ({type(exc).__name__}: {exc}); nothing it did was "
                "kept. Run it again, or tell whoever runs the site if it fails again.",
            )
            raise


def settle_interrupted():
    """Mark the running jobs whose process is gone as interrupted, so their rows say what
    the desk already shows (``Job.state``)."""
    for job in Job.objects.filter(status=JobStatus.RUNNING):
        if not job.worker_alive():
            Job.objects.filter(pk=job.pk, attempts=job.attempts).update(
                status=JobStatus.INTERRUPTED,
                retryable=True,
                finished_at=timezone.now(),
                error=PROCESS_GONE,
            )


class Progress:
    """How far a job has got: ``progress.stage(label, total)``, then ``progress(done)``.

    Written at most every PROGRESS_INTERVAL seconds, and only where someone can see it
    before the job ends (``live``, see the module's docstring); the count is written
    with the result either way.
    """

    def __init__(self, job, *, live):
        self.job, self.live = job, live
        self.label, self.done, self.total = "", 0, 0
        self._written_at = 0.0

    def stage(self, label, total):
        self.label, self.done, self.total = label, 0, total
        self._write()

    def __call__(self, done, total=None):
        if total is not None:
            self.total = total
        self.done = done
        if time.monotonic() - self._written_at >= PROGRESS_INTERVAL:
            self._write()

    def fields(self):
        return {"stage": self.label[:100], "done": min(self.done, self.total), "total": self.total}

    def _write(self):
        self._written_at = time.monotonic()
        if not self.live:
            return
        rows = Job.objects.using(PROGRESS_DATABASE).filter(
            pk=self.job.pk, attempts=self.job.attempts
        )
        try:
            rows.update(heartbeat_at=timezone.now(), **self.fields())
        except DatabaseError:
            # Progress is for watching; the job goes on without it.
            logger.warning("%s: its progress could not be written", self.job, exc_info=True)


def _fresh():
    """A job's fields as before it ever ran: how a run again starts over."""
    return {
        "started_at": None,
        "finished_at": None,
        "stage": "",
        "done": 0,
        "total": 0,
        "summary": "",
        "result": {},
        "error": "",
        "retryable": False,
    }


def _claim(job_id):
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        **{**_fresh(), "started_at": now},
        status=JobStatus.RUNNING,
        worker=Job.this_process(),
        attempts=F("attempts") + 1,
        heartbeat_at=now,
    )
    if not claimed:
        logger.info("Job #%s is not queued (any more): nothing to run.", job_id)
        return None
    return Job.objects.select_related("requested_by").get(pk=job_id)


def _succeed(job, progress, outcome):
    """Inside the job's transaction: "succeeded" commits with the job's writes."""
    now = timezone.now()
    updated = Job.objects.filter(pk=job.pk, attempts=job.attempts).update(
        status=JobStatus.SUCCEEDED,
        summary=outcome.summary,
        result=outcome.as_result(),
        finished_at=now,
        heartbeat_at=now,
        **{**progress.fields(), "stage": "", "done": progress.total},
    )
    if not updated:
        raise JobSuperseded(job)
    JobFile.objects.filter(job=job).delete()


def _fail(job, progress, error, *, retryable=True, interrupted=False, result=None):
    """After the job's transaction rolled back: say why, and keep the files only if
    running it again may help, or a choice (in ``result``) may run them anew."""
    status = JobStatus.INTERRUPTED if interrupted else JobStatus.FAILED
    try:
        with transaction.atomic():
            Job.objects.filter(pk=job.pk, attempts=job.attempts).update(
                status=status,
                error=error,
                retryable=retryable,
                finished_at=timezone.now(),
                **({"result": result} if result else {}),
                **progress.fields(),
            )
            if not retryable and not result:
                JobFile.objects.filter(job=job).delete()
    except DatabaseError:
        # The row still says running; once this process is gone the desk shows it interrupted.
        logger.exception("%s: could not record that it %s", job, status.label.lower())


class _SignalGuard:
    """While armed, SIGTERM or SIGINT raises JobInterrupted in the job; afterwards the
    handler the process had gets the signal, so a worker shuts down as it would have."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self, armed=True):
        self.armed, self.received = armed, None

    def handle(self, signum, frame):
        if self.received is None:
            self.received = signum
        if self.armed:
            self.armed = False
            raise JobInterrupted(signum)

    def disarm(self):
        self.armed = False


@contextlib.contextmanager
def _signals_interrupt_job():
    if threading.current_thread() is not threading.main_thread():
        # Only the main thread hears signals: a job run by a request thread ends with its
        # process, and the database drops its transaction then.
        yield _SignalGuard(armed=False)
        return
    guard = _SignalGuard()
    previous = {signum: signal.signal(signum, guard.handle) for signum in guard.SIGNALS}
    try:
        yield guard
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if guard.received is not None:
            handler = previous[guard.received]
            if callable(handler):
                handler(guard.received, None)
            elif handler != signal.SIG_IGN:
                signal.raise_signal(guard.received)  # the default: the process ends


# --------------------------------------------------------------------------------------------
# The kinds


# What the job's page shows for each step of ``articles.add_articles``.
IMPORT_STAGES = {
    "checking": "Checking articles against those on file",
    "saving": "Saving articles",
    "suggesting": "Proposing people",
}

# What an editor may answer when an import job asks whether a text is a new version.
NEW_VERSION, AS_NEW = "new_version", "as_new"


@kind("import", label="Import articles", permission="stories.add_article")
def import_files(job, progress, outlet="", revises=None, as_new=False, versions_of=None):
    """Read every stored file by the importer's rules, then import them all, or none.

    ``revises`` (an article's id), ``as_new`` and ``versions_of`` (a text's SHA-256 → an
    article's id) are ``articles.add_articles``'s: the upload form's choice, and the
    editor's answers to a text that resembled an article on file (``answer_import``).
    """
    revises = _article_named(revises, "the article to make a new version of")
    versions_of = {
        sha256: _article_named(pk, "the article chosen for a text resembling it")
        for sha256, pk in (versions_of or {}).items()
    }
    progress.stage("Checking files", job.files.count())
    uploads = [
        (io.BytesIO(stored.data), stored.name, stored.size)
        for stored in job.files.iterator(chunk_size=200)
    ]
    batch = batches.read_uploads(uploads, progress=lambda done, total: progress(done))
    if batch.refused:
        raise JobError(
            "\n".join(
                [
                    f"Nothing was imported: {len(batch.refused):,} of {progress.total:,} files "
                    "could not be read.",
                    *(str(error) for error in batch.refused),
                ]
            )
        )
    progress.stage(IMPORT_STAGES["checking"], len(batch.articles))

    def importing_progress(stage, done, total):
        # Each step its own stage, so the count on the job's page never reads "1,000 of
        # 1,000" while the people are still being proposed and nothing is committed.
        if progress.label != IMPORT_STAGES[stage]:
            progress.stage(IMPORT_STAGES[stage], total)
        progress(done)

    try:
        summary = articles.import_batch(
            batch,
            outlet,
            user=job.requested_by,
            progress=importing_progress,
            revises=revises,
            as_new=as_new,
            versions_of=versions_of,
        )
    except articles.ResemblesArticle as exc:
        choice = {"resembles": exc.article_id, "text": exc.sha256, "headline": exc.headline}
        raise JobAwaitsChoice(f"{exc.message} Nothing was imported.", choice) from exc
    except ValidationError as exc:
        raise JobError(f"{'; '.join(exc.messages)} — nothing was imported.") from exc
    imported = summary.imported
    unchanged, revised = (
        [row.article for row in summary.rows if row.outcome == outcome]
        for outcome in (articles.Outcome.UNCHANGED, articles.Outcome.NEW_VERSION)
    )
    result = articles.ImportResult(created=imported, existing=unchanged, revised=revised)
    if job.requested_by is not None and result.created:
        LogEntry.objects.log_actions(
            user_id=job.requested_by.pk,
            queryset=result.created,
            action_flag=ADDITION,
            change_message=[{"added": {}}],
        )
    return Outcome(
        result.summary(),
        [
            Link("Imported", "stories.article", [article.pk for article in result.created]),
            Link("New versions", "stories.article", [article.pk for article in result.revised]),
            Link(
                "Imported before, unchanged",
                "stories.article",
                [article.pk for article in result.existing],
            ),
        ],
    )


def answer_import(job, answer, *, user=None):
    """Queue the import ``job`` once more with the editor's answer to the text it found
    resembling an article: ``NEW_VERSION`` of that article, or ``AS_NEW`` articles."""
    choice = awaiting_choice(job)
    if job.kind != "import" or choice is None:
        raise JobError(f"{job} waits for no choice (any more).")
    if answer == NEW_VERSION:
        versions_of = {**job.arguments.get("versions_of", {}), choice["text"]: choice["resembles"]}
        return follow_up(job, user=user, versions_of=versions_of)
    if answer == AS_NEW:
        return follow_up(job, user=user, as_new=True)
    raise JobError(f"“{answer}” is no answer: choose {NEW_VERSION} or {AS_NEW}.")


def _article_named(pk, what):
    if pk is None:
        return None
    found = Article.objects.filter(pk=pk).first()
    if found is None:
        raise JobError(
            f"Article #{pk}, {what}, has been deleted since the import was asked for; "
            "nothing was imported."
        )
    return found


@kind("suggest_people", label="Suggest people", permission="stories.change_article")
def suggest_people_in(job, progress, article_ids=()):
    """Propose the people each article names, as the article list's action does."""
    chosen = list(Article.objects.filter(pk__in=article_ids).order_by("pk").only("pk"))
    progress.stage(IMPORT_STAGES["suggesting"], len(chosen))
    pending = 0
    for done, article in enumerate(chosen, start=1):
        pending += len(suggestions.suggest_people(article, job.requested_by))
        progress(done)
    gone = len(set(article_ids)) - len(chosen)
    return Outcome(
        f"{pending:,} suggested people to confirm across {len(chosen):,} article(s); accept "
        "or reject them in each article’s reading view."
        + (f" {gone:,} article(s) had been deleted since." if gone else ""),
        [Link("Articles", "stories.article", [article.pk for article in chosen])],
    )


@kind("find_derivatives", label="Find derived articles", permission="stories.view_derivation")
def find_derivatives_in(job, progress, article_ids=()):
    """Propose the derived articles among the chosen ones (all when none is chosen), and
    likely-same origins, for editors to decide: the detector reads every text, so over a
    corpus it is long work."""
    from . import proposals  # the detectors are only imported where they run

    chosen = Article.objects.order_by("pk")
    if article_ids:
        chosen = chosen.filter(pk__in=article_ids)
    progress.stage("Comparing texts", 1)
    found = proposals.propose_derivations(list(chosen))
    matches = proposals.propose_same_origins()
    progress(1)
    return Outcome(
        f"{len(found):,} derived-article proposal(s), {len(matches):,} likely-same origin(s) "
        "to decide.",
        [
            Link("Derivations", "stories.derivation", [d.pk for d in found]),
            Link("Origin matches", "stories.originmatch", [m.pk for m in matches]),
        ],
    )
