"""Unit tests for stories.text.quotecompare: the same quotation across articles, no database.

The articles are invented: a coach, a club chairman and the rewrites that confuse them.
"""

from __future__ import annotations

import pytest

from stories.text.quotecompare import (
    MIN_WORDS,
    QuoteAppearance,
    QuoteGroup,
    compare_quotes,
    quote_words,
)

FULL = "We will fight until the very last minute, and nobody in this dressing room will give up."
FRAGMENT = "nobody in this dressing room will give up"


def said(article, text, speaker=None, *, key=None, resolved=None, start=0):
    """An appearance as the quote suggestions would report it; a name counts as resolved."""
    if resolved is None:
        resolved = bool(speaker)
    return QuoteAppearance(
        article=article,
        start=start,
        end=start + len(text),
        text=text,
        speaker=speaker,
        speaker_key=key,
        resolved=resolved,
    )


def test_the_coach_in_one_article_and_the_chairman_in_a_rewrite_is_a_conflict():
    coach = said("derby-report", FULL, "Anna Kowalski")
    chairman = said("derby-rewrite", FULL, "Piotr Nowak")
    assert compare_quotes([coach, chairman]) == [QuoteGroup(FULL, (coach, chairman), True)]


def test_the_same_speaker_everywhere_is_no_conflict():
    first = said("derby-report", FULL, "Anna Kowalski")
    second = said("derby-rewrite", FULL, "Anna Kowalski")
    assert compare_quotes([first, second]) == [QuoteGroup(FULL, (first, second), False)]


def test_a_fragment_joins_the_full_quote_and_the_group_shows_the_longest_version():
    fragment = said("agency-brief", f"“{FRAGMENT.capitalize()}”", "Piotr Nowak", start=40)
    full = said("derby-report", FULL, "Anna Kowalski", start=120)
    [group] = compare_quotes([fragment, full])
    assert group.text == FULL
    assert group.appearances == (fragment, full)  # input order, offsets kept
    assert group.conflict


def test_a_surname_alone_is_the_same_speaker_as_the_full_name():
    full_name = said("derby-report", FULL, "Anna Kowalski")
    surname = said("derby-rewrite", FRAGMENT, "Kowalski")
    with_title = said("fan-blog", FULL, "coach Anna Kowalski")
    [group] = compare_quotes([full_name, surname, with_title])
    assert not group.conflict


def test_two_people_sharing_a_surname_still_conflict():
    group = compare_quotes(
        [
            said("derby-report", FULL, "Anna Kowalski"),
            said("derby-rewrite", FULL, "Kowalski"),
            said("fan-blog", FULL, "Jan Kowalski"),
        ]
    )
    assert [g.conflict for g in group] == [True]


def test_a_pronoun_or_an_anonymous_source_is_never_a_conflict():
    named = said("derby-report", FULL, "Anna Kowalski")
    for other in (
        said("derby-rewrite", FULL, "she", resolved=False),
        said("derby-rewrite", FULL, "She", resolved=True),  # a pronoun never names anyone
        said("derby-rewrite", FULL, "a source close to the club", resolved=True),
        said("derby-rewrite", FULL, "Sources", resolved=True),
        said("derby-rewrite", FULL, None),
        said("derby-rewrite", FULL, "Piotr Nowak", resolved=False),  # not yet confirmed
    ):
        assert compare_quotes([named, other]) == [QuoteGroup(FULL, (named, other), False)]


def test_two_unresolved_speakers_are_grouped_but_not_a_conflict():
    first = said("derby-report", FULL, "he", resolved=False)
    second = said("derby-rewrite", FULL, "she", resolved=False)
    assert compare_quotes([first, second]) == [QuoteGroup(FULL, (first, second), False)]


def test_a_short_common_phrase_is_not_a_shared_quotation():
    phrases = ["Thank you.", "thank you so much", "We are very happy."]
    assert all(len(quote_words(phrase)) < MIN_WORDS for phrase in phrases)
    appearances = [
        said("derby-report", "Thank you.", "Anna Kowalski"),
        said("derby-rewrite", "Thank you.", "Piotr Nowak"),
        said("derby-report", "thank you so much", "Anna Kowalski"),
        said("fan-blog", "Thank you so much!", "Piotr Nowak"),
        said("fan-blog", "We are very happy.", "Piotr Nowak"),
        # A long quote holding a short one does not make the short one count.
        said("derby-rewrite", "We are very happy with the point tonight.", "Anna Kowalski"),
    ]
    assert compare_quotes(appearances) == []


def test_typography_case_and_punctuation_do_not_split_a_quotation():
    curly = said("derby-report", "“We’ll fight – until the very last minute!”", "Anna Kowalski")
    plain = said("derby-rewrite", '"we\'ll fight until the very last minute"', "Piotr Nowak")
    [group] = compare_quotes([curly, plain])
    assert group.appearances == (curly, plain)
    assert group.conflict


def test_a_changed_word_is_a_different_quotation():
    original = said("derby-report", "We will fight until the very last minute.", "Anna Kowalski")
    changed = said("derby-rewrite", "We will fight until the very last second.", "Piotr Nowak")
    assert compare_quotes([original, changed]) == []


def test_a_quotation_found_in_only_one_article_is_not_reported():
    headline = said("derby-report", FULL, "Anna Kowalski")
    body = said("derby-report", FRAGMENT, "Piotr Nowak", start=500)
    assert compare_quotes([headline, body]) == []


def test_a_fragment_shared_by_two_quotations_is_listed_under_each_without_joining_them():
    shared = "at the end of the day"
    first = said("derby-report", f"{shared} we were the better side", "Anna Kowalski")
    second = said("derby-rewrite", f"{shared} the referee decided it", "Piotr Nowak")
    quoted = said("fan-blog", shared.capitalize(), "Marta Zielinska")
    groups = compare_quotes([first, second, quoted])
    assert groups == [
        QuoteGroup(first.text, (first, quoted), True),
        QuoteGroup(second.text, (second, quoted), True),
    ]


def test_linked_people_are_compared_by_key():
    # Two different people the editor linked, though one is written as the other's surname.
    anna = said("derby-report", FULL, "Anna Kowalski", key=1)
    jan = said("derby-rewrite", FULL, "Kowalski", key=2)
    assert compare_quotes([anna, jan])[0].conflict
    # The same person under two descriptions, and "she" once the editor said who she is.
    coach = said("derby-rewrite", FULL, "the coach", key=1)
    she = said("fan-blog", FULL, "she", key=1, resolved=False)
    assert not compare_quotes([anna, coach, she])[0].conflict
    # A linked person and a name without a key: compared by name.
    assert not compare_quotes([anna, said("fan-blog", FULL, "Kowalski")])[0].conflict
    assert compare_quotes([anna, said("fan-blog", FULL, "Piotr Nowak")])[0].conflict
    assert not compare_quotes([she, said("derby-report", FULL, "Piotr Nowak")])[0].conflict


def test_a_description_the_caller_resolved_is_compared_by_its_words():
    chairman = said("derby-report", FULL, "the chairman")
    assert not compare_quotes([chairman, said("fan-blog", FULL, "the club's chairman")])[0].conflict
    assert compare_quotes([chairman, said("fan-blog", FULL, "the coach")])[0].conflict


def test_groups_come_in_the_order_of_their_first_appearance():
    other = "Our supporters deserve far more than what we showed them tonight."
    appearances = [
        said("derby-report", other, "Anna Kowalski"),
        said("derby-report", FULL, "Anna Kowalski"),
        said("derby-rewrite", FULL, "Anna Kowalski"),
        said("fan-blog", other, "Kowalski"),
    ]
    assert [group.text for group in compare_quotes(appearances)] == [other, FULL]


def test_many_articles_repeating_stock_phrases_still_group_only_real_copies():
    stock = "at the end of the day"
    appearances = [
        said(f"article-{n}", f"{stock} match {n} was about effort", "Anna Kowalski")
        for n in range(2000)
    ]
    copy = said("rewrite", appearances[1234].text, "Piotr Nowak")
    groups = compare_quotes([*appearances, copy])
    assert groups == [QuoteGroup(copy.text, (appearances[1234], copy), True)]


def test_quote_words_ignore_case_quote_marks_and_punctuation():
    assert quote_words("“We’ll WIN — won’t we?”") == ("we'll", "win", "won't", "we")
    assert quote_words("'Ødegaard' scored, 2-1!") == ("ødegaard", "scored", "2", "1")


def test_min_words_can_be_raised_but_not_below_one():
    first = said("derby-report", FRAGMENT, "Anna Kowalski")
    second = said("derby-rewrite", FRAGMENT, "Piotr Nowak")
    assert compare_quotes([first, second])[0].conflict
    assert compare_quotes([first, second], min_words=len(quote_words(FRAGMENT)) + 1) == []
    with pytest.raises(ValueError, match="min_words must be at least 1, not 0"):
        compare_quotes([first, second], min_words=0)
