"""A story's old addresses keep working: ``/stories/<old-slug>/`` redirects (301)
to the current one, so a link shared before a slug change never breaks, and
never to a story the visitor may not see."""

import pytest
from django.urls import reverse

from stories.models import Story, StorySlug

from .desk import change_url, client_for, desk_user, story_form_data
from .factories import make_article, make_evidence, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence():
    return make_evidence(make_article(), "a pointed exchange")


def story_url(slug):
    return reverse("stories:detail", kwargs={"slug": slug})


def rename(story, slug):
    story = Story.objects.get(pk=story.pk)
    story.slug = slug
    story.save()
    return story


def test_an_editors_slug_change_redirects_the_old_address(client, evidence, django_user_model):
    story = make_story("Backstage", slug="backstage", statements=[("Tense.", [evidence])])
    editor = client_for(desk_user(django_user_model, "editor"))

    saved = editor.post(change_url(story), story_form_data(story, slug="backstage-at-the-vmas"))

    assert saved.status_code == 302
    response = client.get(story_url("backstage"))
    assert response.status_code == 301
    assert response["Location"] == story_url("backstage-at-the-vmas")
    assert client.get(response["Location"]).status_code == 200


def test_every_old_address_leads_to_the_current_one_in_one_hop(client, evidence):
    story = make_story("First", slug="first", statements=[("Tense.", [evidence])])
    rename(rename(story, "second"), "third")

    for old in ("first", "second"):
        response = client.get(story_url(old))
        assert (response.status_code, response["Location"]) == (301, story_url("third"))
    assert set(StorySlug.objects.values_list("slug", flat=True)) == {"first", "second"}


def test_the_query_string_goes_along(evidence, django_user_model):
    story = make_story("Moved", slug="moved", statements=[("Tense.", [evidence])])
    rename(story, "moved-on")
    desk = client_for(desk_user(django_user_model, "reporter"))
    response = desk.get(story_url("moved") + "?preview")
    assert response["Location"] == story_url("moved-on") + "?preview"


def test_an_old_address_never_reveals_a_story_readers_cannot_see(
    client, evidence, django_user_model
):
    draft = make_story("Draft", slug="draft", published=False, statements=[("T.", [evidence])])
    rename(draft, "secret-new-address")

    response = client.get(story_url("draft"))
    assert response.status_code == 404
    assert b"secret-new-address" not in response.content
    desk = client_for(desk_user(django_user_model, "reporter"))
    assert desk.get(story_url("draft"))["Location"] == story_url("secret-new-address")


def test_a_story_now_at_an_old_address_is_shown_there(client, evidence):
    moved = make_story("Moved", slug="taken", statements=[("Tense.", [evidence])])
    rename(moved, "moved-away")
    make_story("Newcomer", slug="taken", statements=[("Brief.", [evidence])])

    response = client.get(story_url("taken"))
    assert response.status_code == 200
    assert "Newcomer" in response.content.decode()


def test_moving_back_to_an_old_slug_serves_the_story_there(client, evidence):
    story = make_story("Back", slug="back", statements=[("Tense.", [evidence])])
    rename(rename(story, "elsewhere"), "back")

    assert client.get(story_url("back")).status_code == 200
    response = client.get(story_url("elsewhere"))
    assert (response.status_code, response["Location"]) == (301, story_url("back"))


def test_saves_that_keep_the_slug_record_nothing(evidence, django_user_model):
    story = make_story("Same", slug="same", statements=[("Tense.", [evidence])])
    editor = client_for(desk_user(django_user_model, "editor"))
    editor.post(change_url(story), story_form_data(story, headline="Same, edited"))
    Story.objects.get(pk=story.pk).save(update_fields=["headline"])
    assert not StorySlug.objects.exists()


def test_a_deleted_story_takes_its_old_addresses_with_it(client, evidence):
    story = rename(make_story("Gone", slug="gone", statements=[("T.", [evidence])]), "gone-2")
    story.delete()
    assert client.get(story_url("gone")).status_code == 404


def test_the_story_page_lists_its_old_addresses(evidence, django_user_model):
    story = rename(make_story("Listed", slug="listed", statements=[("T.", [evidence])]), "now")
    editor = client_for(desk_user(django_user_model, "editor"))
    html = editor.get(change_url(story)).content.decode()
    assert "/stories/listed/ (each redirects to the current address)" in html
