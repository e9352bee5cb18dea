"""Unit tests for stories.text.fragments: W3C Text Fragment links, no database.

Known answers pin the exact URL for the typography news copy is full of; the property test
decodes what the module writes, the way a browser parses it (WICG scroll-to-text-fragment,
"parse a text directive"), and checks each term against the body.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from stories.text.fragments import (
    CONTEXT_WORDS,
    EXACT_MATCH_LIMIT,
    TextDirective,
    text_directive,
    text_fragment_url,
)

URL = "https://news.example/sport/2024/derby"


def link(body: str, passage: str, url: str = URL) -> str:
    start = body.index(passage)
    return text_fragment_url(url, body, start, start + len(passage))


def directive(body: str, passage: str) -> TextDirective:
    start = body.index(passage)
    return text_directive(body, start, start + len(passage))


# --------------------------------------------------------------------------------------------
# Known answers


def test_curly_quotes_dash_comma_and_ampersand_are_encoded_in_every_term():
    body = "The coach said, “We’ll fight – and win, together & always.” Then he left."
    assert link(body, "We’ll fight – and win, together & always.") == (
        f"{URL}#:~:text="
        "The%20coach%20said%2C%20%E2%80%9C-,"
        "We%E2%80%99ll%20fight%20%E2%80%93%20and%20win%2C%20together%20%26%20always.,"
        "-%E2%80%9D%20Then%20he%20left."
    )


def test_hyphens_inside_terms_are_encoded_so_they_are_not_read_as_context_marks():
    body = "A well-known full-back, Ana said it was a last-minute decision by the club."
    assert link(body, "it was a last-minute decision") == (
        f"{URL}#:~:text=full%2Dback%2C%20Ana%20said-,"
        "it%20was%20a%20last%2Dminute%20decision,-by%20the%20club."
    )


def test_non_ascii_is_utf8_percent_encoded():
    body = "Señor José Muñoz wrote “Olé 😀 for the fans” on Sunday."
    assert link(body, "Olé 😀 for the fans") == (
        f"{URL}#:~:text=Jos%C3%A9%20Mu%C3%B1oz%20wrote%20%E2%80%9C-,"
        "Ol%C3%A9%20%F0%9F%98%80%20for%20the%20fans,"
        "-%E2%80%9D%20on%20Sunday."
    )


def test_reserved_and_unreserved_characters():
    # Only ALPHA / DIGIT / . _ ~ stay as they are; % and # are encoded like everything else.
    body = "Up 100% on (old) figures: a_b.c~d #1 / e+f=g?!"
    assert link(body, "100% on (old) figures: a_b.c~d #1 / e+f=g?!") == (
        f"{URL}#:~:text=Up-,100%25%20on%20%28old%29%20figures%3A%20a_b.c~d%20%231%20%2F%20e%2Bf%3Dg%3F%21"
    )


def test_a_passage_at_the_very_start_of_the_body_has_no_prefix():
    body = "Kowalski resigned on Monday, the club said."
    assert link(body, "Kowalski resigned") == (
        f"{URL}#:~:text=Kowalski%20resigned,-on%20Monday%2C%20the"
    )


def test_a_passage_at_the_very_end_of_the_body_has_no_suffix():
    body = "The club said that Kowalski resigned."
    assert link(body, "Kowalski resigned.") == (
        f"{URL}#:~:text=club%20said%20that-,Kowalski%20resigned."
    )


def test_a_passage_that_is_the_whole_body_is_just_the_text():
    assert link("Kowalski resigned.", "Kowalski resigned.") == (
        f"{URL}#:~:text=Kowalski%20resigned."
    )


def test_context_never_crosses_a_paragraph_break():
    body = "First paragraph ends here.\n\nKowalski resigned on Monday.\n\nSecond one."
    assert (
        link(body, "Kowalski resigned on Monday.")
        == f"{URL}#:~:text=Kowalski%20resigned%20on%20Monday."
    )


def test_context_is_a_few_whole_words_and_a_wrapped_line_is_just_a_space():
    body = "Away fans in the north stand\nsang loudly as Kowalski scored twice before half time."
    assert directive(body, "as Kowalski scored") == TextDirective(
        start="as Kowalski scored", prefix="stand sang loudly", suffix="twice before half"
    )


def test_whitespace_inside_the_passage_is_collapsed_and_around_it_dropped():
    body = "He said:   we  will\n  win   and left."
    start = body.index("   we")
    end = body.index("   and") + 3
    assert text_directive(body, start, end) == TextDirective(
        start="we will win", prefix="He said:", suffix="and left."
    )


def test_a_long_passage_is_a_range_of_its_first_and_last_words():
    sentence = "Every player gave everything tonight and the supporters saw it. "
    quote = sentence * 5 + "Now we rest."
    assert len(quote) >= EXACT_MATCH_LIMIT
    body = f"Kowalski told reporters: {quote} She then left the pitch."
    assert link(body, quote) == (
        f"{URL}#:~:text=Kowalski%20told%20reporters%3A-,"
        "Every%20player%20gave,Now%20we%20rest.,"
        "-She%20then%20left"
    )


def test_a_range_end_is_lengthened_until_it_cannot_match_earlier_in_the_passage():
    # "saw it." ends every sentence, so the end needs words only the last sentence has.
    quote = " ".join(f"In game {n} the supporters saw it." for n in range(1, 11))
    assert len(quote) >= EXACT_MATCH_LIMIT
    d = directive(f"{quote} Then silence.", quote)
    assert (d.start, d.end) == ("In game 1", "10 the supporters saw it.")


def test_a_long_passage_without_a_short_unambiguous_end_stays_exact():
    quote = ("we go again, " * 30).strip()
    assert len(quote) >= EXACT_MATCH_LIMIT
    d = directive(f"He said {quote} and smiled.", quote)
    assert d == TextDirective(start=quote, prefix="He said", suffix="and smiled.")


def test_a_passage_spanning_paragraphs_is_a_range_even_when_short():
    body = "The statement read: We are sorry.\n\nWe will do better, it said."
    start = body.index("We are")
    end = body.index(", it said")
    assert text_fragment_url(URL, body, start, end) == (
        f"{URL}#:~:text=The%20statement%20read%3A-,"
        "We%20are%20sorry.,will%20do%20better,-%2C%20it%20said."
    )


def test_the_page_fragment_is_replaced_and_the_query_string_kept():
    body = "The club said that Kowalski resigned."
    expected = "#:~:text=club%20said%20that-,Kowalski%20resigned."
    assert link(body, "Kowalski resigned.", f"{URL}?page=2&s=1#comments") == (
        f"{URL}?page=2&s=1{expected}"
    )
    assert link(body, "Kowalski resigned.", f"{URL}#:~:text=old") == f"{URL}{expected}"
    assert link(body, "Kowalski resigned.", f"{URL}#") == f"{URL}{expected}"


@pytest.mark.parametrize(
    "url", ["", "news.example/a", "javascript:alert(1)", "ftp://news.example/a", "https:///a"]
)
def test_only_http_addresses_get_a_fragment(url):
    with pytest.raises(ValueError, match="not an http or https address"):
        text_fragment_url(url, "Some words.", 0, 4)


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2), (0, 12)])
def test_a_passage_outside_the_body_is_refused(start, end):
    with pytest.raises(ValueError, match=rf"passage {start}:{end} is outside a body of 11"):
        text_directive("Some words.", start, end)


def test_a_blank_passage_is_refused():
    with pytest.raises(ValueError, match="passage 4:7 is only whitespace"):
        text_directive("Some \n\n words.", 4, 7)


# --------------------------------------------------------------------------------------------
# Round trip: decode the fragment as a browser would and compare it with the body

WORDS = ["Anna", "said", "we’ll", "win,", "José", "Muñoz", "😀", "well-known", "&", "100%", "a-b"]
PUNCTUATION = ["“", "”", "–", ",", "-", "&", "#", "."]
SEPARATORS = [" ", " ", " ", "  ", "\n", "\n\n", " \n \n "]
BLANK_LINE = re.compile(r"\n[ ]*\n")
ENCODED_TERM = re.compile(r"(?:[A-Za-z0-9._~]|%[0-9A-F]{2})+")

bodies = st.lists(
    st.tuples(st.sampled_from(WORDS + PUNCTUATION), st.sampled_from(SEPARATORS)),
    min_size=1,
    max_size=150,
).map(lambda pairs: "".join(word + separator for word, separator in pairs))


def parse(fragment: str) -> dict[str, str | None]:
    """The spec's "parse a text directive", for one directive."""
    assert fragment.startswith(":~:text=")
    tokens = fragment.removeprefix(":~:text=").split(",")
    terms: dict[str, str | None] = dict.fromkeys(("prefix", "start", "end", "suffix"))
    if tokens[0].endswith("-"):
        terms["prefix"] = tokens.pop(0)[:-1]
    if tokens[-1].startswith("-"):
        terms["suffix"] = tokens.pop()[1:]
    assert 1 <= len(tokens) <= 2
    terms["start"] = tokens[0]
    terms["end"] = tokens[1] if len(tokens) == 2 else None
    for name, term in terms.items():
        if term is not None:
            assert ENCODED_TERM.fullmatch(term), (name, term)
            terms[name] = unquote(term, errors="strict")
    return terms


def words_in(text: str) -> int:
    return sum(any(char.isalnum() for char in token) for token in text.split())


def check_context(context: str | None, side: str, *, before: bool) -> None:
    """``context`` is the few whole words of ``side`` (normalised) nearest the passage."""
    side = " ".join(side.split())
    if not side:
        assert context is None
        return
    assert context
    if before:
        assert side.endswith(context)
        assert len(context) == len(side) or side[-len(context) - 1] == " "
        farthest = context.split()[0]
    else:
        assert side.startswith(context)
        assert len(context) == len(side) or side[len(context)] == " "
        farthest = context.split()[-1]
    if words_in(side) >= CONTEXT_WORDS:
        assert words_in(context) == CONTEXT_WORDS
        assert words_in(farthest) == 1  # no stray punctuation beyond the last word taken
    else:
        assert context == side  # all there is, up to the paragraph's edge


@settings(max_examples=300, deadline=None, database=None)
@given(body=bodies, data=st.data())
def test_round_trip_the_decoded_terms_are_the_body_text(body, data):
    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    assume(body[start:end].strip())
    url = text_fragment_url(f"{URL}?q=1#old", body, start, end)
    page, _, fragment = url.partition("#")
    assert page == f"{URL}?q=1"
    terms = parse(fragment)

    passage = body[start:end]
    start += len(passage) - len(passage.lstrip())
    end -= len(passage) - len(passage.rstrip())
    text = " ".join(body[start:end].split())
    spans_paragraphs = bool(BLANK_LINE.search(body, start, end))
    if terms["end"] is None:
        assert not spans_paragraphs
        assert terms["start"] == text
    else:
        assert spans_paragraphs or len(text) >= EXACT_MATCH_LIMIT
        assert text.startswith(terms["start"] + " ")
        assert text.endswith(" " + terms["end"])
        first_paragraph = BLANK_LINE.split(body[start:end])[0]
        last_paragraph = BLANK_LINE.split(body[start:end])[-1]
        assert " ".join(first_paragraph.split()).startswith(terms["start"])
        assert " ".join(last_paragraph.split()).endswith(terms["end"])
        if not spans_paragraphs:
            # The browser looks for the end after the start: its first match must be ours.
            folded = text.casefold()
            end_term = terms["end"].casefold()
            found = folded.find(end_term, len(terms["start"].casefold()))
            assert found + len(end_term) == len(folded)

    check_context(terms["prefix"], BLANK_LINE.split(body[:start])[-1], before=True)
    check_context(terms["suffix"], BLANK_LINE.split(body[end:])[0], before=False)
