"""Merging duplicate people: everything that pointed at the merged person moves
to the one kept, and nothing is lost or duplicated."""

import pytest
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from stories.models import (
    Article,
    ArticlePerson,
    Claim,
    ClaimPerson,
    Evidence,
    Origin,
    Person,
    PersonMention,
    PersonSuggestion,
    Statement,
    StatementPerson,
    Story,
    StoryRevision,
)
from stories.services import merging, publishing

from .desk import client_for, desk_user, messages_of
from .factories import make_article, make_evidence, make_story

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:stories_person_changelist")


@pytest.fixture
def people():
    megan = Person.objects.create(
        name="Megan Thee Stallion", slug="megan-thee-stallion", aliases="Megan"
    )
    meg = Person.objects.create(
        name="Meg", slug="meg", aliases="Tina Snow\nmegan", description="Rapper"
    )
    return megan, meg


@pytest.fixture
def world(people):
    """Meg alone on one of each object, and both of them on another of each."""
    megan, meg = people
    only = make_article(body="Meg arrived early. Megan left late.", headline="Only Meg")
    both = make_article()  # the factory's body names Megan Thee Stallion
    only.people.add(meg)
    both.people.add(meg, megan)
    claim_only = Claim.objects.create(text="Meg arrived early")
    claim_both = Claim.objects.create(text="They met")
    claim_only.people.add(meg)
    claim_both.people.add(meg, megan)
    evidence = make_evidence(only, "Meg arrived early", claim=claim_only)
    evidence.origin = Origin.objects.create(kind="person", label="Meg", person=meg)
    evidence.save()
    story = make_story(
        "Backstage",
        statements=[("Meg arrived.", [evidence]), ("They met.", [evidence])],
        published=False,
    )
    statement_only, statement_both = story.statements.order_by("position")
    statement_only.people.add(meg)
    statement_both.people.add(meg, megan)
    publishing.publish_story(story, None)
    story.refresh_from_db()
    PersonMention.objects.create(article=only, person=meg, start=0, end=3, text="Meg")
    PersonMention.objects.create(article=both, person=meg, start=22, end=27, text="Megan")
    PersonMention.objects.create(article=both, person=megan, start=22, end=27, text="Megan")
    PersonSuggestion.objects.create(article=only, name="Meg", person=meg, mentions=[[0, 3]])
    return {
        "articles": (only, both),
        "claims": (claim_only, claim_both),
        "statements": (statement_only, statement_both),
        "evidence": evidence,
        "story": story,
    }


@pytest.fixture
def editor(django_user_model):
    return client_for(desk_user(django_user_model, "editor"))


def ask_to_merge(client, *people):
    return client.post(
        CHANGELIST,
        {"action": "merge_people", "_selected_action": [str(person.pk) for person in people]},
    )


def confirm_merge(client, keep, *people):
    return client.post(
        CHANGELIST,
        {
            "action": "merge_people",
            "_selected_action": [str(person.pk) for person in people],
            "confirm": "yes",
            "keep": str(keep.pk),
        },
    )


def assert_merged_into(megan, meg_pk, world):
    megan.refresh_from_db()
    assert not Person.objects.filter(pk=meg_pk).exists()
    only, both = world["articles"]
    assert set(Article.objects.filter(people=megan)) == {only, both}
    assert set(Claim.objects.filter(people=megan)) == set(world["claims"])
    assert set(Statement.objects.filter(people=megan)) == set(world["statements"])
    for through, count in [(ArticlePerson, 2), (ClaimPerson, 2), (StatementPerson, 2)]:
        assert through.objects.count() == count, through  # no duplicate, none lost
        assert set(through.objects.values_list("tag", flat=True)) == {megan.pk}
    assert sorted(PersonMention.objects.values_list("article", "start", "person")) == [
        (only.pk, 0, megan.pk),
        (both.pk, 22, megan.pk),
    ]
    assert Evidence.objects.get(pk=world["evidence"].pk).origin.person == megan
    assert PersonSuggestion.objects.get().person == megan
    revision = StoryRevision.objects.get()
    assert list(revision.people.all()) == [megan]
    assert [item.people_ids for item in revision.statements()] == [(megan.pk,), (megan.pk,)]
    assert megan.alias_list == ["Megan", "Meg", "Tina Snow"]
    assert megan.description == "Rapper"


# --------------------------------------------------------------------------------------------
# Through the admin


def test_merge_page_lists_each_person_with_their_counts(editor, people, world):
    megan, meg = people

    response = ask_to_merge(editor, meg, megan)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "admin/stories/person/merge.html"
    assert "admin/base_site.html" in [template.name for template in response.templates]
    assert response.context["columns"] == [
        "articles",
        "claims",
        "statements",
        "mentions",
        "origins",
        "suggestions",
        "published revisions",
    ]
    usage = {person.name: person.usage for person in response.context["people"]}
    assert usage == {
        "Meg": [2, 2, 2, 2, 1, 1, 1],
        "Megan Thee Stallion": [1, 1, 1, 1, 0, 0, 1],
    }
    assert f'value="{megan.pk}"' in html and f'value="{meg.pk}"' in html
    assert 'name="keep"' in html
    assert Person.objects.count() == 2  # nothing merged until confirmed


def test_merging_meg_into_megan_moves_everything(editor, people, world):
    megan, meg = people
    meg_pk = meg.pk

    response = confirm_merge(editor, megan, meg, megan)

    assert response.status_code == 302
    assert any("Merged Meg into Megan Thee Stallion" in m for m in messages_of(response))
    assert_merged_into(megan, meg_pk, world)
    person_type = ContentType.objects.get_for_model(Person)
    assert LogEntry.objects.filter(
        content_type=person_type,
        object_id=str(megan.pk),
        action_flag=CHANGE,
        change_message="Merged Meg into Megan Thee Stallion.",
    ).exists()
    assert LogEntry.objects.filter(
        content_type=person_type, object_id=str(meg_pk), action_flag=DELETION, object_repr="Meg"
    ).exists()


def test_readers_still_see_the_person_on_the_published_story(editor, people, world):
    megan, meg = people

    confirm_merge(editor, megan, meg, megan)

    html = client_for(None).get(world["story"].get_absolute_url()).content.decode()
    assert f'href="{megan.get_absolute_url()}"' in html


def test_merge_needs_a_choice_among_the_selected(editor, people, world):
    megan, meg = people
    stranger = Person.objects.create(name="Justin Timberlake", slug="justin-timberlake")

    response = confirm_merge(editor, stranger, meg, megan)

    assert response.status_code == 200
    assert response.context["form"].errors["keep"]
    assert Person.objects.count() == 3


def test_merge_needs_two_people(editor, people):
    megan, _ = people

    response = ask_to_merge(editor, megan)

    assert response.status_code == 302
    assert any("at least two" in m for m in messages_of(response))


def test_a_reporter_cannot_merge(django_user_model, people, world):
    megan, meg = people
    reporter = client_for(desk_user(django_user_model, "reporter"))

    changelist = reporter.get(CHANGELIST)
    asked = ask_to_merge(reporter, meg, megan)
    confirmed = confirm_merge(reporter, megan, meg, megan)

    assert changelist.status_code == 200
    assert 'value="merge_people"' not in changelist.content.decode()
    # The reporter has no action on people, so the post just shows the changelist again.
    for response in [asked, confirmed]:
        assert response.status_code == 200
        assert [t.name for t in response.templates][0] == "admin/change_list.html"
    assert Person.objects.count() == 2
    assert ArticlePerson.objects.filter(tag=meg).count() == 2
    assert not LogEntry.objects.exists()


def test_editor_sees_the_merge_action(editor, people):
    assert 'value="merge_people"' in editor.get(CHANGELIST).content.decode()


# --------------------------------------------------------------------------------------------
# The service


def test_service_merges_people_tagged_on_the_same_objects(people, world):
    megan, meg = people
    meg_pk = meg.pk

    merging.merge_people(megan, [meg])

    assert_merged_into(megan, meg_pk, world)


def test_service_merges_several_people_at_once(people, world):
    megan, meg = people
    thee = Person.objects.create(name="Thee Stallion", slug="thee-stallion", aliases="Meg")
    world["articles"][1].people.add(thee)

    merging.merge_people(megan, [meg, thee, megan])

    megan.refresh_from_db()
    assert megan.alias_list == ["Megan", "Meg", "Tina Snow", "Thee Stallion"]
    assert Person.objects.get() == megan
    assert ArticlePerson.objects.count() == 2


def test_merge_covers_every_relation_to_a_person():
    """A new model pointing at Person must be handled by merge_people (and this list)."""
    related = {rel.related_model for rel in Person._meta.related_objects}

    assert related == {
        # Tagged objects, through the three tables below.
        Article,
        Claim,
        Statement,
        ArticlePerson,
        ClaimPerson,
        StatementPerson,
        PersonMention,
        PersonSuggestion,
        StoryRevision,
        Origin,
    }


def test_merge_bumps_the_lock_version_of_what_it_retags(people, world):
    """Forms opened before the merge must not write the merged person back."""
    megan, meg = people
    evidence, story = world["evidence"], world["story"]
    claim_only, claim_both = world["claims"]
    before = {
        "evidence": Evidence.objects.get(pk=evidence.pk).version,
        "claim": Claim.objects.get(pk=claim_only.pk).version,
        "story": Story.objects.get(pk=story.pk).version,
    }

    merging.merge_people(megan, [meg])

    # The evidence row is untouched: its origin, not the passage, names the person.
    assert Evidence.objects.get(pk=evidence.pk).version == before["evidence"]
    assert Evidence.objects.get(pk=evidence.pk).origin.person == megan
    assert Claim.objects.get(pk=claim_only.pk).version == before["claim"] + 1
    assert Story.objects.get(pk=story.pk).version == before["story"] + 1


def test_merge_moves_the_origins_that_name_the_person(people):
    megan, meg = people
    origin = Origin.objects.create(kind="person", label="Meg, on TikTok", person=meg)

    merging.merge_people(megan, [meg])

    origin.refresh_from_db()
    assert origin.person == megan
