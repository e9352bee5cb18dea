"""The pure reading of a reader's query and the marking of its words in results
(``stories.text.searching``): no database."""

from hypothesis import given
from hypothesis import strategies as st

from stories.text import searching


def test_words_phrases_and_excluded_words_are_read_as_web_search_does():
    query = searching.parse('Timberlake "pointed exchange" -friendly')
    assert query.words == ("timberlake",)
    assert query.phrases == (("pointed", "exchange"),)
    assert query.excluded == ("friendly",)
    assert query.terms == ("timberlake", "pointed", "exchange")
    assert not query.empty


def test_typographic_quotes_make_a_phrase_too():
    assert searching.parse("“pointed exchange”").phrases == (("pointed", "exchange"),)


def test_a_one_word_phrase_is_a_word_and_an_unclosed_quote_still_reads():
    assert searching.parse('"Megan"').words == ("megan",)
    assert searching.parse('"pointed exchange').phrases == (("pointed", "exchange"),)


def test_stop_words_and_punctuation_leave_nothing_to_search_for():
    for raw in ["", "   ", "!!!", "?!.,;:", "the of and", "or", '""', "-", "<>"]:
        query = searching.parse(raw)
        assert query.empty, raw
        assert query.words == () and query.phrases == ()


def test_accents_are_kept_in_words_and_folded_for_matching():
    query = searching.parse("ZOË")
    assert query.words == ("zoë",)
    assert searching.fold("Zoë") == searching.fold("ZOE") == "zoe"


def test_a_huge_query_is_cut_at_a_word_and_says_so():
    query = searching.parse("exchange " * 2000)
    assert query.truncated
    assert len(query.text) <= searching.MAX_QUERY_CHARS
    assert query.words == ("exchange",)
    assert not searching.parse("exchange").truncated


def test_control_characters_and_nul_bytes_become_spaces():
    query = searching.parse("point\x00ed\tex\x1bchange\u200b")
    assert "\x00" not in query.text and "\x1b" not in query.text
    assert query.words == ("point", "ed", "ex", "change")


def test_terms_are_bounded_whatever_arrives():
    query = searching.parse(" ".join(f"word{i}" for i in range(100)))
    assert len(query.words) == searching.MAX_TERMS


def test_matching_allows_an_ending_but_not_another_word():
    assert searching.matches("exchanges", "exchange")
    assert searching.matches("pointed", "point")
    assert not searching.matches("pointless", "point")
    assert not searching.matches("in", "inside")


def test_highlight_marks_matching_words_whatever_their_case_and_accents():
    segments = searching.highlight("Zoë met ZOE and the exchanges", ("zoe", "exchange"))
    assert [s.text for s in segments if s.hit] == ["Zoë", "ZOE", "exchanges"]
    assert "".join(s.text for s in segments) == "Zoë met ZOE and the exchanges"


def test_an_excerpt_is_cut_between_words_around_the_first_hit():
    text = ("filler words here " * 40) + "the pointed exchange " + ("more words " * 40)
    segments = searching.highlight(text, ("pointed",), limit=120)
    joined = "".join(s.text for s in segments)
    assert joined.startswith("… ") and joined.endswith(" …")
    assert len(joined) <= 130
    assert [s.text for s in segments if s.hit] == ["pointed"]
    body = joined.removeprefix("… ").removesuffix(" …")
    assert body in text and body.split()[0] in {"filler", "words", "here", "the"}


def test_an_excerpt_of_a_text_without_a_hit_is_its_beginning():
    segments = searching.highlight("word " * 100, ("absent",), limit=50)
    joined = "".join(s.text for s in segments)
    assert joined.startswith("word") and joined.endswith(" …")


def test_first_hit_picks_the_first_text_that_matches():
    assert searching.first_hit(["nothing", "a pointed remark", "pointed"], ("point",)) == (
        "a pointed remark"
    )
    assert searching.first_hit(["nothing"], ("point",)) is None


@given(st.text(max_size=3000))
def test_any_input_parses_to_a_bounded_query(raw):
    query = searching.parse(raw)
    assert len(query.text) <= searching.MAX_QUERY_CHARS
    assert len(query.words) <= searching.MAX_TERMS
    assert all(not any(c in word for c in "\x00\n\t") for word in query.words)


@given(st.text(max_size=500), st.lists(st.text(min_size=1, max_size=10), max_size=5))
def test_highlighting_keeps_every_character_of_the_text(text, terms):
    segments = searching.highlight(text, tuple(terms))
    assert "".join(segment.text for segment in segments) == text
