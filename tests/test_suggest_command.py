"""``manage.py suggest [--json] [ARTICLE_ID ...]``: what the desk proposes, printed, not stored."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from stories.models import Article, NotAPerson, Person, PersonSuggestion

from .factories import make_article

pytestmark = pytest.mark.django_db

BODY = (
    "Mayor Ada Quist opened the Leith Marathon on Sunday. “It is a good day,” the mayor said.\n\n"
    "Tom Ebb, 61, finished second. “I nearly stopped,” he said. “My legs went.”\n\n"
    "Hale Stott sponsored the race, said a spokesman for the organisers."
)


def suggest(*args):
    out = StringIO()
    call_command("suggest", *args, stdout=out)
    return out.getvalue()


def test_json_has_the_documented_shape_with_people_on_file_and_new_names():
    article = make_article(body=BODY, headline="Marathon")
    ebb = Person.objects.create(name="Tom Ebb")

    data = json.loads(suggest("--json", str(article.pk)))

    [item] = data["articles"]
    assert set(data) == {"articles"}
    assert set(item) == {"id", "headline", "people", "quotes"}
    assert (item["id"], item["headline"]) == (article.pk, "Marathon")
    people = {person["name"]: person for person in item["people"]}
    assert set(people) == {"Ada Quist", "Tom Ebb", "Hale Stott"}
    for person in item["people"]:
        assert set(person) == {"name", "kind", "person", "mentions"}
        for start, end in person["mentions"]:
            assert article.body[start:end].strip() == article.body[start:end]
    assert (people["Tom Ebb"]["kind"], people["Tom Ebb"]["person"]) == ("known", ebb.pk)
    assert (people["Ada Quist"]["kind"], people["Ada Quist"]["person"]) == ("new", None)
    # The role is a mention of her: "Mayor Ada Quist ... the mayor said".
    assert [article.body[s:e] for s, e in people["Ada Quist"]["mentions"]] == [
        "Ada Quist",
        "the mayor",
    ]
    quotes = item["quotes"]
    for quote in quotes:
        assert set(quote) == {"text", "start", "end", "speaker", "speaker_kind", "person"}
        assert article.body[quote["start"] : quote["end"]] == quote["text"]
    assert [(q["speaker"], q["speaker_kind"], q["person"]) for q in quotes] == [
        ("Ada Quist", "name", None),
        ("Tom Ebb", "name", ebb.pk),  # "he": the one person in view
        ("Tom Ebb", "name", ebb.pk),  # the quotation carries on his words
    ]
    assert not PersonSuggestion.objects.exists()  # nothing is written


def test_names_ruled_out_are_left_out_and_every_article_is_listed_by_default():
    first = make_article(body=BODY, headline="Marathon")
    second = make_article(body="Ada Quist met Tom Ebb.", headline="Meeting")
    NotAPerson.objects.create(name="Hale Stott", kind="business")

    data = json.loads(suggest("--json"))

    assert [item["id"] for item in data["articles"]] == [first.pk, second.pk]
    assert "Hale Stott" not in {p["name"] for item in data["articles"] for p in item["people"]}


def test_plain_output_names_each_article_person_and_quote():
    article = make_article(body=BODY, headline="Marathon")

    printed = suggest(str(article.pk))

    assert printed.splitlines()[0] == f"#{article.pk} Marathon"
    assert "  person  Ada Quist (new, Mayor): 2 mention(s)" in printed
    assert "  quote   “It is a good day,” — Ada Quist (name)" in printed


def test_unknown_ids_are_named():
    make_article()
    with pytest.raises(CommandError, match="No article with id 998, 999"):
        suggest("999", "998", str(Article.objects.get().pk))
