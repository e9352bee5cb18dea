"""A large upload's import job asks what the small upload's form asks (#9): a text without a
URL that resembles an article on file fails the job, changing nothing, and its page offers
the two answers — a new version of that article, or new articles — each a new job with the
same files; the form's own answer, given up front, goes to the job.

Jobs run at once in the test process (the default backend), as in test_jobs.py; the last
test runs them through a real ``db_worker``.
"""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils.html import escape

from stories.models import AnchorState, Article, ArticleVersion, Job, JobFile, JobStatus
from stories.services import jobs
from stories.text.importing import body_sha256

from .desk import client_for, database_rows, desk_user, job_page, job_url
from .factories import article_file
from .seed_texts import SEED_000, seed_body
from .test_versions import corrected_seed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_data")]

IMPORT_URL = reverse("admin:stories_article_import")
# Three files make a job: the corrected seed and two articles new to the desk.
LARGE = override_settings(JOBS_IMPORT_INLINE_MAX_FILES=2)
NEW_VERSION_BUTTON = 'name="answer" value="new_version"'
AS_NEW_BUTTON = 'name="answer" value="as_new"'


@pytest.fixture
def editor_desk(django_user_model):
    return client_for(desk_user(django_user_model, "editor"))


@pytest.fixture
def corrected(tmp_path):
    """(file name, bytes, body) of seed 000 corrected, with no URL to tell it by."""
    path, body = corrected_seed(tmp_path)
    return path.name, path.read_bytes(), body


def batch(corrected):
    others = [SimpleUploadedFile(*article_file(n)) for n in (1, 2)]
    return [SimpleUploadedFile(corrected[0], corrected[1]), *others]


def answer_url(job):
    return reverse("admin:stories_job_answer", args=[job.pk])


@pytest.fixture
def refused(editor_desk, corrected):
    """The job of a large upload whose corrected seed resembles its article on file."""
    with LARGE:
        response = editor_desk.post(IMPORT_URL, {"files": batch(corrected), "outlet": "Wire"})
    job = Job.objects.get()
    assert response["Location"] == job_url(job)
    return job


def test_a_resembling_text_fails_the_job_with_the_refusal_and_both_answers(
    refused, editor_desk, seed_article, corrected
):
    assert (refused.status, refused.retryable, refused.can_run_again) == (
        JobStatus.FAILED,
        False,
        False,
    )
    assert f"resembles article #{seed_article.pk}" in refused.error
    # What it resembles is recorded as such, not left in the message to be parsed.
    assert refused.result["choice"] == {
        "resembles": seed_article.pk,
        "text": body_sha256(corrected[2]),
        "headline": seed_article.headline,
    }
    assert refused.files.count() == 3  # kept for the answer

    html = job_page(editor_desk, refused)
    assert "<strong>Failed</strong>" in html
    # In the desk's words, as the upload form words it.
    assert f"import it with “New version of article” {seed_article.pk}" in html
    assert "or with “Import as new articles” to import it" in html
    assert "--revises" not in html and "--as-new" not in html
    assert (
        f"Import as a new version of article #{seed_article.pk} "
        f"“{escape(seed_article.headline)}”</button>"
    ) in html
    assert "Import as new articles</button>" in html
    assert f'<form method="post" action="{answer_url(refused)}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'value="Run again"' not in html


def test_the_refused_job_leaves_the_database_as_it_was(editor_desk, corrected):
    before = database_rows()
    versions = ArticleVersion.objects.count()

    with LARGE:
        # The corrected seed last: the two new articles are saved before it is refused.
        files = [*batch(corrected)[1:], batch(corrected)[0]]
        editor_desk.post(IMPORT_URL, {"files": files, "outlet": "Wire"})

    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and "choice" in job.result
    assert database_rows() == before
    assert ArticleVersion.objects.count() == versions
    assert not Article.objects.filter(outlet__name="Wire").exists()


def test_new_version_makes_version_2_of_that_article_and_imports_the_rest(
    refused, editor_desk, seed_article, corrected
):
    cited = set(seed_article.evidence.values_list("pk", flat=True))

    response = editor_desk.post(answer_url(refused), {"answer": "new_version"})

    new = Job.objects.exclude(pk=refused.pk).get()
    assert response["Location"] == job_url(new)
    assert (new.kind, new.status) == ("import", JobStatus.SUCCEEDED), new.error
    assert new.requested_by.username == "editor"
    assert new.arguments == {
        "outlet": "Wire",
        "revises": None,
        "as_new": False,
        "versions_of": {refused.result["choice"]["text"]: seed_article.pk},
    }
    seed_article.refresh_from_db()
    assert seed_article.body == corrected[2]
    assert list(seed_article.versions.values_list("number", flat=True).order_by("number")) == [
        1,
        2,
    ]
    assert set(seed_article.evidence.values_list("pk", flat=True)) == cited  # re-anchored
    assert seed_article.evidence.filter(anchor_state=AnchorState.ORPHANED).count() == 1
    assert Article.objects.filter(outlet__name="Wire").count() == 2
    assert Article.objects.count() == 5  # the three seeds and two new ones, no copy of seed 000
    assert not JobFile.objects.exists()
    assert "1 new version(s) of articles." in job_page(editor_desk, new)

    # Answered once: the refused job names its follower and offers no button any more.
    html = job_page(editor_desk, refused)
    assert NEW_VERSION_BUTTON not in html and AS_NEW_BUTTON not in html
    assert f'<a href="{job_url(new)}">Job #{new.pk}</a>' in html
    again = editor_desk.post(answer_url(refused), {"answer": "as_new"}, follow=True)
    assert "waits for no choice" in again.content.decode()
    assert Job.objects.count() == 2


def test_as_new_imports_the_text_as_a_new_article(refused, editor_desk, seed_article, corrected):
    response = editor_desk.post(answer_url(refused), {"answer": "as_new"})

    new = Job.objects.exclude(pk=refused.pk).get()
    assert response["Location"] == job_url(new)
    assert new.status == JobStatus.SUCCEEDED, new.error
    assert new.arguments["as_new"] is True
    copy = Article.objects.get(body_sha256=body_sha256(corrected[2]))
    assert copy != seed_article
    assert list(copy.versions.values_list("number", flat=True)) == [1]
    seed_article.refresh_from_db()
    assert seed_article.body == seed_body(SEED_000)  # still its first text
    assert seed_article.evidence.exclude(anchor_state=AnchorState.CITED).count() == 0
    assert Article.objects.filter(outlet__name="Wire").count() == 3


def test_new_version_of_an_article_deleted_since_fails_clearly(refused, editor_desk, seed_article):
    resembled = seed_article.pk
    seed_article.evidence.all().delete()
    seed_article.delete()

    html = job_page(editor_desk, refused)
    assert NEW_VERSION_BUTTON not in html and AS_NEW_BUTTON in html
    assert f"Article #{resembled} has been deleted since" in html

    # A page opened before the deletion still posts the answer: the new job says why not.
    response = editor_desk.post(answer_url(refused), {"answer": "new_version"})

    new = Job.objects.exclude(pk=refused.pk).get()
    assert response["Location"] == job_url(new)
    assert new.status == JobStatus.FAILED
    assert new.error == (
        f"Article #{resembled}, the article chosen for a text resembling it, has been deleted "
        "since the import was asked for; nothing was imported."
    )
    assert not Article.objects.filter(outlet__name="Wire").exists()


def test_the_form_s_as_new_given_up_front_goes_to_the_job(editor_desk, seed_article, corrected):
    with LARGE:
        response = editor_desk.post(
            IMPORT_URL,
            {"files": batch(corrected), "outlet": "Wire", "as_new": "on"},
        )
    job = Job.objects.get()
    assert response["Location"] == job_url(job)
    assert job.arguments == {"outlet": "Wire", "revises": None, "as_new": True}
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert Article.objects.filter(outlet__name="Wire").count() == 3


def test_the_form_s_new_version_given_up_front_goes_to_the_job(
    editor_desk, seed_article, corrected
):
    one = SimpleUploadedFile(corrected[0], corrected[1])
    with override_settings(JOBS_IMPORT_INLINE_MAX_FILES=0):
        editor_desk.post(
            IMPORT_URL, {"files": [one], "outlet": "", "revises": str(seed_article.pk)}
        )
    revising = Job.objects.get()
    assert revising.arguments["revises"] == seed_article.pk
    assert revising.status == JobStatus.SUCCEEDED, revising.error
    seed_article.refresh_from_db()
    assert seed_article.body == corrected[2] and seed_article.versions.count() == 2


def test_the_form_s_new_version_of_an_article_deleted_since_fails_clearly(editor_desk, corrected):
    doomed = Article.objects.create(headline="Doomed", body="Gone before the job ran.")
    one = SimpleUploadedFile(corrected[0], corrected[1])
    with override_settings(JOBS_IMPORT_INLINE_MAX_FILES=0, TASKS=jobs_queued()):
        editor_desk.post(IMPORT_URL, {"files": [one], "outlet": "", "revises": str(doomed.pk)})
    job = Job.objects.get()
    doomed_pk = doomed.pk
    doomed.delete()
    before = database_rows()

    jobs.execute(job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == (
        f"Article #{doomed_pk}, the article to make a new version of, has been deleted since "
        "the import was asked for; nothing was imported."
    )
    assert database_rows() == before


def jobs_queued():
    """Tasks queued in the database and left there, so a test runs the job when it likes."""
    return {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_the_answer_in_desk_words_for_revises_misused(editor_desk, seed_article, corrected):
    with LARGE:
        editor_desk.post(
            IMPORT_URL,
            {"files": batch(corrected), "outlet": "", "revises": str(seed_article.pk)},
        )
    job = Job.objects.get()
    assert job.status == JobStatus.FAILED and "choice" not in job.result
    html = job_page(editor_desk, job)
    assert f"“New version of article” {seed_article.pk}: give exactly one text" in html
    assert NEW_VERSION_BUTTON not in html


# --------------------------------------------------------------------------------------------
# Who may answer


def test_a_reporter_may_answer_a_watcher_may_not(refused, django_user_model):
    reporter = client_for(desk_user(django_user_model, "reporter"))
    assert NEW_VERSION_BUTTON in job_page(reporter, refused)

    watcher = User.objects.create_user("watcher", password="irrelevant-pw", is_staff=True)
    watcher.user_permissions.set(Permission.objects.filter(codename="view_job"))
    watching = client_for(watcher)
    html = job_page(watching, refused)
    assert NEW_VERSION_BUTTON not in html and AS_NEW_BUTTON not in html
    assert "Someone who may import articles can choose here." in html
    assert watching.post(answer_url(refused), {"answer": "as_new"}).status_code == 403

    stranger = User.objects.create_user("stranger", password="irrelevant-pw", is_staff=True)
    assert client_for(stranger).post(answer_url(refused), {"answer": "as_new"}).status_code == 403
    assert Job.objects.count() == 1 and refused.files.count() == 3


def test_answering_is_a_post_with_a_csrf_token(refused, django_user_model):
    editor = django_user_model.objects.get(username="editor")
    desk = client_for(editor)
    assert desk.get(answer_url(refused)).status_code == 405

    guarded = client_for(editor)
    guarded.handler.enforce_csrf_checks = True
    assert guarded.post(answer_url(refused), {"answer": "as_new"}).status_code == 403
    assert Job.objects.count() == 1


def test_an_answer_that_is_neither_changes_nothing(refused, editor_desk):
    response = editor_desk.post(answer_url(refused), {"answer": "both"}, follow=True)

    assert "“both” is no answer" in response.content.decode()
    assert Job.objects.count() == 1 and refused.files.count() == 3
    assert jobs.awaiting_choice(Job.objects.get()) is not None
