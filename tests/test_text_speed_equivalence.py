"""The fast text rules answer exactly as the rules did before they were made fast.

``tests/data/text_golden.json.gz`` holds every answer of ``names``, ``quotes`` and
``derivation`` on a varied corpus, generated once from main at commit e122ce3 by
``tests/text_golden.py`` (see its docstring). Speed work must not change one person, span,
description, quote, speaker or relation, so each is compared here whole, body by body.
"""

from __future__ import annotations

import pytest

from . import text_golden

GOLDEN = text_golden.load()
CORPUS = GOLDEN["corpus"]


def test_the_corpus_is_varied():
    names = [item["name"] for item in CORPUS]
    for part in ("fixtures/seeds", "tests/data/eval/", "heldout", "test_names.py", "bench/"):
        assert any(part in name for name in names), part
    assert len(CORPUS) > 300


@pytest.mark.parametrize("number", range(len(CORPUS)), ids=[item["name"] for item in CORPUS])
def test_people_and_quotes_are_unchanged(number):
    item, expected = CORPUS[number], GOLDEN["bodies"][number]
    body = item["body"]
    first = text_golden.first_reading(body)
    for rule, answer in expected["first"].items():
        assert first[rule] == answer, rule
    second = text_golden.second_reading(body, item["desk"])
    for rule, answer in expected["second"].items():
        assert second[rule] == answer, f"{rule} with people on file"
    assert text_golden.analysis(body) == expected["analysis"]


def test_derivations_are_unchanged():
    found = text_golden.derivations(CORPUS)
    expected = GOLDEN["derivation"]
    assert found["relations"], "the corpus holds copies to find"
    for part, answer in expected.items():
        assert found[part] == answer, part
