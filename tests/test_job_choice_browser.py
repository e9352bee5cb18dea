"""An editor in a real Chromium uploads a large batch holding a corrected article with no URL:
the import job stops to ask, and a click on its page makes the text version 2 (#9)."""

import pytest
from django.urls import reverse

from .factories import article_file
from .test_desk_walkthrough import log_in, staff_user
from .test_versions import corrected_seed

pytestmark = pytest.mark.browser


def test_an_editor_answers_the_import_job_s_question_with_a_click(
    live_server,
    transactional_db,
    seed_article,
    page,
    artifacts_dir,
    django_user_model,
    settings,
    tmp_path,
):
    from playwright.sync_api import expect

    from stories.models import Job, JobStatus
    from stories.roles import EDITORS

    settings.JOBS_IMPORT_INLINE_MAX_FILES = 1  # two files make a job
    path, corrected = corrected_seed(tmp_path)
    other = tmp_path / "other.txt"
    other.write_bytes(article_file(1)[1])
    seed = seed_article
    staff_user(django_user_model, "editor", EDITORS)
    log_in(page, live_server, "editor")

    page.goto(live_server.url + reverse("admin:stories_article_import"))
    page.locator("input[type=file]").set_input_files([str(path), str(other)])
    page.get_by_role("button", name="Import").click()

    asked = Job.objects.get()
    page.wait_for_url(live_server.url + reverse("admin:stories_job_change", args=[asked.pk]))
    expect(page.locator(".job-state")).to_contain_text("Failed")
    expect(page.locator(".errornote")).to_contain_text(
        f"import it with “New version of article” {seed.pk}"
    )
    button = page.get_by_role("button", name=f"Import as a new version of article #{seed.pk}")
    expect(button).to_be_visible()
    expect(page.get_by_role("button", name="Import as new articles")).to_be_visible()
    page.screenshot(path=artifacts_dir / "desk-job-asks-new-version.png", full_page=True)

    button.click()

    answer = Job.objects.exclude(pk=asked.pk).get()
    page.wait_for_url(live_server.url + reverse("admin:stories_job_change", args=[answer.pk]))
    expect(page.locator(".job-state")).to_contain_text("Succeeded")
    expect(page.locator("#content-main")).to_contain_text("1 new version(s) of articles.")
    assert answer.requested_by.username == "editor"
    assert Job.objects.get(pk=answer.pk).status == JobStatus.SUCCEEDED
    seed.refresh_from_db()
    assert seed.body == corrected and seed.versions.count() == 2
