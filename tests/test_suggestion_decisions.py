"""What an editor decides about a suggested name, through the real admin: "not a person" for
the whole desk, "not in this article" for one, undoing either, and the title or role kept as
the new person's description."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from stories.models import (
    Article,
    NotAPerson,
    NotAPersonKind,
    Person,
    PersonMention,
    PersonSuggestion,
    SuggestionStatus,
)
from stories.services import suggestions

from .desk import client_for, desk_user, messages_of
from .factories import make_article

pytestmark = pytest.mark.django_db

PENDING, REJECTED = SuggestionStatus.PENDING, SuggestionStatus.REJECTED

# A brokerage that reads like a person, and two people, one with a title.
FIRST = (
    "Ravi Menon, an analyst, said the cuts were overdue. Hale Stott advised the board.\n\n"
    "Councillor Ada Quist voted against it. “We were not told,” Quist said."
)
SECOND = (
    "Hale Stott raised its forecast on Tuesday, Ravi Menon said. Hale Stott declined to comment."
)
LATER = "The bank and Hale Stott both wrote to Ravi Menon in June."


def read_url(article):
    return reverse("admin:stories_article_read", args=[article.pk])


def decide_url(suggestion):
    return reverse(
        "admin:stories_article_decide_suggestion", args=[suggestion.article_id, suggestion.pk]
    )


def named(article, name):
    return PersonSuggestion.objects.get(article=article, name=name)


def pending_names(article):
    return set(
        PersonSuggestion.objects.filter(article=article, status=PENDING).values_list(
            "name", flat=True
        )
    )


def logged(obj, flag):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        action_flag=flag,
    )


@pytest.fixture
def editor(django_user_model):
    return desk_user(django_user_model, "editor")


@pytest.fixture
def two_articles():
    first = make_article(body=FIRST, headline="Cuts")
    second = make_article(body=SECOND, headline="Forecast")
    for article in (first, second):
        suggestions.suggest_people(article)
    return first, second


# --- Not a person: the whole desk -------------------------------------------------------------


def test_the_card_offers_not_in_this_article_and_not_a_person_with_its_kinds(editor, two_articles):
    first, _ = two_articles
    page = client_for(editor).get(read_url(first))

    stott = named(first, "Hale Stott")
    html = page.content.decode()
    assert "Not in this article</button>" in html
    assert f'id="suggestion-{stott.pk}-kind" name="kind"' in html
    for value, label in NotAPersonKind.choices:
        assert f'<option value="{value}">{label}</option>' in html
    assert 'name="decision" value="not_a_person"' in html


def test_not_a_person_is_remembered_for_the_desk_and_withdrawn_everywhere(editor, two_articles):
    first, second = two_articles
    assert "Hale Stott" in pending_names(first) and "Hale Stott" in pending_names(second)
    client = client_for(editor)

    response = client.post(
        decide_url(named(first, "Hale Stott")), {"decision": "not_a_person", "kind": "business"}
    )

    assert response.status_code == 302
    ruling = NotAPerson.objects.get()
    assert (ruling.name, ruling.kind, ruling.decided_by) == ("Hale Stott", "business", editor)
    assert logged(ruling, ADDITION).get().user == editor
    assert "Hale Stott" not in pending_names(first) | pending_names(second)
    assert {"Ravi Menon", "Ada Quist"} <= pending_names(first)  # the others stay
    [message] = messages_of(client.get(read_url(first)))
    assert "“Hale Stott” is a business, not a person" in message
    assert "withdrawn from 1 other article" in message


def test_a_name_ruled_out_is_not_proposed_in_a_new_article(editor, two_articles):
    first, _ = two_articles
    client = client_for(editor)
    client.post(
        decide_url(named(first, "Hale Stott")), {"decision": "not_a_person", "kind": "business"}
    )

    # A new article pasted into the admin gets its suggestions on save.
    response = client.post(
        reverse("admin:stories_article_add"),
        {"headline": "Letters", "body": LATER, "source_name": "", "url": "", "byline": ""},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    later = Article.objects.get(headline="Letters")
    assert pending_names(later) == {"Ravi Menon"}
    # Suggesting again does not bring it back either.
    assert "Hale Stott" not in {s.name for s in suggestions.suggest_people(later)}


def test_undoing_not_a_person_in_the_admin_brings_the_name_back(editor, two_articles):
    first, second = two_articles
    client = client_for(editor)
    client.post(
        decide_url(named(first, "Hale Stott")), {"decision": "not_a_person", "kind": "business"}
    )
    ruling = NotAPerson.objects.get()

    listing = client.get(reverse("admin:stories_notaperson_changelist"))
    assert listing.status_code == 200
    assert "Hale Stott" in listing.content.decode() and "a business" in listing.content.decode()
    response = client.post(
        reverse("admin:stories_notaperson_delete", args=[ruling.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not NotAPerson.objects.exists()
    assert "Hale Stott" in pending_names(first) and "Hale Stott" in pending_names(second)
    assert any("Suggested people again in 2 article(s)" in m for m in messages_of(response))


def test_the_changelist_action_undoes_several_rulings(editor, two_articles):
    first, _ = two_articles
    client = client_for(editor)
    for name in ("Hale Stott", "Ada Quist"):
        client.post(decide_url(named(first, name)), {"decision": "not_a_person", "kind": "other"})
    assert NotAPerson.objects.count() == 2

    response = client.post(
        reverse("admin:stories_notaperson_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(NotAPerson.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not NotAPerson.objects.exists()
    assert {"Hale Stott", "Ada Quist"} <= pending_names(first)


def test_a_name_added_in_the_admin_is_ruled_out_and_withdrawn(editor, two_articles):
    first, second = two_articles
    client = client_for(editor)

    response = client.post(
        reverse("admin:stories_notaperson_add"), {"name": "  hale   stott ", "kind": "business"}
    )

    assert response.status_code == 302
    ruling = NotAPerson.objects.get()
    assert (ruling.name, ruling.decided_by) == ("hale stott", editor)
    assert "Hale Stott" not in pending_names(first) | pending_names(second)
    # The same name in another case is the same ruling.
    again = client.post(
        reverse("admin:stories_notaperson_add"), {"name": "Hale  STOTT", "kind": "place"}
    )
    assert again.status_code == 200
    assert "That name is ruled out already" in again.content.decode()
    assert NotAPerson.objects.count() == 1


def test_someone_on_file_cannot_be_ruled_out(editor):
    Person.objects.create(name="Ravi Menon")
    article = make_article(body=FIRST)
    suggestions.suggest_people(article)
    menon = named(article, "Ravi Menon")
    assert menon.person is not None

    page = client_for(editor).get(read_url(article))
    response = client_for(editor).post(
        decide_url(menon), {"decision": "not_a_person", "kind": "other"}, follow=True
    )

    assert f'id="suggestion-{menon.pk}-kind"' not in page.content.decode()
    assert "is on file as a person" in response.content.decode()
    assert not NotAPerson.objects.exists()
    menon.refresh_from_db()
    assert menon.status == PENDING


def test_ruling_out_needs_its_permission_and_reporters_have_it(django_user_model, two_articles):
    first, _ = two_articles
    reporter = desk_user(django_user_model, "reporter")
    stott = named(first, "Hale Stott")
    outsider = django_user_model.objects.create_user("outsider", password="x", is_staff=True)
    outsider.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_article", "change_article"])
    )

    refused = client_for(outsider).post(
        decide_url(stott), {"decision": "not_a_person", "kind": "business"}
    )
    allowed = client_for(reporter).post(
        decide_url(stott), {"decision": "not_a_person", "kind": "business"}
    )

    assert refused.status_code == 403
    assert allowed.status_code == 302
    assert NotAPerson.objects.get().decided_by == reporter


def test_an_unknown_kind_is_refused(editor, two_articles):
    first, _ = two_articles
    response = client_for(editor).post(
        decide_url(named(first, "Hale Stott")),
        {"decision": "not_a_person", "kind": "planet"},
        follow=True,
    )
    assert "Say what the name is" in response.content.decode()
    assert not NotAPerson.objects.exists()
    assert "Hale Stott" in pending_names(first)


# --- Not in this article, and undo -----------------------------------------------------------


def test_not_in_this_article_stays_per_article_and_can_be_undone(editor, two_articles):
    first, second = two_articles
    client = client_for(editor)
    stott = named(first, "Hale Stott")

    client.post(decide_url(stott), {"decision": "reject"})
    page = client.get(read_url(first)).content.decode()

    stott.refresh_from_db()
    assert stott.status == REJECTED
    assert "Hale Stott" in pending_names(second)  # other articles are not touched
    assert not NotAPerson.objects.exists()
    assert '<p class="desk-label">Not in this article</p>' in page
    assert f'action="{decide_url(stott)}"' in page
    assert 'name="decision" value="undo"' in page

    response = client.post(decide_url(stott), {"decision": "undo"})

    assert response.status_code == 302
    assert "Hale Stott" in pending_names(first)
    assert logged(first, CHANGE).filter(change_message__contains="Undid the rejection").exists()
    assert "may be suggested for this article again" in messages_of(client.get(read_url(first)))[0]


def test_only_a_rejection_can_be_undone(editor, two_articles):
    first, _ = two_articles
    menon = named(first, "Ravi Menon")
    response = client_for(editor).post(decide_url(menon), {"decision": "undo"}, follow=True)
    assert "was not rejected" in response.content.decode()
    menon.refresh_from_db()
    assert menon.status == PENDING


# --- Titles kept as descriptions --------------------------------------------------------------


def test_a_title_is_taken_off_the_name_and_kept_as_the_description(editor, two_articles):
    first, _ = two_articles
    quist = named(first, "Ada Quist")
    assert quist.description == "Councillor"
    assert not PersonSuggestion.objects.filter(name__startswith="Councillor").exists()
    page = client_for(editor).get(read_url(first)).content.decode()
    assert f'id="suggestion-{quist.pk}-description" name="description" value="Councillor"' in page

    client_for(editor).post(decide_url(quist), {"decision": "accept", "name": "Ada Quist"})

    person = Person.objects.get(name="Ada Quist")
    assert person.description == "Councillor"
    # Her later "Quist" is a mention of her too.
    assert [m.text for m in PersonMention.objects.filter(person=person)] == ["Ada Quist", "Quist"]


def test_the_editor_may_correct_the_description_and_a_known_person_keeps_theirs(editor):
    article = make_article(body=FIRST)
    suggestions.suggest_people(article)
    client_for(editor).post(
        decide_url(named(article, "Ada Quist")),
        {"decision": "accept", "name": "Ada Quist", "description": "Councillor (Greens)"},
    )
    assert Person.objects.get(name="Ada Quist").description == "Councillor (Greens)"

    known = Person.objects.create(name="Ravi Menon", description="Analyst at Hale Stott")
    suggestions.suggest_people(article)
    client_for(editor).post(decide_url(named(article, "Ravi Menon")), {"decision": "accept"})
    known.refresh_from_db()
    assert known.description == "Analyst at Hale Stott"


# --- A huge article stores a bounded number of mentions ---------------------------------------


def test_a_suggestion_stores_the_first_mentions_and_counts_the_rest(editor):
    paragraph = "Ada Quist spoke. Quist left."
    article = make_article(body="\n\n".join([paragraph] * 150))
    suggestions.suggest_people(article)

    quist = named(article, "Ada Quist")
    assert len(quist.mentions) == suggestions.STORED_MENTIONS
    assert quist.more_mentions == 300 - suggestions.STORED_MENTIONS
    page = client_for(editor).get(read_url(article)).content.decode()
    assert f"and {300 - 3} more mentions" in page
    client_for(editor).post(decide_url(quist), {"decision": "accept"})
    assert PersonMention.objects.filter(person__name="Ada Quist").count() == 200
