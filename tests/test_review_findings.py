"""Defects found in review, each pinned by the test that first showed it."""

import pytest
from django.test import Client
from django.urls import reverse

from stories.models import Person, PersonSuggestion

from .desk import change_url, client_for, desk_user, story_form_data
from .factories import make_article, make_evidence, make_story
from .test_locking import edit, open_form

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------------------------
# A contradicting claim readers may not see stays off the public pages


@pytest.fixture
def hidden_rival():
    """A public claim linked under *Contradicts* to a claim only a draft cites,
    whose only passage is in an article no published story uses."""
    cited = make_evidence(make_article(), "a pointed exchange")
    secret = make_article(
        body="Insiders say the meeting was friendly and warm.",
        headline="Unpublished source headline",
        outlet="Unpublished outlet",
    )
    rival = make_evidence(secret, "the meeting was friendly", claim="Draft-only rival claim")
    rival.claim.contradicts.add(cited.claim)
    story = make_story("Live", statements=[("Tense.", [cited])])
    make_story("Draft", published=False, statements=[("Friendly.", [rival])])
    return story, cited, rival


def test_a_rival_claim_only_a_draft_cites_is_not_shown_to_readers(client, hidden_rival):
    story, cited, rival = hidden_rival
    assert client.get(rival.claim.get_absolute_url()).status_code == 404
    assert client.get(rival.article.get_absolute_url()).status_code == 404
    for url in [story.get_absolute_url(), cited.claim.get_absolute_url()]:
        html = client.get(url).content.decode()
        assert "Draft-only rival claim" not in html, url
        assert "Unpublished source headline" not in html, url
        assert "Unpublished outlet" not in html, url
        assert "the meeting was friendly" not in html, url
    # Nothing a reader can see disputes the claim, so it is not flagged as disputed.
    assert "Disputed" not in client.get(story.get_absolute_url()).content.decode()


def test_a_rival_claim_shows_once_published_and_staff_see_it_in_the_preview(
    client, hidden_rival, django_user_model
):
    story, cited, rival = hidden_rival
    staff = client_for(desk_user(django_user_model, "editor"))
    preview = staff.get(story.get_absolute_url() + "?preview").content.decode()
    assert "Draft-only rival claim" in preview

    make_story("Rival live", statements=[("Friendly.", [rival])])
    for url in [story.get_absolute_url(), cited.claim.get_absolute_url()]:
        assert "Draft-only rival claim" in client.get(url).content.decode(), url
    assert "Contradicted by" in client.get(story.get_absolute_url()).content.decode()


def test_see_what_readers_see_is_exactly_the_readers_page(client, hidden_rival, django_user_model):
    """The draft preview's "See what readers see" link shows the desk the page a reader
    gets, byte for byte: not the published revision mixed with a rival claim (and its
    source) that only a draft cites."""
    story, cited, rival = hidden_rival
    story.statements.update(text="Tense, said the draft.")  # the draft differs: a banner
    editor = client_for(desk_user(django_user_model, "editor"))
    preview = editor.get(story.get_absolute_url() + "?preview").content.decode()
    link = f'href="{story.get_absolute_url()}?as=reader">See what readers see</a>'
    assert link in preview

    for url in [story.get_absolute_url(), cited.claim.get_absolute_url()]:
        as_reader = editor.get(url + "?as=reader")
        assert as_reader.status_code == 200
        assert as_reader.content == client.get(url).content, url
        assert "Draft-only rival claim" not in as_reader.content.decode()
    for url in [rival.claim.get_absolute_url(), rival.article.get_absolute_url()]:
        assert editor.get(url + "?as=reader").status_code == 404, url
        assert editor.get(url).status_code == 200, url  # still the desk's preview


# --------------------------------------------------------------------------------------------
# A claim cannot contradict itself


def test_a_claim_cannot_be_linked_as_contradicting_itself(editor_client, client):
    evidence = make_evidence(make_article(), "a pointed exchange")
    story = make_story("Live", statements=[("Tense.", [evidence])])
    url = reverse("admin:stories_claim_change", args=[evidence.claim.pk])

    response = editor_client.post(
        url, edit(open_form(editor_client, url), contradicts=[str(evidence.claim.pk)])
    )

    assert response.status_code == 200
    assert "cannot contradict itself" in " ".join(
        response.context["adminform"].form.errors["contradicts"]
    )
    assert not evidence.claim.contradicts.exists()
    assert "Contradicted by" not in client.get(story.get_absolute_url()).content.decode()


# --------------------------------------------------------------------------------------------
# A person whose name has no letter or digit still gets an address


def test_accepting_a_person_named_with_only_an_emoji_keeps_the_public_pages_up(
    editor_client, client
):
    article = make_article()
    evidence = make_evidence(article, "a pointed exchange")
    suggestion = PersonSuggestion.objects.create(article=article, name="Megan", mentions=[[0, 7]])
    decide = reverse("admin:stories_article_decide_suggestion", args=[article.pk, suggestion.pk])

    editor_client.post(decide, {"decision": "accept", "name": "🎤"})

    person = Person.objects.get(name="🎤")
    assert person.slug
    evidence.claim.people.add(person)
    story = make_story("Live", statements=[("Tense.", [evidence])])
    for url in [story.get_absolute_url(), article.get_absolute_url(), person.get_absolute_url()]:
        assert client.get(url).status_code == 200, url
    assert Person.objects.create(name="🎸").slug not in ("", person.slug)


# --------------------------------------------------------------------------------------------
# Odd input gets a 400 or 404, never a 500


def test_restoring_a_revision_named_by_a_non_ascii_digit_is_a_bad_request(editor_client):
    evidence = make_evidence(make_article(), "a pointed exchange")
    story = make_story("Live", statements=[("Tense.", [evidence])])
    url = reverse("admin:stories_story_revisions", args=[story.pk])
    assert editor_client.post(url, {"revision": "²"}).status_code == 400


def test_a_person_address_with_a_nul_character_is_not_found():
    assert Client(raise_request_exception=True).get("/people/%00/").status_code == 404


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
