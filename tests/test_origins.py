"""Unit tests for stories.text.origins: likely-same origins for the editor, no database.

Precision matters as much as recall here: a proposal the editor must keep rejecting is noise,
so several tests pin pairs that must *not* be proposed.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stories.text.origins import (
    SIMILARITY_THRESHOLD,
    OriginText,
    SameOriginProposal,
    description_words,
    propose_same_origins,
)


def anonymous(key, label, **extra):
    return OriginText(key, "anonymous", label, **extra)


def pairs(origins):
    return [(p.a, p.b) for p in propose_same_origins(origins)]


def test_the_et_example_an_anonymous_source_and_ets_sources_close_to_the_situation():
    origins = [
        anonymous("people-mag", "a source close to the situation"),
        anonymous("et", "sources close to the situation", outlet_key="ET"),
    ]
    assert propose_same_origins(origins) == [
        SameOriginProposal(
            "people-mag",
            "et",
            "both describe an anonymous source as ‘close to the situation’",
            1.0,
            "possible",
        )
    ]


def test_people_familiar_with_the_matter_is_a_person_familiar_with_the_matter():
    [proposal] = propose_same_origins(
        [
            anonymous(1, "a person familiar with the matter"),
            anonymous(2, "people familiar with the matter"),
        ]
    )
    assert (proposal.a, proposal.b, proposal.likelihood) == (1, 2, "possible")
    assert proposal.reason == "both describe an anonymous person as ‘familiar with the matter’"


def test_sources_close_to_different_subjects_are_different_people():
    assert (
        pairs(
            [
                anonymous(1, "a source close to the mayor"),
                anonymous(2, "sources close to the situation"),
            ]
        )
        == []
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("a source", "sources"),  # nothing describes them
        ("an official", "one official"),
        ("a source close to the team", "a person close to the team"),
        ("a senior official", "a junior official"),
        ("a source familiar with the talks", "a source close to the talks"),
        ("a friend of the bride", "a friend of the groom"),
        ("a source close to team 1", "a source close to team 2"),
    ],
)
def test_descriptions_that_do_not_carry_a_likeness_are_not_proposed(first, second):
    assert pairs([anonymous(1, first), anonymous(2, second)]) == []


def test_a_description_with_a_word_added_is_proposed_with_its_similarity():
    [proposal] = propose_same_origins(
        [
            anonymous(1, "a senior White House official"),
            anonymous(2, "a White House official"),
        ]
    )
    assert proposal.score == 0.75
    assert proposal.score >= SIMILARITY_THRESHOLD
    assert proposal.reason == (
        "both describe an anonymous source in similar words: "
        "‘a senior White House official’ and ‘a White House official’"
    )


def test_long_descriptions_sharing_all_but_one_word_each_meet_through_the_index():
    # Neither rarest word ("senior", "brussels") is shared, so the index has to hold more than
    # one word of each description for them to meet.
    [proposal] = propose_same_origins(
        [
            anonymous(1, "a senior White House aide close to the talks"),
            anonymous(2, "a White House aide close to the talks in Brussels"),
        ]
    )
    assert (proposal.a, proposal.b, proposal.score) == (1, 2, 0.71)


def test_a_description_keeps_who_the_source_serves():
    [proposal] = propose_same_origins(
        [
            anonymous(1, "two of the mayor’s senior aides"),
            anonymous(2, "a senior aide to the mayor"),
        ]
    )
    assert (proposal.score, proposal.likelihood) == (1.0, "possible")
    assert pairs([anonymous(1, "the mayor’s aide"), anonymous(2, "the governor’s aide")]) == []


def test_two_named_people_linked_to_the_same_person_are_the_same():
    origins = [
        OriginText("a1", "person", "Anna Kowalski", person_key=7),
        OriginText("a2", "person", "Piotr Nowak", person_key=8),
        OriginText("a3", "person", "coach Kowalski", person_key=7),
    ]
    assert propose_same_origins(origins) == [
        SameOriginProposal(
            "a1", "a3", "both are linked to the same person, Anna Kowalski", 1.0, "same"
        )
    ]


def test_named_people_without_the_same_key_are_never_proposed():
    assert (
        pairs(
            [
                OriginText(1, "person", "Anna Kowalski", person_key=7),
                OriginText(2, "person", "Anna Kowalski", person_key=9),  # a namesake
                OriginText(3, "person", "Anna Kowalski"),  # not linked yet
                OriginText(4, "person", "Anna Kowalski"),
            ]
        )
        == []
    )


def test_two_articles_relaying_the_same_outlet_are_likely_the_same_report():
    origins = [
        OriginText("r1", "outlet", "ET", outlet_key="et"),
        OriginText("r2", "outlet", "Entertainment Tonight", outlet_key="et"),
        OriginText("r3", "post", "ET’s Instagram video", outlet_key="et"),
        OriginText("r4", "outlet", "EW", outlet_key="ew"),
    ]
    assert propose_same_origins(origins) == [
        SameOriginProposal("r1", "r2", "both relay ET", 0.9, "likely"),
        SameOriginProposal(
            "r1",
            "r3",
            "both come from ET: a relayed report and its post ‘ET’s Instagram video’",
            0.9,
            "likely",
        ),
    ]


def test_an_outlets_own_reporting_and_a_relay_of_it_are_likely_the_same():
    origins = [
        OriginText("own", "reporting", "ET’s reporting", outlet_key="et"),
        OriginText("relay", "outlet", "ET", outlet_key="et"),
    ]
    assert propose_same_origins(origins) == [
        SameOriginProposal(
            "own",
            "relay",
            "one relays ET, the other is that outlet's own reporting ‘ET’s reporting’",
            0.9,
            "likely",
        )
    ]


@pytest.mark.parametrize(
    ("first", "second", "reason"),
    [
        ("post", "post", "both are posts by the same outlet: ‘clip’ and ‘photo’"),
        ("reporting", "reporting", "both are the same outlet's own reporting: ‘clip’ and ‘photo’"),
        ("reporting", "post", "both come from the same outlet: ‘clip’ and ‘photo’"),
    ],
)
def test_every_pairing_of_one_outlets_origins_says_what_it_is(first, second, reason):
    [proposal] = propose_same_origins(
        [
            OriginText(1, first, "clip", outlet_key="et"),
            OriginText(2, second, "photo", outlet_key="et"),
        ]
    )
    assert (proposal.reason, proposal.likelihood) == (reason, "likely")


def test_reporting_of_different_outlets_is_never_the_same():
    assert (
        pairs(
            [
                OriginText(1, "reporting", "ET’s own reporting", outlet_key="et"),
                OriginText(2, "reporting", "EW’s own reporting", outlet_key="ew"),
                OriginText(3, "reporting", "own reporting"),
                OriginText(4, "reporting", "own reporting"),
            ]
        )
        == []
    )


def test_different_kinds_are_never_proposed():
    assert (
        pairs(
            [
                anonymous(1, "a source close to the mayor", person_key=7, outlet_key="et"),
                OriginText(2, "person", "a source close to the mayor", person_key=7),
                OriginText(3, "document", "a source close to the mayor", outlet_key="et"),
                OriginText(4, "post", "Mayor Kowalski’s post", person_key=7),
            ]
        )
        == []
    )


def test_documents_are_never_proposed():
    assert (
        pairs(
            [
                OriginText(1, "document", "the police report", outlet_key="police"),
                OriginText(2, "document", "the police report", outlet_key="police"),
            ]
        )
        == []
    )


def test_a_group_is_proposed_as_a_chain_from_its_first_member_strongest_first():
    origins = [
        anonymous(1, "a source close to the situation"),
        OriginText(2, "person", "Anna Kowalski", person_key=7),
        anonymous(3, "sources close to the situation"),
        OriginText(4, "outlet", "ET", outlet_key="et"),
        anonymous(5, "one source close to the situation"),
        OriginText(6, "person", "Kowalski", person_key=7),
        OriginText(7, "outlet", "ET", outlet_key="et"),
    ]
    assert [(p.a, p.b, p.likelihood) for p in propose_same_origins(origins)] == [
        (2, 6, "same"),
        (4, 7, "likely"),
        (1, 3, "possible"),
        (1, 5, "possible"),
    ]


def test_many_anonymous_sources_only_pair_up_when_their_descriptions_do():
    origins = [anonymous(n, f"a source close to team {n}") for n in range(3000)]
    origins.append(anonymous("copy", "sources close to team 1234"))
    assert pairs(origins) == [(1234, "copy")]


VOCABULARY = [
    *("a", "the", "two", "source", "sources", "person", "people", "official", "senior", "close"),
    *("familiar", "with", "to", "of", "mayor", "mayor’s", "team", "situation", "matter"),
    *("talks", "office", "house", "white", "1", "2"),
]


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=14), max_size=25))
def test_prefix_filtering_finds_exactly_the_pairs_comparing_all_of_them_would(labels):
    """The index is an optimisation: it must miss no pair that all-pairs comparison finds."""
    origins = [anonymous(n, " ".join(words)) for n, words in enumerate(labels)]
    heads = {"source", "person", "official"}
    first_with = {}  # description -> the first origin described so
    chained = set()
    for origin in origins:
        words = description_words(origin.label)
        if words - heads:
            first = first_with.setdefault(words, origin.key)
            if first != origin.key:
                chained.add((first, origin.key))
    similar = set()
    for (one, a), (other, b) in itertools.combinations(first_with.items(), 2):
        shared = one & other
        if len(shared) / len(one | other) >= SIMILARITY_THRESHOLD and shared - heads:
            similar.add((min(a, b), max(a, b)))

    proposals = propose_same_origins(origins)
    assert all(p.likelihood == "possible" for p in proposals)
    assert sorted((p.a, p.b) for p in proposals) == sorted(chained | similar)


def test_description_words_ignore_number_articles_and_small_words():
    assert description_words("Two of the sources close to the situation") == {
        "source",
        "close",
        "situation",
    }
    assert description_words("people familiar with the matters") == {
        "person",
        "familiar",
        "matter",
    }


def test_an_unknown_kind_or_a_repeated_key_is_refused_with_the_origin_named():
    with pytest.raises(ValueError, match=r"origin 'x' has kind 'rumour'; expected one of report"):
        propose_same_origins([OriginText("x", "rumour", "word on the street")])
    with pytest.raises(ValueError, match=r"origin 3 is given twice"):
        propose_same_origins([anonymous(3, "a source"), anonymous(3, "another source")])
