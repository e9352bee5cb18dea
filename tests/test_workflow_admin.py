"""The review workflow in the story admin: buttons, actions, messages, the log,
and the draft preview."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from stories.models import Statement, Story, StoryStatus
from stories.services import publishing

from .desk import (
    change_url,
    cited_evidence,
    client_for,
    desk_user,
    draft_story,
    messages_of,
    run_action,
    story_form_data,
)
from .factories import make_article, make_evidence, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporter(django_user_model):
    return client_for(desk_user(django_user_model, "reporter"))


@pytest.fixture
def editor(django_user_model):
    return client_for(desk_user(django_user_model, "editor"))


def logged(story, message):
    return LogEntry.objects.filter(object_id=str(story.pk), change_message=message).exists()


def status_of(story):
    story.refresh_from_db()
    return story.status


def story_with_an_uncited_statement():
    story = draft_story(cited_evidence(), texts=["Cited.", "Nobody said this."])
    story.statements.get(text="Nobody said this.").evidence.clear()
    return story


# --------------------------------------------------------------------------------------------
# Submitting for review


def test_reporter_submits_with_the_button(reporter):
    story = draft_story(cited_evidence())

    response = reporter.post(change_url(story), story_form_data(story, _submit="Submit"))

    assert response.status_code == 302
    assert status_of(story) == StoryStatus.IN_REVIEW
    assert logged(story, "Submitted for review.")
    assert any("submitted for review" in m for m in messages_of(response))


def test_reporter_submits_a_new_story_from_the_add_page(reporter):
    evidence = cited_evidence()
    data = {
        "headline": "New",
        "slug": "new",
        "standfirst": "",
        "topics": "",
        "statements-TOTAL_FORMS": "1",
        "statements-INITIAL_FORMS": "0",
        "statements-0-position": "1",
        "statements-0-text": "It happened.",
        "statements-0-evidence": [str(evidence.pk)],
        "corrections-TOTAL_FORMS": "0",
        "corrections-INITIAL_FORMS": "0",
        "_submit": "Submit for review",
    }

    response = reporter.post(reverse("admin:stories_story_add"), data)

    story = Story.objects.get()
    assert response.status_code == 302
    assert story.status == StoryStatus.IN_REVIEW
    assert logged(story, "Submitted for review.")


@pytest.mark.parametrize("via", ["button", "action"])
def test_submitting_names_each_statement_that_cites_nothing(reporter, via):
    story = story_with_an_uncited_statement()

    if via == "button":
        response = reporter.post(change_url(story), story_form_data(story, _submit="Submit"))
    else:
        response = run_action(reporter, "submit", story)

    assert response.status_code == 302
    assert status_of(story) == StoryStatus.DRAFT
    problems = [m for m in messages_of(response) if "cites no evidence" in m]
    assert problems == ["Statement 2 (“Nobody said this.”) cites no evidence."]
    assert any("was not submitted" in m for m in messages_of(response))
    assert not logged(story, "Submitted for review.")


def test_submitting_a_story_already_in_review_is_refused_politely(reporter):
    story = draft_story(cited_evidence())
    run_action(reporter, "submit", story)

    response = run_action(reporter, "submit", story)

    assert response.status_code == 302
    assert status_of(story) == StoryStatus.IN_REVIEW
    assert any("in review, not a draft" in m for m in messages_of(response))


# --------------------------------------------------------------------------------------------
# Publishing and unpublishing


def test_editor_publishes_a_story_in_review(reporter, editor):
    story = draft_story(cited_evidence())
    run_action(reporter, "submit", story)

    response = run_action(editor, "publish", story)

    assert status_of(story) == StoryStatus.PUBLISHED
    assert story.published_revision.number == 1
    assert story.published_by.username == "editor"
    assert logged(story, "Published revision 1.")
    assert any("readers now see revision 1" in m for m in messages_of(response))


@pytest.mark.parametrize("via", ["button", "action"])
def test_publishing_names_each_offending_statement(editor, via):
    story = story_with_an_uncited_statement()

    if via == "button":
        response = editor.post(change_url(story), story_form_data(story, _publish="Publish"))
        assert response["Location"] == change_url(story)
    else:
        response = run_action(editor, "publish", story)

    assert status_of(story) == StoryStatus.DRAFT
    assert not story.revisions.exists()
    messages = messages_of(response)
    assert "Statement 2 (“Nobody said this.”) cites no evidence." in messages
    assert any("was not published" in m for m in messages)


@pytest.mark.parametrize("step", [publishing.submit_for_review, publishing.publish_story])
def test_submitting_and_publishing_raise_not_ready_to_publish_and_change_nothing(step):
    story = story_with_an_uncited_statement()
    version = story.version

    with pytest.raises(publishing.NotReadyToPublish) as refused:
        step(story, None)

    assert refused.value.story == story
    assert refused.value.problems == ["Statement 2 (“Nobody said this.”) cites no evidence."]
    story.refresh_from_db()
    assert (story.status, story.version) == (StoryStatus.DRAFT, version)
    assert not story.revisions.exists()


def test_editor_unpublishes_with_the_button_and_it_is_logged(editor):
    story = make_story("Live", statements=[("Live.", [cited_evidence()])])

    response = editor.post(change_url(story), story_form_data(story, _unpublish="Unpublish"))

    assert response.status_code == 302
    assert status_of(story) == StoryStatus.UNPUBLISHED
    assert logged(story, "Unpublished.")
    assert client_for(None).get(story.get_absolute_url()).status_code == 404


def test_unpublishing_a_draft_is_refused_politely(editor):
    story = draft_story(cited_evidence())

    response = run_action(editor, "unpublish", story)

    assert status_of(story) == StoryStatus.DRAFT
    assert any("is not published" in m for m in messages_of(response))


def test_an_unpublished_story_can_be_resubmitted_and_published_again(reporter, editor):
    story = make_story("Live", statements=[("Live.", [cited_evidence()])])
    run_action(editor, "unpublish", story)
    statement = story.statements.get()
    statement.text = "Live, corrected."
    statement.save()

    run_action(reporter, "submit", story)
    assert status_of(story) == StoryStatus.IN_REVIEW
    assert client_for(None).get(story.get_absolute_url()).status_code == 404
    run_action(editor, "publish", story)

    assert status_of(story) == StoryStatus.PUBLISHED
    assert story.published_revision.number == 2
    assert "Live, corrected." in client_for(None).get(story.get_absolute_url()).content.decode()


def test_status_and_published_by_cannot_be_posted(editor):
    story = draft_story(cited_evidence())

    editor.post(change_url(story), story_form_data(story, status="published", published_by="1"))

    story.refresh_from_db()
    assert story.status == StoryStatus.DRAFT
    assert story.published_by is None


def test_change_page_shows_the_state_of_the_story(editor):
    story = make_story("Live", statements=[("Live.", [cited_evidence()])])
    Statement.objects.filter(story=story).update(text="Edited in the draft.")

    html = editor.get(change_url(story)).content.decode()

    assert "Status: Published." in html
    assert "Readers see revision 1" in html
    assert "The draft has changes not yet published" in html


# --------------------------------------------------------------------------------------------
# The draft preview


def test_preview_link_opens_the_draft_with_a_banner_for_staff_only(reporter):
    story = make_story("Live", statements=[("What readers see.", [cited_evidence()])])
    Statement.objects.filter(story=story).update(text="What the desk is writing.")
    preview = story.get_absolute_url() + "?preview"
    assert f'href="{preview}"' in reporter.get(change_url(story)).content.decode()

    staff_page = reporter.get(preview).content.decode()
    public_page = client_for(None).get(preview).content.decode()

    assert "Draft preview" in staff_page
    assert "What the desk is writing." in staff_page
    assert "What readers see." not in staff_page
    assert "Draft preview" not in public_page
    assert "What readers see." in public_page
    assert "What the desk is writing." not in public_page


def test_the_public_never_gets_a_draft(reporter):
    story = draft_story(cited_evidence(), texts=["Secret draft statement."])

    for url in [story.get_absolute_url(), story.get_absolute_url() + "?preview"]:
        response = client_for(None).get(url)
        assert response.status_code == 404
        assert "Secret draft statement." not in response.content.decode()
    assert "Draft preview" in reporter.get(story.get_absolute_url()).content.decode()


# --------------------------------------------------------------------------------------------
# Clearing the date of a published story is a form error, not a database error


def test_clearing_the_date_of_a_published_story_is_refused_with_a_message(editor_client):
    evidence = make_evidence(make_article(), "a pointed exchange")
    story = make_story("Live", statements=[("Tense.", [evidence])])

    response = editor_client.post(
        change_url(story), story_form_data(story, published_at_0="", published_at_1="")
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["published_at"]
    assert "unpublish" in " ".join(errors).lower()
    story.refresh_from_db()
    assert story.published_at is not None and story.is_published
