"""The labelled evaluation set stays consistent with its articles and covers what issue #10 asks.

These check the set, not the rules: every label points at text that is really in its article,
every quotation in an article is labelled, and the set keeps the size and the hard cases
(non-ASCII and family-name-first names, titles, places named after people, anonymous
sources...) that make its figures mean something. The figures themselves come from
``tests/eval_harness.py``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache

import pytest

from .eval_harness import (
    EVAL_DIR,
    LABELS,
    REPO_ROOT,
    Article,
    LabelError,
    load_set,
    occurrences,
    words,
)

KINDS = {"politics", "courts", "sport", "business", "culture"}
SEEDS = sorted(
    f"fixtures/seeds/{path.name}" for path in (REPO_ROOT / "fixtures/seeds").glob("*.txt")
)
QUOTE_FEATURES = {
    "before",
    "after",
    "inverted",
    "pronoun",
    "role",
    "title",
    "continued",
    "multi-paragraph",
    "nested",
    "ambiguous",
    "organisation",
}
# Titles the issue lists; each must stand before some labelled name in the set.
TITLES = [
    "Mayor",
    "Councillor",
    "Judge",
    "Justice",
    "Dr",
    "Prof.",
    "Sir",
    "Dame",
    "Coach",
    "Chief Executive",
    "Det. Insp.",
    "Ms",
    "Mr",
    "Mrs",
]
TITLE_WORDS = {word for title in TITLES for word in words(title)}
# Non-people named in the issue and the review that found the rules proposing them.
NAMED_AFTER_PEOPLE = [
    "St Mary’s School",
    "Saint-Étienne",
    "Martin Luther King Jr. Boulevard",
    "Nelson Mandela Bridge",
    "Lake Victoria",
    "Washington Square",
]
ORGANISATIONS_LIKE_NAMES = ["Harlow & Finch", "Jonas Brothers Construction", "Lloyd Partners"]
DATELINE = re.compile(r"[A-ZÀ-ÞĐ][A-ZÀ-ÞĐ .'-]+(?:, [A-Z][\w.]*(?: \d+)?)? — ")


@cache
def the_set() -> tuple[Article, ...]:
    return tuple(load_set())


def invented() -> list[Article]:
    return [article for article in the_set() if article.kind != "seed"]


def every_person():
    return [(article, person) for article in the_set() for person in article.people]


def article_ids(article: Article) -> str:
    return article.path.rsplit("/", 1)[-1]


@pytest.fixture(params=the_set(), ids=article_ids)
def article(request) -> Article:
    return request.param


# --- The set as a whole ------------------------------------------------------------------------


def test_every_article_file_is_labelled_once_and_the_seeds_are_in():
    paths = [article.path for article in the_set()]
    assert len(paths) == len(set(paths)), Counter(paths).most_common(1)
    on_disk = sorted(str(path.relative_to(REPO_ROOT)) for path in EVAL_DIR.glob("*.txt"))
    assert sorted(path for path in paths if not path.startswith("fixtures/")) == on_disk
    assert sorted(path for path in paths if path.startswith("fixtures/")) == SEEDS


def test_kinds_sizes_and_the_seeds_a_minority():
    kinds = Counter(article.kind for article in invented())
    assert set(kinds) == KINDS
    assert min(kinds.values()) >= 2, kinds
    assert len(invented()) >= 10
    assert {article.kind for article in the_set()} - KINDS == {"seed"}
    assert len(SEEDS) < len(the_set()) / 2


def test_at_least_fifty_distinct_people_in_the_invented_articles():
    people = {person.name for article in invented() for person in article.people}
    assert len(people) >= 50, len(people)


def test_a_bad_label_file_is_refused_with_its_place(tmp_path):
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    labels["articles"][1]["people"][0]["forms"] = "Megan"
    broken = tmp_path / "labels.json"
    broken.write_text(json.dumps(labels), encoding="utf-8")
    with pytest.raises(LabelError, match=r"articles\[1\] \(fixtures/seeds/001.*people\[0\]"):
        load_set(broken)
    labels["articles"][0]["path"] = "tests/data/eval/no_such_article.txt"
    broken.write_text(json.dumps(labels), encoding="utf-8")
    with pytest.raises(LabelError, match=r"articles\[0\].*no_such_article.txt: no such file"):
        load_set(broken)


# --- Each article's labels match its text ---------------------------------------------------------


def test_byline_is_what_the_importer_reads(article):
    assert article.byline == article.expected_byline


def test_people_are_named_by_their_forms(article):
    for person in article.people:
        assert person.name in person.forms, person.name
        for form in person.forms:
            assert occurrences(article.body, form), f"{person.name}: {form!r} is not in the body"
            assert words(form)[0] not in TITLE_WORDS, f"{form!r} starts with a title"
            assert not re.search(r"['’]s$", form), f"{form!r} is a possessive"
        for role in person.roles:
            assert role.casefold() in article.body.casefold(), f"{person.name}: role {role!r}"


def test_names_are_unambiguous_within_an_article(article):
    names = Counter(person.name for person in article.people)
    assert max(names.values()) == 1, names
    forms = Counter(form for person in article.people for form in person.forms)
    assert max(forms.values()) == 1, f"a form shared by two people: {forms.most_common(1)}"
    assert not set(forms) & set(article.not_people)


def test_not_people_occur(article):
    for thing in article.not_people:
        assert occurrences(article.body, thing), f"not_people {thing!r} is not in the body"


def test_each_labelled_quote_occurs_once(article):
    for quote in article.quotes:
        assert article.body.count(quote.text) == 1, quote.text


def test_speakers_are_labelled_people_or_descriptions_from_the_text(article):
    names = {person.name for person in article.people}
    forms = {form for person in article.people for form in person.forms}
    for quote in article.quotes:
        if quote.speaker is None or quote.speaker in names:
            continue
        assert quote.speaker not in forms, f"{quote.speaker!r}: name the person canonically"
        assert quote.speaker.casefold() in article.body.casefold(), quote.speaker


def test_quote_features(article):
    for quote in article.quotes:
        assert set(quote.features) <= QUOTE_FEATURES, quote.features
        assert ("ambiguous" in quote.features) == (quote.speaker is None), quote.text
        if "nested" in quote.features:
            assert re.search(r"(?:^|\s)['‘]", quote.text), quote.text


def quoted_spans(body: str) -> list[tuple[int, int]]:
    """The text inside each pair of double quotation marks, paragraph by paragraph.

    Written independently of the rules on purpose. A mark still open at the end of a
    paragraph opens a quotation that goes on in the next one, as in print.
    """
    spans = []
    offset = 0
    for paragraph in re.split(r"(\n[ \t]*\n)", body):
        opened = None
        for index, char in enumerate(paragraph):
            if char == "“" or (char == '"' and opened is None):
                opened = index + 1
            elif char in '”"' and opened is not None:
                spans.append((offset + opened, offset + index))
                opened = None
        if opened is not None:
            spans.append((offset + opened, offset + len(paragraph.rstrip())))
        offset += len(paragraph)
    return spans


def test_every_quotation_is_labelled_and_every_label_is_a_quotation(article):
    found = [article.body[start:end] for start, end in quoted_spans(article.body)]
    labelled = {quote.text for quote in article.quotes}
    assert set(found) == labelled | set(article.not_quotes)
    assert Counter(text for text in found if text in labelled) == Counter(labelled)


def test_quoted_spans_pairs_marks_within_paragraphs():
    body = '“One,” he said. "Two"\n\n“Three runs on\n\n“and ends.” Done ‘not this’.'
    assert [body[start:end] for start, end in quoted_spans(body)] == [
        "One,",
        "Two",
        "Three runs on",
        "and ends.",
    ]


# --- The hard cases are there --------------------------------------------------------------------


def test_names_in_many_scripts_and_shapes():
    names = [person.name for _, person in every_person()]
    for letter in "ëØøñễĐ":
        assert any(letter in name for name in names), letter
    assert sum(person.family_name_first for _, person in every_person()) >= 4
    assert any("-" in name for name in names)  # Jean-Luc, Brooks-Whitfield
    assert any(any(word.islower() for word in name.split()) for name in names)  # van, de la
    assert any(re.search(r"\b[A-Z]\. ", name) for name in names)  # J. R. Okafor


def test_titles_possessives_and_roles_stand_by_labelled_names():
    titled = set()
    possessive = 0
    for article, person in every_person():
        for form in person.forms:
            for title in TITLES:
                before = rf"(?<!\w){re.escape(title)}\s+(?:\w+\s+)?{re.escape(form)}"
                if re.search(before, article.body):
                    titled.add(title)
            possessive += bool(re.search(rf"(?<!\w){re.escape(form)}['’]s\b", article.body))
    assert titled == set(TITLES)
    assert possessive >= 5
    assert sum(bool(person.roles) for _, person in every_person()) >= 8


def test_places_and_organisations_that_look_like_people():
    not_people = {thing for article in the_set() for thing in article.not_people}
    assert set(NAMED_AFTER_PEOPLE) <= not_people
    assert set(ORGANISATIONS_LIKE_NAMES) <= not_people


def test_datelines_headings_and_bylines():
    assert sum(bool(DATELINE.match(article.body)) for article in invented()) >= 12
    with_headings = [
        article
        for article in invented()
        if any(
            line.strip() and len(line) < 60 and not re.search(r"[.!?:;”\"]$", line.strip())
            for line in article.body.split("\n\n")
        )
    ]
    assert len(with_headings) >= 10
    assert sum(bool(article.byline) for article in invented()) >= 3


def test_quotations_of_every_shape():
    quotes = [quote for article in the_set() for quote in article.quotes]
    features = Counter(feature for quote in quotes for feature in quote.features)
    assert set(features) == QUOTE_FEATURES
    assert features["pronoun"] >= 10 and features["continued"] >= 10, features
    assert len(quotes) >= 100
    descriptions = {
        quote.speaker
        for article in the_set()
        for quote in article.quotes
        if quote.speaker and article.person(quote.speaker) is None
    }
    assert {"a source close to the mayor", "an official who asked not to be named"} <= descriptions
    assert len(descriptions) >= 6
    # The issue wants at least 90% of quotations given a speaker: the set must allow it.
    unattributable = sum(quote.speaker is None for quote in quotes)
    assert unattributable <= len(quotes) / 10, unattributable
