"""Submissions over Django's request limits get a page that says what was too large.

Django refuses a form body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB) or with more
than ``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields before any view sees it, and answers 400.
These tests post such bodies as a browser would (urlencoded) to the real admin forms.
"""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse

from stories.models import Article, Story

from .desk import cited_evidence, draft_story, story_form_data
from .test_admin import pasted_article

THREE_MB = 3 * 1024 * 1024


def post_as_browser(client, url, data):
    """POST ``data`` urlencoded, as a browser posts the admin's forms; returns the
    response and the size of the body sent."""
    body = urlencode(data, doseq=True)
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    return response, len(body)


def assert_explains(response, *texts):
    assert response.status_code == 400
    content = response.content.decode()
    assert "Bad Request (400)" not in content
    assert "Traceback" not in content
    for text in texts:
        assert text in content, f"{text!r} not on the page"


def test_an_article_pasted_over_the_limit_is_refused_with_its_size_and_what_to_do(
    django_user_model,
):
    editor = django_user_model.objects.create_superuser("editor", password="pw-irrelevant")
    # A browser's request: the CSRF check reads the body first, and that is where it fails.
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    add_url = reverse("admin:stories_article_add")
    assert client.get(add_url).status_code == 200  # sets the CSRF cookie, as a browser has

    response, size = post_as_browser(client, add_url, pasted_article("word " * (THREE_MB // 5)))

    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert filesizeformat(size) == filesizeformat(THREE_MB)  # "3.0 MB"
    assert_explains(
        response,
        "Submission too large",
        f"Your submission was {filesizeformat(size)}; the limit is {filesizeformat(limit)}.",
        "Nothing was saved.",
        f'href="{add_url}"',
        f'href="{reverse("admin:stories_article_import")}"',
    )
    assert not Article.objects.exists()


def test_a_story_saved_over_the_limit_is_refused_and_left_as_it_was(editor_client):
    story = draft_story(cited_evidence())
    before = Story.objects.values().get(pk=story.pk)
    change_url = reverse("admin:stories_story_change", args=[story.pk])
    data = story_form_data(story, standfirst="x" * THREE_MB, _save="Save")

    response, size = post_as_browser(editor_client, change_url, data)

    assert_explains(
        response,
        f"Your submission was {filesizeformat(size)}; the limit is "
        f"{filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}.",
        "Nothing was saved.",
        f'href="{change_url}"',
    )
    assert Story.objects.values().get(pk=story.pk) == before
    assert list(story.statements.values_list("text", flat=True)) == ["They talked backstage."]


def test_a_story_form_with_too_many_fields_is_refused_with_the_limit(editor_client):
    story = draft_story(cited_evidence())
    before = Story.objects.values().get(pk=story.pk)
    change_url = reverse("admin:stories_story_change", args=[story.pk])
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    data = story_form_data(story, _save="Save")
    data.update({f"extra-{i}": "x" for i in range(limit + 1)})

    response, _ = post_as_browser(editor_client, change_url, data)

    assert_explains(response, f"more than {limit:,} fields", "Nothing was saved.")
    assert Story.objects.values().get(pk=story.pk) == before


def test_other_bad_requests_get_a_page_of_the_site_not_a_bare_400(client):
    response = client.get("/", headers={"host": "not-an-allowed-host.example"})
    assert_explains(response, "Bad request")


@pytest.mark.browser
def test_back_from_the_explanation_finds_the_text_still_in_the_form(
    live_server, transactional_db, page, django_user_model
):
    """What the page promises: the refused text is not lost, Back returns to it."""
    from playwright.sync_api import expect

    django_user_model.objects.create_superuser("editor", password="editor-pw-8472")
    page.goto(live_server.url + reverse("admin:login"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("editor-pw-8472")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url + reverse("admin:index"))
    page.goto(live_server.url + reverse("admin:stories_article_add"))
    page.get_by_label("Headline").fill("A long one")
    body = page.locator("textarea[name=body]")
    body.evaluate("(area, size) => { area.value = 'x'.repeat(size); }", THREE_MB)

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Submission too large")).to_be_visible()
    expect(page.get_by_text("Nothing was saved.")).to_be_visible()
    page.go_back()

    expect(page.get_by_label("Headline")).to_have_value("A long one")
    assert len(body.input_value()) == THREE_MB
    assert not Article.objects.exists()
