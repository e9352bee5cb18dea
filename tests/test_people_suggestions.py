"""People suggestions: proposed on import or on demand, decided by an editor in the reading
view, remembered when rejected; and the links stored mentions give the source page."""

import threading
from contextlib import contextmanager
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stories.models import (
    Article,
    ArticlePerson,
    Claim,
    Person,
    PersonMention,
    PersonSuggestion,
    SuggestionStatus,
)
from stories.services import suggestions

from .desk import desk_user
from .factories import make_article, make_evidence, make_story
from .seed_facts import NAMED_PEOPLE, NOT_PEOPLE
from .test_locking import _in_thread

pytestmark = pytest.mark.django_db

SEEDS = sorted((Path(settings.BASE_DIR) / "fixtures" / "seeds").glob("*.txt"))
EW_START = "Justin Timberlake and Megan Thee Stallion appeared to get into"

PENDING = SuggestionStatus.PENDING


def load_seeds(with_people=True):
    fixtures = ["seed_articles", "demo_story"] if with_people else ["seed_articles"]
    call_command("loaddata", *fixtures, verbosity=0)


def ew_article():
    return Article.objects.get(body__startswith=EW_START)


def suggestion_named(article, name):
    return PersonSuggestion.objects.get(article=article, name=name)


def decide_url(suggestion):
    return reverse(
        "admin:stories_article_decide_suggestion", args=[suggestion.article_id, suggestion.pk]
    )


def log_entries(obj, action_flag):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        action_flag=action_flag,
    )


def staff_with(client, *codenames, username="reporter"):
    user = User.objects.create_user(username, password="irrelevant-pw", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    client.force_login(user)
    return user


# --------------------------------------------------------------------------------------------
# What is suggested


@pytest.mark.parametrize("with_people", [True, False], ids=["people-on-file", "no-people"])
def test_seed_articles_suggest_the_people_they_name_and_no_non_people(with_people):
    load_seeds(with_people)
    if not with_people:
        assert not Person.objects.exists()

    names = set()
    for article in Article.objects.all():
        for suggestion in suggestions.suggest_people(article):
            names.add(suggestion.person.name if suggestion.person else suggestion.name)
            body = article.body
            for start, end in suggestion.mentions:
                assert body[start:end].strip() == body[start:end] and body[start:end]

    assert set(NAMED_PEOPLE) <= names
    assert not names & set(NOT_PEOPLE)
    assert not Person.objects.exists() or Person.objects.count() == 10  # nothing created


def test_known_people_are_suggested_with_the_person_and_new_names_without(db):
    load_seeds()
    article = ew_article()
    Person.objects.filter(name="Cardi B").delete()

    suggestions.suggest_people(article)

    megan = suggestion_named(article, "Megan Thee Stallion")
    cardi = suggestion_named(article, "Cardi B")
    assert megan.person == Person.objects.get(name="Megan Thee Stallion")
    assert megan.status == PENDING
    assert {article.body[s:e] for s, e in megan.mentions} == {"Megan Thee Stallion", "Megan"}
    assert cardi.person is None
    assert [article.body[s:e] for s, e in cardi.mentions] == ["Cardi B"]
    assert not ArticlePerson.objects.exists()  # nothing is tagged until an editor accepts
    assert not PersonMention.objects.exists()


def test_a_possessive_mention_excludes_the_s(db):
    load_seeds()
    article = ew_article()
    possessive = article.body.index("Megan's hair")

    suggestions.suggest_people(article)

    mentions = suggestion_named(article, "Megan Thee Stallion").mentions
    assert [possessive, possessive + len("Megan")] in mentions
    assert not any(end == possessive + len("Megan's") for _, end in mentions)


def test_suggesting_again_neither_duplicates_nor_changes_pending_suggestions(db):
    load_seeds()
    article = ew_article()

    first = suggestions.suggest_people(article)
    again = suggestions.suggest_people(article)

    assert sorted(s.pk for s in first) == sorted(s.pk for s in again)
    assert PersonSuggestion.objects.filter(article=article).count() == len(first)


def test_a_tagged_person_whose_mentions_are_stored_is_not_suggested_again(db, admin_user):
    load_seeds()
    article = ew_article()
    suggestions.suggest_people(article)
    suggestions.accept_suggestion(suggestion_named(article, "Taylor Swift"), admin_user)

    pending = suggestions.suggest_people(article)

    assert "Taylor Swift" not in {s.name for s in pending}
    assert suggestion_named(article, "Taylor Swift").status == SuggestionStatus.ACCEPTED


def test_a_known_person_tagged_without_stored_mentions_is_still_suggested(db):
    load_seeds()
    article = ew_article()
    article.people.add(Person.objects.get(name="Lance Bass"))

    pending = suggestions.suggest_people(article)

    assert "Lance Bass" in {s.name for s in pending}


# --------------------------------------------------------------------------------------------
# Deciding in the reading view


def test_reading_view_lists_pending_suggestions_with_their_mentions_in_context(admin_client):
    load_seeds()
    article = ew_article()
    Person.objects.filter(name="Cardi B").delete()
    suggestions.suggest_people(article)

    page = admin_client.get(reverse("admin:stories_article_read", args=[article.pk]))

    html = page.content.decode()
    assert "Suggested people" in html
    cardi = suggestion_named(article, "Cardi B")
    assert f'action="{decide_url(cardi)}"' in html
    assert f'id="suggestion-{cardi.pk}-name" name="name" value="Cardi B"' in html
    assert "new song &quot;Bongos&quot; with <mark>Cardi B</mark>. Timberlake" in html
    assert 'name="decision" value="accept"' in html and 'name="decision" value="reject"' in html


def test_accepting_a_known_person_tags_the_article_and_stores_every_mention(
    admin_client, admin_user
):
    load_seeds()
    article = ew_article()
    suggestions.suggest_people(article)
    suggestion = suggestion_named(article, "Joey Fatone")
    joey = Person.objects.get(name="Joey Fatone")

    response = admin_client.post(decide_url(suggestion), {"decision": "accept"})

    assert response.status_code == 302
    assert list(article.people.all()) == [joey]
    mentions = PersonMention.objects.filter(article=article, person=joey).order_by("start")
    assert [(m.start, m.end, m.text) for m in mentions] == [
        (s, e, article.body[s:e]) for s, e in suggestion.mentions
    ]
    assert [m.text for m in mentions] == ["Joey Fatone", "Fatone"]
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (SuggestionStatus.ACCEPTED, admin_user)
    assert log_entries(article, CHANGE).get().user == admin_user
    assert log_entries(suggestion, CHANGE).get().user == admin_user
    assert Person.objects.count() == 10


def test_accepting_a_new_name_creates_the_person_under_the_edited_name(admin_client, admin_user):
    load_seeds(with_people=False)
    article = ew_article()
    suggestions.suggest_people(article)
    suggestion = suggestion_named(article, "JC Chasez")

    response = admin_client.post(
        decide_url(suggestion), {"decision": "accept", "name": "  Joshua  Chasez "}
    )

    assert response.status_code == 302
    person = Person.objects.get()
    assert person.name == "Joshua Chasez"
    assert person.alias_list == ["JC Chasez"]  # the article's spelling is found next time
    assert person.slug
    assert list(article.people.all()) == [person]
    assert PersonMention.objects.get().text == "JC Chasez"
    addition = log_entries(person, ADDITION).get()
    assert addition.user == admin_user
    suggestion.refresh_from_db()
    assert suggestion.person == person

    # Known now, under its alias: not proposed as a new name again.
    assert "JC Chasez" not in {s.name for s in suggestions.suggest_people(article)}


def test_a_rejected_name_is_remembered_and_never_proposed_again(admin_client, admin_user):
    load_seeds(with_people=False)
    article = ew_article()
    suggestions.suggest_people(article)
    suggestion = suggestion_named(article, "Chris Kirkpatrick")

    response = admin_client.post(decide_url(suggestion), {"decision": "reject"})
    pending = suggestions.suggest_people(article)
    # Even once the desk knows him, he is not suggested for this article again.
    Person.objects.create(name="Chris Kirkpatrick")
    pending_with_person = suggestions.suggest_people(article)

    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by) == (SuggestionStatus.REJECTED, admin_user)
    assert "Chris Kirkpatrick" not in {s.name for s in pending}
    assert "Chris Kirkpatrick" not in {s.name for s in pending_with_person}
    assert PersonSuggestion.objects.filter(article=article, name="Chris Kirkpatrick").count() == 1
    assert not ArticlePerson.objects.exists()
    assert log_entries(suggestion, CHANGE).get().user == admin_user


def test_a_decided_suggestion_cannot_be_decided_again(admin_client):
    load_seeds()
    article = ew_article()
    suggestions.suggest_people(article)
    suggestion = suggestion_named(article, "Lance Bass")
    admin_client.post(decide_url(suggestion), {"decision": "reject"})

    response = admin_client.post(decide_url(suggestion), {"decision": "accept"}, follow=True)

    assert "already rejected" in response.content.decode()
    assert not ArticlePerson.objects.exists()


def test_deciding_needs_change_article_and_a_new_person_needs_add_person(client):
    load_seeds(with_people=False)
    article = ew_article()
    Person.objects.create(name="Taylor Swift")
    suggestions.suggest_people(article)
    new_name = suggestion_named(article, "Lance Bass")
    known = suggestion_named(article, "Taylor Swift")
    assert known.person is not None
    staff_with(client, "view_article")

    refused = [
        client.post(decide_url(new_name), {"decision": "reject"}),
        client.post(reverse("admin:stories_article_suggest_people", args=[article.pk])),
    ]
    User.objects.get(username="reporter").user_permissions.add(
        Permission.objects.get(codename="change_article")
    )
    no_add_person = client.post(decide_url(new_name), {"decision": "accept"})
    known_accepted = client.post(decide_url(known), {"decision": "accept"})

    assert [r.status_code for r in refused] == [403, 403]
    assert no_add_person.status_code == 403
    assert not Person.objects.filter(name="Lance Bass").exists()
    assert known_accepted.status_code == 302
    assert list(article.people.all()) == [known.person]


def test_a_suggestion_needs_a_new_person_only_for_a_name_nobody_has():
    article = make_article()
    Person.objects.create(name="Lance Bass")
    known = PersonSuggestion.objects.create(
        article=article, name="JT", person=Person.objects.create(name="Justin Timberlake")
    )
    new = PersonSuggestion.objects.create(article=article, name="Joey  Fatone")

    assert not known.needs_new_person()
    assert not known.needs_new_person("Someone Else")  # the person is already known
    assert new.needs_new_person()
    assert new.person_name() == "Joey Fatone"
    # The editor's correction is what would be created; spacing and case do not matter.
    assert not new.needs_new_person("  lance\tbass ")
    assert new.person_name("  lance\tbass ") == "lance bass"


# --------------------------------------------------------------------------------------------
# When suggestions are made


def test_import_command_creates_pending_suggestions():
    call_command("import_articles", str(SEEDS[0]), "--outlet", "EW", verbosity=0)

    article = Article.objects.get()
    names = set(
        PersonSuggestion.objects.filter(article=article, status=PENDING).values_list(
            "name", flat=True
        )
    )
    assert set(NAMED_PEOPLE) <= names
    assert not Person.objects.exists() and not ArticlePerson.objects.exists()


def test_admin_upload_creates_pending_suggestions_and_logs_them(admin_client, admin_user):
    upload = SimpleUploadedFile("ew.txt", SEEDS[0].read_bytes(), content_type="text/plain")

    response = admin_client.post(
        reverse("admin:stories_article_import"), {"files": [upload], "outlet": "EW"}, follow=True
    )

    article = Article.objects.get()
    assert PersonSuggestion.objects.filter(article=article, status=PENDING).count() >= 10
    assert "suggested people to confirm" in response.content.decode()
    messages = log_entries(article, CHANGE).values_list("change_message", "user")
    assert any(
        "Suggested people" in message and user == admin_user.pk for message, user in messages
    )


def test_admin_action_and_reading_view_button_suggest_people(admin_client, admin_user):
    load_seeds()
    first, *others = Article.objects.order_by("pk")

    action = admin_client.post(
        reverse("admin:stories_article_changelist"),
        {"action": "suggest_people", "_selected_action": [first.pk]},
    )
    button = admin_client.post(reverse("admin:stories_article_suggest_people", args=[others[0].pk]))

    assert action.status_code == 302 and button.status_code == 302
    assert PersonSuggestion.objects.filter(article=first).exists()
    assert PersonSuggestion.objects.filter(article=others[0]).exists()
    assert not PersonSuggestion.objects.filter(article=others[1]).exists()
    assert log_entries(first, CHANGE).get().user == admin_user
    assert log_entries(others[0], CHANGE).get().user == admin_user


# --------------------------------------------------------------------------------------------
# The source page links stored mentions to people readers can look up


MENTION_BODY = (
    "Megan Thee Stallion spoke to Justin Timberlake backstage.\n\n"
    "Later Megan said the exchange was friendly."
)


def public_article_with_mentions():
    article = make_article(body=MENTION_BODY)
    evidence = make_evidence(article, "Later Megan said the exchange was friendly")
    megan = Person.objects.create(name="Megan Thee Stallion", aliases="Megan")
    justin = Person.objects.create(name="Justin Timberlake")
    evidence.claim.people.add(megan)  # Megan's page is public once the story is published
    make_story("Friendly", statements=[("It was friendly.", [evidence])])
    for person, text in [(megan, "Megan Thee Stallion"), (justin, "Justin Timberlake")]:
        start = MENTION_BODY.index(text)
        PersonMention.objects.create(
            article=article, person=person, start=start, end=start + len(text), text=text
        )
    later = MENTION_BODY.index("Megan said")
    PersonMention.objects.create(
        article=article, person=megan, start=later, end=later + 5, text="Megan"
    )
    return article, megan, justin


def test_source_page_links_mentions_of_public_people_only(client, django_user_model):
    article, megan, justin = public_article_with_mentions()
    assert list(Person.objects.published()) == [megan]

    html = client.get(article.get_absolute_url()).content.decode()

    megan_link = f'<a class="mention" href="{megan.get_absolute_url()}">'
    assert f"{megan_link}Megan Thee Stallion</a>" in html
    assert f"{megan_link}Megan</a>" in html  # inside the highlighted passage as well
    assert "<mark" in html.split(f"{megan_link}Megan</a>")[0].rsplit("</mark>", 1)[-1]
    assert justin.get_absolute_url() not in html
    assert "Justin Timberlake backstage" in html

    client.force_login(desk_user(django_user_model, "reporter", "desk"))  # may preview
    staff_html = client.get(article.get_absolute_url()).content.decode()
    assert f'<a class="mention" href="{justin.get_absolute_url()}">Justin Timberlake</a>' in (
        staff_html
    )


def test_source_page_ignores_a_mention_that_no_longer_matches_the_text(client):
    article, megan, _ = public_article_with_mentions()
    PersonMention.objects.filter(person=megan, start=0).update(text="Someone else")

    html = client.get(article.get_absolute_url()).content.decode()

    assert f'href="{megan.get_absolute_url()}">Megan Thee Stallion</a>' not in html
    assert f'href="{megan.get_absolute_url()}">Megan</a>' in html


def test_source_page_query_count_does_not_grow_with_mentions(client, settings):
    settings.NEWSROOM_PAGE_CACHE = False  # both requests render the page
    article, megan, _ = public_article_with_mentions()
    url = article.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(3, 15):
        other = Person.objects.create(name=f"Person {i}")
        for claim in Claim.objects.filter(people=megan):
            claim.people.add(other)
        PersonMention.objects.create(
            article=article, person=other, start=i, end=i + 1, text=MENTION_BODY[i]
        )
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()

    assert len(many.captured_queries) == len(few.captured_queries)
    assert html.count('class="mention"') > 10


def test_suggest_people_command_proposes_for_every_article_and_names_missing_ids(db):
    call_command("loaddata", "seed_articles", "demo_story", verbosity=0)
    out = StringIO()
    call_command("suggest_people", stdout=out)
    assert out.getvalue().count("to confirm") == Article.objects.count()
    assert PersonSuggestion.objects.filter(status=SuggestionStatus.PENDING).exists()
    with pytest.raises(CommandError, match="No article with id 999"):
        call_command("suggest_people", "999")


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
# Two editors accepting the same new name at once


NEW_NAME_BODY = "Jordan Quill spoke first.\n\nLater Jordan Quill left the stage."


def new_name_suggestions(count):
    """``count`` articles, each with a pending suggestion of the same new name."""
    return [
        PersonSuggestion.objects.create(
            article=make_article(body=f"{NEW_NAME_BODY}\n\nArticle {n}.", headline=f"Quill {n}"),
            name="Jordan Quill",
            mentions=[[0, 12]],
        )
        for n in range(count)
    ]


@contextmanager
def on_new_person(handler):
    """Run ``handler`` when a new person is built (``Person(...)``, not loaded): the
    service has looked for someone of that name, found nobody, and is about to insert."""

    def receiver(sender, instance, **kwargs):
        if instance.pk is None:
            handler(instance)

    post_init.connect(receiver, sender=Person, dispatch_uid="test-new-person")
    try:
        yield
    finally:
        post_init.disconnect(sender=Person, dispatch_uid="test-new-person")


def test_a_person_created_between_the_check_and_the_insert_is_the_one_used(admin_user):
    """The race, made deterministic: another editor's acceptance creates the person
    after this one found nobody of that name and before it inserts its own."""
    mine, theirs = new_name_suggestions(2)
    created = []

    def the_other_editor_accepts_first(instance):
        if not created:
            created.append(None)  # once: building their person runs this hook too
            created[0] = suggestions.accept_suggestion(theirs, admin_user).person

    with on_new_person(the_other_editor_accepts_first):
        result = suggestions.accept_suggestion(mine, admin_user)

    assert created and result.person == created[0]
    assert result.person_created is False
    assert list(Person.objects.values_list("name", flat=True)) == ["Jordan Quill"]
    for suggestion in (mine, theirs):
        suggestion.refresh_from_db()
        assert suggestion.status == SuggestionStatus.ACCEPTED
        assert suggestion.person == result.person
        assert list(suggestion.article.people.all()) == [result.person]
        assert PersonMention.objects.filter(article=suggestion.article).count() == 1


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite allows one writer at a time, so two transactions "
    "cannot both insert the same new person at once (set DATABASE_URL=postgres://… to run it)",
)
@pytest.mark.django_db(transaction=True)
def test_two_editors_accepting_the_same_new_name_at_once_get_one_person(django_user_model):
    """Two connections, two articles, the same new name: each round both editors have
    looked and found nobody before either inserts (a barrier), so one insert waits on
    the other's unique name and fails; that editor gets the person the other created."""
    editors = [
        django_user_model.objects.create_user(name, password="irrelevant-pw", is_staff=True)
        for name in ("alice", "bob")
    ]
    for round_ in range(4):
        pending = new_name_suggestions(2)
        with on_new_person(_both_looked_before_either_inserts()):
            results = {}
            threads = [
                _in_thread(
                    lambda s=suggestion, e=editor: suggestions.accept_suggestion(s, e),
                    results,
                    editor.username,
                )
                for suggestion, editor in zip(pending, editors, strict=True)
            ]
            for thread in threads:
                thread.join(20)
        assert all(isinstance(r, suggestions.Acceptance) for r in results.values()), results
        assert sorted(r.person_created for r in results.values()) == [False, True], round_
        assert results["alice"].person.pk == results["bob"].person.pk
        assert Person.objects.filter(name="Jordan Quill").count() == 1
        Person.objects.all().delete()
        Article.objects.all().delete()


def _both_looked_before_either_inserts():
    """A hook holding each thread's new person until both threads have built theirs,
    that is until both have looked for the name and found nobody."""
    barrier, waited = threading.Barrier(2), set()

    def hold(instance):
        if threading.get_ident() not in waited:
            waited.add(threading.get_ident())
            barrier.wait(5)

    return hold
