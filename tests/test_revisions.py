"""Published revisions: readers see the last one while editors keep editing the
draft; the desk shows what each revision changed and can restore one; corrections."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stories.models import Correction, Person, Statement, StoryRevision, StoryStatus
from stories.services import publishing
from stories.text import diffing

from .desk import (
    change_url,
    client_for,
    desk_user,
    draft_story,
    messages_of,
    run_action,
    story_form_data,
)
from .factories import make_article, make_evidence, make_story

pytestmark = pytest.mark.django_db

FIRST = "Timberlake walked over to Megan backstage."
SECOND = "Witnesses called the exchange tense."


@pytest.fixture
def editor(django_user_model):
    return desk_user(django_user_model, "editor")


@pytest.fixture
def desk(editor):
    return client_for(editor)


@pytest.fixture
def reader():
    return client_for(None)


@pytest.fixture
def passages():
    article = make_article()
    return {
        "pointed": make_evidence(article, "a pointed exchange"),
        "brief": make_evidence(article, "The exchange was brief", claim="It was brief"),
    }


@pytest.fixture
def megan():
    return Person.objects.create(name="Megan Thee Stallion", slug="megan-thee-stallion")


def published(passages, megan, editor):
    """A story published once, as revision 1, through the admin's publish button."""
    story = draft_story(passages["pointed"], headline="Backstage", texts=[FIRST, SECOND])
    story.statements.get(text=FIRST).people.add(megan)
    client_for(editor).post(change_url(story), story_form_data(story, _publish="Save and publish"))
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    return story


def edit_draft(client, story, text=None, evidence=None, **fields):
    """Change the first statement's text and citations through the change form."""
    data = story_form_data(story, **fields)
    if text is not None:
        data["statements-0-text"] = text
    if evidence is not None:
        data["statements-0-evidence"] = [str(e.pk) for e in evidence]
    response = client.post(change_url(story), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    story.refresh_from_db()
    return response


def page(client, story, preview=False):
    response = client.get(story.get_absolute_url() + ("?preview" if preview else ""))
    assert response.status_code == 200
    return response.content.decode()


def revisions_url(story):
    return reverse("admin:stories_story_revisions", args=[story.pk])


# --------------------------------------------------------------------------------------------
# Publishing makes revisions; readers see the latest one


def test_publishing_stores_revision_1_with_the_statements(passages, megan, editor):
    story = published(passages, megan, editor)

    revision = story.published_revision
    assert revision.number == 1
    assert revision.created_by == editor
    assert revision.headline == "Backstage"
    assert [(s.text, s.evidence_ids, s.people_ids) for s in revision.statements()] == [
        (FIRST, (passages["pointed"].pk,), (megan.pk,)),
        (SECOND, (passages["pointed"].pk,), ()),
    ]
    assert list(revision.evidence.all()) == [passages["pointed"]]
    assert list(revision.people.all()) == [megan]
    assert LogEntry.objects.filter(
        object_id=str(story.pk), action_flag=CHANGE, change_message="Published revision 1."
    ).exists()


def test_readers_keep_revision_1_while_the_draft_is_edited_then_see_revision_2(
    passages, megan, editor, desk, reader
):
    story = published(passages, megan, editor)

    edit_draft(desk, story, text="Timberlake and Megan argued.", evidence=[passages["brief"]])

    public, preview = page(reader, story), page(desk, story, preview=True)
    assert FIRST in public and "argued" not in public
    assert "Draft preview" not in public
    assert "Timberlake and Megan argued." in preview and FIRST not in preview
    assert "Draft preview" in preview
    assert "The exchange was brief" in preview and "The exchange was brief" not in public
    # Without ?preview, staff see what readers see.
    assert FIRST in page(desk, story)

    response = desk.post(change_url(story), story_form_data(story, _publish="Publish changes"))

    story.refresh_from_db()
    assert story.published_revision.number == 2
    assert story.revisions.count() == 2
    assert any("revision 2" in m for m in messages_of(response))
    public = page(reader, story)
    assert "Timberlake and Megan argued." in public and FIRST not in public
    assert "The exchange was brief" in public
    assert LogEntry.objects.filter(
        object_id=str(story.pk), change_message="Published revision 2."
    ).exists()


def test_publishing_without_changes_is_refused_with_a_message(passages, megan, editor, desk):
    story = published(passages, megan, editor)

    by_button = desk.post(change_url(story), story_form_data(story, _publish="Publish changes"))
    by_action = run_action(desk, "publish", story)

    story.refresh_from_db()
    assert story.revisions.count() == 1
    assert story.published_revision.number == 1
    for response in [by_button, by_action]:
        assert response.status_code == 302
        assert any("no changes since revision 1" in m for m in messages_of(response))
    with pytest.raises(publishing.WorkflowError, match="no changes since revision 1"):
        publishing.publish_story(story, editor)


def test_republishing_an_unpublished_story_unchanged_reuses_its_revision(
    passages, megan, editor, desk, reader
):
    story = published(passages, megan, editor)
    run_action(desk, "unpublish", story)
    assert client_for(None).get(story.get_absolute_url()).status_code == 404

    run_action(desk, "publish", story)

    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED
    assert story.revisions.count() == 1
    assert FIRST in page(reader, story)


def test_a_revision_is_immutable(passages, megan, editor, desk):
    story = published(passages, megan, editor)
    revision = story.published_revision
    content = revision.content

    revision.headline = "Rewritten"
    with pytest.raises(ValueError, match="immutable"):
        revision.save()
    edit_draft(desk, story, text="Changed in the draft.", headline="New headline")

    revision = StoryRevision.objects.get(pk=revision.pk)
    assert revision.headline == "Backstage"
    assert revision.content == content
    assert revision.statements()[0].text == FIRST


# --------------------------------------------------------------------------------------------
# The revision history: diffs, restoring


def test_change_page_links_to_the_revisions_and_the_preview(passages, megan, editor, desk):
    story = published(passages, megan, editor)

    html = desk.get(change_url(story)).content.decode()

    assert f'href="{revisions_url(story)}"' in html
    assert f'href="{story.get_absolute_url()}?preview"' in html
    assert "Preview as readers will see it" in html
    assert "Readers see revision 1" in html


def test_history_lists_revisions_with_an_escaped_diff(passages, megan, editor, desk):
    story = published(passages, megan, editor)
    edit_draft(desk, story, text="<script>alert('x')</script> Timberlake walked away.")
    desk.post(change_url(story), story_form_data(story, _publish="Publish changes"))
    edit_draft(desk, story, evidence=[passages["brief"]], headline="Backstage, revised")

    response = desk.get(revisions_url(story))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in html
    entries = response.context["entries"]
    assert [entry["revision"].number for entry in entries] == [2, 1]
    assert [entry["revision"].created_by for entry in entries] == [editor, editor]
    assert "Revision 2" in html and "Revision 1" in html and editor.username in html
    # Revision 2 against revision 1: the old words removed, the new ones added, escaped.
    assert "<ins>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; </ins>Timberlake walked" in html
    assert "<del>over to Megan backstage</del><ins>away</ins>." in html
    # The draft against revision 2: the headline and the citations.
    draft = response.context["draft_changes"]
    assert [change.label for change in draft] == ["Headline", "Statement 1"]
    assert str(draft[0].html) == "Backstage<ins>, revised</ins>"
    assert "<del>EW: “a pointed exchange”</del>" in str(draft[1].html)
    assert "<ins>EW: “The exchange was brief”</ins>" in str(draft[1].html)
    assert html.count('value="Restore into draft"') == 2


def test_history_says_when_the_draft_matches_the_latest_revision(passages, megan, editor, desk):
    story = published(passages, megan, editor)

    response = desk.get(revisions_url(story))

    assert response.context["draft_changes"] == []
    assert "The draft matches the latest revision." in response.content.decode()


def test_restoring_revision_1_puts_it_back_in_the_draft_only(passages, megan, editor, desk, reader):
    story = published(passages, megan, editor)
    revision_1 = story.published_revision
    edit_draft(desk, story, text="A different account.", evidence=[passages["brief"]])
    Statement.objects.create(story=story, position=3, text="An added statement.").evidence.add(
        passages["brief"]
    )
    desk.post(change_url(story), story_form_data(story, _publish="Publish changes"))
    story.refresh_from_db()
    assert story.published_revision.number == 2
    edit_draft(desk, story, text="Yet another draft.")

    response = desk.post(revisions_url(story), {"revision": "1"})

    assert response.status_code == 302
    assert response["Location"] == change_url(story)
    assert any("Revision 1 is restored" in m for m in messages_of(response))
    draft = story.cited_statements()
    assert [(s.text, s.evidence_ids, s.people_ids) for s in draft] == [
        (s.text, s.evidence_ids, s.people_ids) for s in revision_1.statements()
    ]
    # The statements the revision recorded keep their ids (links stay valid).
    assert [s.pk for s in draft] == [s.pk for s in revision_1.statements()]
    story.refresh_from_db()
    assert story.published_revision.number == 2
    assert story.revisions.count() == 2
    public = page(reader, story)
    assert "A different account." in public and "An added statement." in public
    assert FIRST not in public
    assert FIRST in page(desk, story, preview=True)
    assert LogEntry.objects.filter(
        object_id=str(story.pk), change_message="Restored revision 1 into the draft."
    ).exists()

    desk.post(change_url(story), story_form_data(story, _publish="Publish changes"))

    story.refresh_from_db()
    assert story.published_revision.number == 3
    assert FIRST in page(reader, story)


def test_restoring_the_current_revision_leaves_nothing_to_publish(passages, megan, editor, desk):
    story = published(passages, megan, editor)
    edit_draft(desk, story, text="A mistake.")
    assert story.has_unpublished_changes()

    desk.post(revisions_url(story), {"revision": "1"})

    story.refresh_from_db()
    assert not story.has_unpublished_changes()


def test_restoring_needs_change_permission(passages, megan, editor, django_user_model):
    story = published(passages, megan, editor)
    reporter = client_for(desk_user(django_user_model, "reporter"))
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_story"))
    viewer_client = client_for(viewer)
    edit_draft(client_for(editor), story, text="Edited.")

    assert viewer_client.get(revisions_url(story)).status_code == 200
    assert (
        'value="Restore into draft"' not in viewer_client.get(revisions_url(story)).content.decode()
    )
    assert viewer_client.post(revisions_url(story), {"revision": "1"}).status_code == 403
    assert client_for(None).post(revisions_url(story), {"revision": "1"}).status_code == 302
    assert story.statements.order_by("position").first().text == "Edited."

    assert reporter.post(revisions_url(story), {"revision": "1"}).status_code == 302
    assert story.statements.order_by("position").first().text == FIRST


def test_restoring_refuses_a_revision_that_is_not_the_storys(passages, megan, editor, desk):
    story = published(passages, megan, editor)

    assert desk.post(revisions_url(story), {"revision": "7"}).status_code == 404
    assert desk.post(revisions_url(story), {"revision": "x"}).status_code == 400


def test_history_of_a_story_never_published(passages, desk):
    story = draft_story(passages["pointed"])

    response = desk.get(revisions_url(story))

    assert response.status_code == 200
    assert "never been published" in response.content.decode()
    assert [change.kind for change in response.context["draft_changes"]] == ["added"] * 2


# --------------------------------------------------------------------------------------------
# Corrections


def test_an_editors_correction_is_shown_to_readers_with_its_date(
    passages, megan, editor, desk, reader
):
    story = published(passages, megan, editor)
    data = story_form_data(
        story,
        **{
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-story": str(story.pk),
            "corrections-0-created_at_0": "2024-03-05",
            "corrections-0-created_at_1": "10:00:00",
            "corrections-0-text": "An earlier version misnamed the venue.",
        },
    )

    assert desk.post(change_url(story), data).status_code == 302

    correction = Correction.objects.get()
    assert correction.created_by == editor
    assert correction.story == story
    html = page(reader, story)
    assert "Corrected</a>" in html
    assert 'id="corrections"' in html
    assert "An earlier version misnamed the venue." in html
    assert "5 March 2024" in html


def test_reporters_see_corrections_but_cannot_add_them(passages, megan, editor, django_user_model):
    story = published(passages, megan, editor)
    Correction.objects.create(story=story, text="Fixed a name.", created_by=editor)
    reporter = client_for(desk_user(django_user_model, "reporter"))

    html = reporter.get(change_url(story)).content.decode()
    reporter.post(
        change_url(story),
        story_form_data(
            story,
            **{
                "corrections-TOTAL_FORMS": "2",
                "corrections-1-story": str(story.pk),
                "corrections-1-created_at_0": "2024-03-05",
                "corrections-1-created_at_1": "10:00:00",
                "corrections-1-text": "Sneaked in.",
            },
        ),
    )

    assert "Fixed a name." in html
    assert 'name="corrections-0-text"' not in html
    assert list(Correction.objects.values_list("text", flat=True)) == ["Fixed a name."]


def test_a_post_without_the_corrections_section_keeps_them(passages, megan, editor, desk):
    story = published(passages, megan, editor)
    Correction.objects.create(story=story, text="Fixed a name.", created_by=editor)
    data = {
        key: value
        for key, value in story_form_data(story, headline="Edited").items()
        if not key.startswith("corrections-")
    }

    assert desk.post(change_url(story), data).status_code == 302

    story.refresh_from_db()
    assert story.headline == "Edited"
    assert story.corrections.get().text == "Fixed a name."


def count_queries(client, story):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(story.get_absolute_url())
    assert response.status_code == 200
    return len(queries)


def test_story_page_queries_stay_constant_with_statements_and_corrections(reader):
    counts = []
    for size in [3, 100]:
        evidence = make_evidence(
            make_article(body=f"Story {size}: a pointed exchange.", headline=f"H{size}"),
            "a pointed exchange",
            claim=f"Claim {size}",
        )
        story = make_story(f"Story {size}", statements=[(f"S{i}", [evidence]) for i in range(size)])
        for day in [1, 2]:
            Correction.objects.create(story=story, text=f"Fix {day}", created_at=timezone.now())
        counts.append(count_queries(reader, story))
    assert counts[0] == counts[1]


# --------------------------------------------------------------------------------------------
# The diff itself


def test_inline_diff_marks_words_and_escapes_everything():
    html = str(diffing.inline_diff("a <b>bold</b> claim", "a <script>new claim"))

    assert html == (
        "a &lt;<del>b</del><ins>script</ins>&gt;<del>bold&lt;/b&gt;</del><ins>new</ins> claim"
    )


def test_diff_matches_statements_by_id():
    old = diffing.StoryVersion(
        "H",
        "",
        (
            diffing.StatementVersion(1, "One.", ("A",)),
            diffing.StatementVersion(2, "Two.", ("B",)),
        ),
    )
    new = diffing.StoryVersion(
        "H",
        "",
        (
            diffing.StatementVersion(3, "Zero.", ("C",)),
            diffing.StatementVersion(1, "One.", ("A",)),
            diffing.StatementVersion(2, "Two!", ("B", "C")),
        ),
    )

    changes = diffing.diff_versions(old, new)

    assert [(change.label, change.kind) for change in changes] == [
        ("Statement 1", "added"),
        ("Statement 3", "changed"),
    ]
    assert "<ins>Zero.</ins>" in str(changes[0].html)
    assert "Two<del>.</del><ins>!</ins>" in str(changes[1].html)
    assert "B; <ins>C</ins>" in str(changes[1].html)
    assert diffing.diff_versions(new, new) == []


# Odd input gets a 400, never a 500


def test_restoring_a_revision_named_by_a_non_ascii_digit_is_a_bad_request(editor_client):
    evidence = make_evidence(make_article(), "a pointed exchange")
    story = make_story("Live", statements=[("Tense.", [evidence])])
    url = reverse("admin:stories_story_revisions", args=[story.pk])
    assert editor_client.post(url, {"revision": "²"}).status_code == 400
