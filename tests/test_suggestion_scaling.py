"""Every pass of the suggestion rules is linear in the article: counted in steps, not seconds.

Issue #8 found the people pass quadratic (every word checked against every quoted title: 45.8 M
steps for 1 MB). Wall time on a shared machine says little, so these tests count the Python
calls and returns a pass makes (``sys.setprofile`` events, C functions such as a regular
expression's search included) on an article and on the same article four times over: a
linear pass makes four times the steps, a quadratic one sixteen. Articles with many different
people, and a desk with many people on file, are counted too.

A call into C (a regular expression's search, a slice) counts as one step whatever it scans,
so the rules keep every such call inside a bounded window of the text; the figures for whole
articles of 1 to 9.5 MB are in ``bench/bench.py``.
"""

from __future__ import annotations

import sys
from itertools import product

import pytest

from stories.text import names, quotes
from stories.text.importing import read_article

from .eval_harness import EVAL_DIR

# Four times the text may cost at most this many times the steps.
LINEAR = 4.4


def steps(function, *args, **kwargs) -> int:
    count = 0

    def profile(frame, event, arg):
        nonlocal count
        count += 1

    sys.setprofile(profile)
    try:
        function(*args, **kwargs)
    finally:
        sys.setprofile(None)
    return count


def articles() -> str:
    return "\n\n".join(read_article(path).body for path in sorted(EVAL_DIR.glob("*.txt")))


def many_people(count: int) -> str:
    """``count`` paragraphs, each naming different people, titles and quotes."""
    given = ["Ada", "Bram", "Cleo", "Dev", "Esme", "Femi", "Gus", "Hana", "Ivo", "Juno"]
    family = ["Quist", "Ebb", "Lowe", "Marr", "Nash", "Orr", "Pike", "Rook", "Sund", "Tarn"]
    extra = ["stad", "berg", "holm", "vik", "dal", "lund", "strom", "gard", "by", "sen"]
    surnames = [a + b.lower() for a, b in product(family, extra)]
    paragraphs = []
    for index in range(count):
        first = given[index % len(given)]
        last = surnames[index % len(surnames)] + "s" * (index // len(surnames))
        paragraphs.append(
            f"Councillor {first} {last}, the mayor of Town {index}, met {given[index % 7]} "
            f"{last}a at St Anne’s School. “We agreed,” {last} said. “It was time.”"
        )
    return "\n\n".join(paragraphs)


def ratio(function, small: str, large: str, **kwargs) -> float:
    return steps(function, large, **kwargs) / steps(function, small, **kwargs)


@pytest.fixture(scope="module")
def text():
    return articles()


@pytest.mark.parametrize(
    "rule",
    [names.read_people, names.propose_people, quotes.find_quotes],
    ids=["read_people", "propose_people", "find_quotes"],
)
def test_each_pass_is_linear_in_the_article(text, rule):
    assert ratio(rule, text, "\n\n".join([text] * 4)) < LINEAR


@pytest.mark.parametrize(
    "rule", [names.read_people, quotes.find_quotes], ids=["read_people", "find_quotes"]
)
def test_an_article_naming_ever_more_people_stays_linear(rule):
    assert ratio(rule, many_people(100), many_people(400)) < LINEAR


def test_known_people_cost_the_text_once_whatever_the_size_of_the_desk(text):
    desk = [
        names.KnownPerson(index, (f"Person{index} Surname{index}", f"Alias{index}"))
        for index in range(2000)
    ]
    desk.append(names.KnownPerson("brennan", ("Zoë Brennan",)))
    body = "\n\n".join([text] * 4)
    assert ratio(names.find_known_people, text, body, people=desk) < LINEAR

    # What more text costs does not grow with the desk: 2000 people on file cost the three
    # more copies of the article about what one person does.
    def more_text(people):
        small = steps(names.find_known_people, text, people=people)
        return steps(names.find_known_people, body, people=people) - small

    assert more_text(desk) < more_text(desk[-1:]) * 1.2


def test_quoted_titles_do_not_multiply_the_work(text):
    titles = " ".join(f"the song “Song Number {index}”" for index in range(50))
    small = f"{titles}.\n\n{text}"
    large = "\n\n".join([small] * 4)
    assert ratio(names.read_people, small, large) < LINEAR


def quotes_in_one_paragraph(count: int) -> str:
    """``count`` quotations in one paragraph without a full stop: each looks back over its
    neighbours, attributed after ("said Ada Quist and") or not at all."""
    return " ".join(
        f"“word number {index} here” said Ada Quist and “the plan for {index} stands”"
        for index in range(count)
    )


def test_a_paragraph_of_many_quotations_stays_linear():
    small, large = quotes_in_one_paragraph(60), quotes_in_one_paragraph(240)
    reading_small, reading_large = names.read_people(small), names.read_people(large)
    more = steps(quotes.find_quotes, large, people=reading_large)
    assert more / steps(quotes.find_quotes, small, people=reading_small) < LINEAR
