"""Who may do what to a story: every role against every step of the workflow.

The roles are the real groups the data migration creates from stories/roles.py;
the users are plain staff users in those groups. Each cell of the grid below is
one test, run through the real admin and reader views.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from stories.models import Story, StoryStatus
from stories.roles import EDITORS, REPORTERS, ROLE_PERMISSIONS

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
from .factories import make_story

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "reporter", "editor"]

# The outcome every role must get for every action. One row per action, one
# column per role; each cell is checked by the function of the same name below.
#
#   404          the public URL of the draft is not found
#   preview      200, the draft with the "Draft preview" banner
#   login        redirected to the admin login; nothing changed
#   saved        the edit is stored, the status is not touched
#   in review    the story is submitted for review
#   published    the story is public, as a new revision
#   unpublished  the story is no longer public
#   refused      the request went through the admin but the status did not change
#   forbidden    403; nothing changed
#   deleted      the story is gone
EXPECTED = {
    # action                anonymous   reporter      editor
    "view draft":          ("404",     "preview",    "preview"),
    "edit":                ("login",   "saved",      "saved"),
    "submit (button)":     ("login",   "in review",  "in review"),
    "submit (action)":     ("login",   "in review",  "in review"),
    "publish (button)":    ("login",   "refused",    "published"),
    "publish (action)":    ("login",   "refused",    "published"),
    "unpublish (button)":  ("login",   "refused",    "unpublished"),
    "unpublish (action)":  ("login",   "refused",    "unpublished"),
    "delete":              ("login",   "forbidden",  "deleted"),
}  # fmt: skip

CELLS = [
    (action, role, outcomes[ROLES.index(role)])
    for action, outcomes in EXPECTED.items()
    for role in ROLES
]


def test_the_grid_covers_every_role_and_action():
    assert len(CELLS) == len(EXPECTED) * len(ROLES) == 27
    assert all(len(outcomes) == len(ROLES) for outcomes in EXPECTED.values())


# --------------------------------------------------------------------------------------------
# The actions: each sets up its own story, does one thing as the client, and
# returns the response with the story's state before and after.


def state(story):
    """What an action may change about a story; None once it is deleted."""
    story = Story.objects.filter(pk=story.pk).first()
    if story is None:
        return None
    return {
        "status": story.status,
        "headline": story.headline,
        "revisions": story.revisions.count(),
        "published_revision": story.published_revision_id,
        "public": Story.objects.published().filter(pk=story.pk).exists(),
    }


def perform(action, client):
    evidence = cited_evidence()
    published = action.startswith("unpublish")
    if published:
        story = make_story("Backstage", statements=[("They talked backstage.", [evidence])])
    else:
        story = draft_story(evidence)
    before = state(story)
    via_button = action.endswith("(button)")
    step = action.split()[0]
    if action == "view draft":
        response = client.get(story.get_absolute_url())
    elif action == "edit":
        response = client.post(change_url(story), story_form_data(story, headline="Edited"))
    elif action == "delete":
        response = client.post(
            reverse("admin:stories_story_delete", args=[story.pk]), {"post": "yes"}
        )
    elif via_button:
        response = client.post(change_url(story), story_form_data(story, **{f"_{step}": step}))
    else:
        response = run_action(client, step, story)
    return response, before, state(story)


# --------------------------------------------------------------------------------------------
# The outcomes, each asserted in full.


def is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def check_404(response, before, after):
    assert response.status_code == 404
    assert "They talked backstage." not in response.content.decode()
    assert after == before


def check_preview(response, before, after):
    page = response.content.decode()
    assert response.status_code == 200
    assert "Draft preview" in page
    assert "They talked backstage." in page
    assert after == before


def check_login(response, before, after):
    assert is_login_redirect(response), response
    assert after == before


def check_saved(response, before, after):
    assert response.status_code == 302
    assert not is_login_redirect(response)
    assert after == {**before, "headline": "Edited"}


def check_in_review(response, before, after):
    assert response.status_code == 302
    assert not is_login_redirect(response)
    assert before["status"] == StoryStatus.DRAFT
    assert after == {**before, "status": StoryStatus.IN_REVIEW}


def check_published(response, before, after):
    assert response.status_code == 302
    assert not is_login_redirect(response)
    assert before["status"] == StoryStatus.DRAFT and not before["public"]
    assert after["status"] == StoryStatus.PUBLISHED
    assert after["public"] is True
    assert after["revisions"] == before["revisions"] + 1 == 1
    assert after["published_revision"] is not None


def check_unpublished(response, before, after):
    assert response.status_code == 302
    assert not is_login_redirect(response)
    assert before["public"] is True
    assert after == {**before, "status": StoryStatus.UNPUBLISHED, "public": False}


def check_refused(response, before, after):
    # The admin answered (no login page, no error page) and changed no status.
    assert response.status_code == 302
    assert not is_login_redirect(response)
    assert after == before


def check_forbidden(response, before, after):
    assert response.status_code == 403
    assert after == before


def check_deleted(response, before, after):
    assert response.status_code == 302
    assert not is_login_redirect(response)
    assert before is not None
    assert after is None


CHECKS = {
    "404": check_404,
    "preview": check_preview,
    "login": check_login,
    "saved": check_saved,
    "in review": check_in_review,
    "published": check_published,
    "unpublished": check_unpublished,
    "refused": check_refused,
    "forbidden": check_forbidden,
    "deleted": check_deleted,
}


@pytest.fixture
def users(django_user_model):
    return {
        "anonymous": None,
        "reporter": desk_user(django_user_model, "reporter"),
        "editor": desk_user(django_user_model, "editor"),
    }


@pytest.mark.parametrize(
    ("action", "role", "expected"),
    CELLS,
    ids=[f"{role}-{action.replace(' ', '_')}-{expected}" for action, role, expected in CELLS],
)
def test_role_can_or_cannot(users, action, role, expected):
    response, before, after = perform(action, client_for(users[role]))

    CHECKS[expected](response, before, after)


# --------------------------------------------------------------------------------------------
# The groups themselves, and what each role is shown


def test_groups_hold_exactly_the_permissions_roles_py_lists():
    for name, codes in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        held = {
            f"{app_label}.{codename}"
            for app_label, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        }
        assert held == set(codes), name


@pytest.mark.parametrize(
    "perm",
    [
        "stories.publish_story",
        "stories.delete_story",
        "stories.merge_person",
        "stories.add_correction",
        "stories.change_storyrevision",
        "stories.delete_storyrevision",
    ],
)
def test_reporters_lack_what_only_editors_may_do(django_user_model, perm):
    reporter = desk_user(django_user_model, "reporter")
    editor = desk_user(django_user_model, "editor")

    assert not reporter.has_perm(perm)
    assert editor.has_perm(perm) is ("storyrevision" not in perm)


def test_both_roles_may_draft_and_submit(django_user_model):
    for role in ["reporter", "editor"]:
        user = desk_user(django_user_model, role)
        for perm in ["add_story", "change_story", "submit_story", "add_claim", "add_evidence"]:
            assert user.has_perm(f"stories.{perm}"), (role, perm)


def test_reporter_sees_submit_but_no_publish_unpublish_or_delete(django_user_model):
    reporter = client_for(desk_user(django_user_model, "reporter"))
    evidence = cited_evidence()
    draft = draft_story(evidence)
    live = make_story("Live story", statements=[("Live.", [evidence])])

    draft_page = reporter.get(change_url(draft)).content.decode()
    live_page = reporter.get(change_url(live)).content.decode()
    changelist = reporter.get(reverse("admin:stories_story_changelist")).content.decode()

    assert 'name="_submit"' in draft_page
    for page in [draft_page, live_page]:
        assert 'name="_publish"' not in page
        assert 'name="_unpublish"' not in page
        assert reverse("admin:stories_story_delete", args=[draft.pk]) not in draft_page
    assert 'value="submit"' in changelist
    for action in ["publish", "unpublish", "delete_selected"]:
        assert f'value="{action}"' not in changelist


def test_editor_sees_publish_and_unpublish_where_they_apply(django_user_model):
    editor = client_for(desk_user(django_user_model, "editor"))
    evidence = cited_evidence()
    draft = draft_story(evidence)
    live = make_story("Live story", statements=[("Live.", [evidence])])

    draft_page = editor.get(change_url(draft)).content.decode()
    live_page = editor.get(change_url(live)).content.decode()

    assert 'value="Save and publish" name="_publish"' in draft_page
    assert 'name="_unpublish"' not in draft_page
    assert 'name="_submit"' in draft_page
    assert 'value="Publish changes" name="_publish"' in live_page
    assert 'name="_unpublish"' in live_page
    assert 'name="_submit"' not in live_page  # a published story is not resubmitted


def test_reporter_crafting_publish_is_told_and_nothing_is_published(django_user_model):
    reporter = client_for(desk_user(django_user_model, "reporter"))
    story = draft_story(cited_evidence())

    response = reporter.post(
        change_url(story), story_form_data(story, headline="Edited", _publish="Publish")
    )

    story.refresh_from_db()
    assert story.headline == "Edited"
    assert story.status == StoryStatus.DRAFT
    assert not story.revisions.exists()
    assert any("You may not publish" in m for m in messages_of(response))


def test_reporter_cannot_move_the_publication_date(django_user_model):
    reporter = client_for(desk_user(django_user_model, "reporter"))
    story = make_story("Live story", statements=[("Live.", [cited_evidence()])])
    published_at = story.published_at

    page = reporter.get(change_url(story))
    reporter.post(
        change_url(story),
        story_form_data(story, published_at_0="2999-01-01", published_at_1="00:00:00"),
    )

    story.refresh_from_db()
    assert "published_at" not in page.context["adminform"].form.fields
    assert story.published_at == published_at
    assert Story.objects.published().filter(pk=story.pk).exists()


def test_group_names_are_the_roles():
    assert set(ROLE_PERMISSIONS) == {REPORTERS, EDITORS}
