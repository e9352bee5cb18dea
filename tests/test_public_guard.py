"""Once something is public, changing what readers see of it is an editor's call.

A published story's address, a public person's name, description and aliases, a
public source's headline, byline, URL, outlet and date, and the name of an outlet a
public source has: read-only for reporters (the form leaves them out, so a posted
value is ignored), editable by editors. Reporters keep full use of what readers
cannot see yet.
"""

import pytest
from django.urls import reverse

from stories.models import Outlet, Person, PersonSuggestion
from stories.services import suggestions

from .desk import client_for, desk_user
from .factories import make_article, make_evidence, make_story
from .test_locking import edit, open_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def public(django_user_model):
    """A published story citing a passage of an EW article, its claim naming Megan."""
    article = make_article(byline="A. Writer", url="https://ew.example/exchange")
    evidence = make_evidence(article, "a pointed exchange")
    megan = Person.objects.create(name="Megan Thee Stallion", aliases="Meg")
    evidence.claim.people.add(megan)
    story = make_story("Live", statements=[("Tense.", [evidence])])
    return {
        "story": story,
        "article": article,
        "outlet": article.outlet,
        "person": megan,
        "reporter": client_for(desk_user(django_user_model, "reporter")),
        "editor": client_for(desk_user(django_user_model, "editor")),
    }


@pytest.fixture
def unseen():
    """The same kinds of objects, none of them public."""
    article = make_article(body="Another text entirely.", headline="Draft source", outlet="ET")
    person = Person.objects.create(name="Justin Timberlake")
    story = make_story("Draft", published=False)
    return {"article": article, "outlet": article.outlet, "person": person, "story": story}


def url_of(obj):
    return reverse(f"admin:stories_{obj._meta.model_name}_change", args=[obj.pk])


def form_fields(client, obj):
    response = client.get(url_of(obj))
    assert response.status_code == 200
    return set(response.context["adminform"].form.fields)


# What readers see of each kind of object, and a change a reporter might post.
GUARDED = {
    "story": (["slug"], {"slug": "moved"}),
    "person": (
        ["name", "slug", "aliases", "description"],
        {"name": "Megan Pete", "slug": "megan-pete", "aliases": "Tina Snow", "description": "X"},
    ),
    "article": (
        ["headline", "outlet", "byline", "url", "published_on"],
        {"headline": "Rewritten", "byline": "Someone", "url": "https://elsewhere.example/"},
    ),
    "outlet": (["name"], {"name": "Entertainment Weekly"}),
}


@pytest.mark.parametrize("kind", GUARDED)
def test_reporters_see_what_readers_see_read_only_and_cannot_post_it(public, kind):
    obj, reporter = public[kind], public["reporter"]
    fields, changes = GUARDED[kind]
    before = {name: getattr(type(obj).objects.get(pk=obj.pk), name) for name in changes}

    assert not form_fields(reporter, obj) & set(fields)
    response = reporter.post(url_of(obj), edit(open_form(reporter, url_of(obj)), **changes))

    assert response.status_code == 302
    after = type(obj).objects.get(pk=obj.pk)
    assert {name: getattr(after, name) for name in changes} == before


@pytest.mark.parametrize("kind", GUARDED)
def test_editors_change_what_readers_see(public, kind):
    obj, editor = public[kind], public["editor"]
    fields, changes = GUARDED[kind]

    assert set(fields) <= form_fields(editor, obj)
    response = editor.post(url_of(obj), edit(open_form(editor, url_of(obj)), **changes))

    assert response.status_code == 302
    after = type(obj).objects.get(pk=obj.pk)
    assert {name: getattr(after, name) for name in changes} == changes


@pytest.mark.parametrize("kind", GUARDED)
def test_reporters_keep_full_use_of_what_readers_cannot_see(public, unseen, kind):
    obj, reporter = unseen[kind], public["reporter"]
    fields, _ = GUARDED[kind]
    assert set(fields) <= form_fields(reporter, obj)


def test_a_reporter_accepting_a_suggestion_adds_no_alias_to_a_public_person(
    public, django_user_model
):
    """Aliases are shown to readers on the person's page: a reporter's accepted
    suggestion tags the article and stores the mentions, but the new alias of a
    public person waits for an editor."""
    reporter = desk_user(django_user_model, "reporter", "reporter-2")
    article = make_article(body="Megan Pete spoke.", headline="Pete", outlet="")
    suggestion = PersonSuggestion.objects.create(
        article=article, name="Megan Pete", mentions=[[0, 10]]
    )

    result = suggestions.accept_suggestion(suggestion, reporter, name="Megan Thee Stallion")

    assert result.person == public["person"] and result.alias_added is False
    public["person"].refresh_from_db()
    assert public["person"].alias_list == ["Meg"]
    assert list(article.people.all()) == [public["person"]]

    editor = desk_user(django_user_model, "editor", "editor-2")
    other = make_article(body="Megan Pete again.", headline="Pete 2", outlet="")
    again = PersonSuggestion.objects.create(article=other, name="Megan Pete", mentions=[[0, 10]])
    assert suggestions.accept_suggestion(again, editor, name="Megan Thee Stallion").alias_added
    public["person"].refresh_from_db()
    assert public["person"].alias_list == ["Meg", "Megan Pete"]


def test_an_outlet_is_public_when_a_public_source_has_it(public, unseen):
    assert list(Outlet.objects.published()) == [public["outlet"]]
    make_article(body="A second EW text.", headline="Second", outlet="EW")
    assert Outlet.objects.published().count() == 1  # once, however many sources
