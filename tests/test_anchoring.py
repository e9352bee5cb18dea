"""Unit tests for stories.text.anchoring.

These need no database and no Django settings: the module is pure on purpose, so that every
caller (model, forms, import command, re-anchoring, rendering) can rely on behaviour pinned
down here.
"""

from __future__ import annotations

import itertools
import re

import pytest

from stories.text import anchoring
from stories.text.anchoring import (
    CONTEXT_CHARS,
    AmbiguousQuote,
    Anchor,
    AnchorError,
    QuoteNotFound,
    Segment,
    find_occurrences,
    locate,
    make_anchor,
    segment_paragraphs,
)
from stories.text.paragraphs import paragraph_spans

MEGAN = (
    "Megan playfully responded, \u201cNo, no, this don\u2019t count. "
    "This don\u2019t count. We gotta meet proper.\u201d"
)
MEGAN_TYPED = "\"No, no, this don't count. This don't count. We gotta meet proper.\""

FILLER = "Nothing of note happened at the council meeting that week. " * 6


def listed_offsets(error: AmbiguousQuote) -> int:
    """How many occurrences the message lists for the editor to choose from."""
    return len(re.findall(r"offset \d+ \(", str(error)))


def _body_with_repeats() -> str:
    # Two occurrences of "said yes" far enough apart that their context windows don't overlap.
    return f"The mayor said yes on Monday. {FILLER}The police chief said yes on Friday."


# --- make_anchor / unique matches ------------------------------------------------------------


def test_unique_match_at_start_of_body_has_empty_prefix():
    anchor = locate("Hello world, again.", "Hello")
    assert anchor == Anchor(start=0, end=5, quote="Hello", prefix="", suffix=" world, again.")


def test_unique_match_at_end_of_body_has_empty_suffix():
    anchor = locate("Hello world, again.", "again.")
    assert (anchor.start, anchor.end, anchor.suffix) == (13, 19, "")
    assert anchor.prefix == "Hello world, "


def test_prefix_and_suffix_are_capped_at_context_chars():
    body = "x" * 50 + "NEEDLE" + "y" * 50
    anchor = locate(body, "NEEDLE")
    assert anchor.prefix == "x" * CONTEXT_CHARS
    assert anchor.suffix == "y" * CONTEXT_CHARS
    assert make_anchor(body, 50, 56, context=3) == Anchor(50, 56, "NEEDLE", "xxx", "yyy")


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (4, 2), (0, 12)])
def test_make_anchor_rejects_offsets_outside_a_passage(start, end):
    with pytest.raises(AnchorError, match="do not describe a passage"):
        make_anchor("Short body.", start, end)


@pytest.mark.parametrize("quote", ["", "   ", "\n\t ", "\u200b"])
def test_empty_quote_is_rejected(quote):
    with pytest.raises(AnchorError) as excinfo:
        find_occurrences("Some body text.", quote)
    assert str(excinfo.value) == "The quote is empty."
    with pytest.raises(AnchorError, match="The quote is empty."):
        locate("Some body text.", quote)


def test_quote_is_stripped_before_matching():
    anchor = locate("Alpha beta gamma.", "  beta \n")
    assert (anchor.start, anchor.end, anchor.quote) == (6, 10, "beta")


# --- find_occurrences -----------------------------------------------------------------------


def test_overlapping_occurrences_are_all_found():
    assert [(a.start, a.end) for a in find_occurrences("aaa", "aa")] == [(0, 2), (1, 3)]
    assert [a.start for a in find_occurrences("abababa", "aba")] == [0, 2, 4]


def test_no_occurrences_returns_empty_list():
    assert find_occurrences("Some body text.", "absent") == []


def test_exact_match_wins_over_normalised_match():
    body = "He said don\u2019t. Later he typed don't."
    anchors = find_occurrences(body, "don't")
    assert [a.start for a in anchors] == [body.index("don't")]


# --- normalised matching --------------------------------------------------------------------


def test_straight_quotes_typed_by_editor_match_curly_quotes_in_body():
    anchor = locate(MEGAN, MEGAN_TYPED)
    assert anchor.start == 27 == MEGAN.index("\u201c")
    assert anchor.end == len(MEGAN)
    # The stored quote is the article's own text, curly quotes and all.
    assert anchor.quote == MEGAN[27:]
    assert anchor.quote.startswith("\u201cNo, no") and anchor.quote.endswith("proper.\u201d")
    assert anchor.prefix == "Megan playfully responded, "
    assert anchor.suffix == ""


def test_normalised_match_keeps_case_significant():
    lower = locate(MEGAN, "this don't count")
    upper = locate(MEGAN, "This don't count")
    assert lower.quote == "this don\u2019t count"
    assert upper.quote == "This don\u2019t count"
    assert lower.start == MEGAN.index("this don\u2019t")
    assert upper.start == MEGAN.index("This don\u2019t")
    with pytest.raises(QuoteNotFound):
        locate(MEGAN, "THIS DON'T COUNT")


def test_whitespace_runs_match_any_other_whitespace_run():
    body = "We  gotta\n   meet\u00a0proper, she said."
    anchor = locate(body, "gotta meet  proper")
    assert anchor.start == body.index("gotta")
    assert anchor.end == body.index(",")
    assert anchor.quote == "gotta\n   meet\u00a0proper"


def test_quote_typed_across_lines_matches_single_line_body():
    body = "The minister said the plan was fully funded."
    anchor = locate(body, "the plan\nwas   fully funded")
    assert anchor.quote == "the plan was fully funded"


def test_dashes_and_ellipsis_are_normalised():
    body = "Wait\u2026 then \u2014 nothing. Pages 10\u201312."
    anchor = locate(body, "Wait... then - nothing")
    assert anchor.start == 0
    assert anchor.quote == "Wait\u2026 then \u2014 nothing"
    assert locate(body, "10-12").quote == "10\u201312"


def test_body_with_straight_text_matches_typographic_quote():
    body = 'He said "it\'s fine..." and left.'
    anchor = locate(body, "\u201cit\u2019s fine\u2026\u201d")
    assert anchor.quote == '"it\'s fine..."'


def test_normalised_match_never_splits_an_original_character():
    # Two dots of an ellipsis have no honest offsets in the original text.
    with pytest.raises(QuoteNotFound):
        locate("Wait\u2026 what?", "Wait..")


def test_soft_hyphen_in_body_is_ignored_and_kept_in_quote():
    body = "An extra\u00adordinary claim."
    anchor = locate(body, "extraordinary claim")
    assert anchor.quote == "extra\u00adordinary claim"


# --- locate: errors -------------------------------------------------------------------------


def test_not_found_message():
    with pytest.raises(QuoteNotFound) as excinfo:
        locate(MEGAN, "We never met")
    assert str(excinfo.value) == "The quote \u201cWe never met\u201d does not occur in the article."
    assert isinstance(excinfo.value, AnchorError)
    assert isinstance(excinfo.value, ValueError)


def test_not_found_message_truncates_long_quotes():
    quote = "word " * 40
    with pytest.raises(QuoteNotFound) as excinfo:
        locate(MEGAN, quote)
    message = str(excinfo.value)
    assert "\u2026\u201d does not occur in the article." in message
    assert len(message) < 120


def test_ambiguous_quote_without_hints_lists_every_occurrence():
    first = MEGAN.index("don\u2019t count")
    second = MEGAN.index("don\u2019t count", first + 1)
    with pytest.raises(AmbiguousQuote) as excinfo:
        locate(MEGAN, "don't count")
    message = str(excinfo.value)
    assert "occurs 2 times" in message
    assert f"offset {first}" in message and f"offset {second}" in message
    # Listed in body order, each quoting the article's own characters, not the typed ones.
    assert message.index(f"offset {first}") < message.index(f"offset {second}")
    entries = message.split(": ", 1)[1].split("; ")
    assert len(entries) == 2 and all("don\u2019t count" in entry for entry in entries)
    assert not any("don't" in entry for entry in entries)
    assert "start offset" in message and "context" in message
    # Snippets of surrounding text let the editor tell the occurrences apart.
    assert "this don\u2019t count" in message and "This don\u2019t count" in message


def test_ambiguous_message_caps_the_listing():
    body = "ha " * 30
    with pytest.raises(AmbiguousQuote) as excinfo:
        locate(body, "ha")
    assert "occurs 30 times" in str(excinfo.value)
    assert listed_offsets(excinfo.value) == 10
    assert "20 more" in str(excinfo.value)


def test_start_hint_selects_the_occurrence():
    second = MEGAN.index("don\u2019t count", MEGAN.index("don\u2019t count") + 1)
    anchor = locate(MEGAN, "don't count", start=second)
    assert anchor.start == second
    assert anchor.prefix.endswith("This ")


def test_start_hint_that_matches_no_occurrence_is_an_error():
    offsets = [a.start for a in find_occurrences(MEGAN, "don't count")]
    with pytest.raises(AmbiguousQuote) as excinfo:
        locate(MEGAN, "don't count", start=3)
    message = str(excinfo.value)
    assert "no occurrence starts at offset 3" in message
    assert f"{offsets[0]} and {offsets[1]}" in message
    assert f"It starts at offsets {offsets[0]} and {offsets[1]};" in message


def test_start_hint_is_ignored_when_the_quote_occurs_once():
    anchor = locate(MEGAN, "gotta meet", start=0)
    assert anchor.start == MEGAN.index("gotta meet")


def test_context_selects_the_occurrence_nearby():
    body = _body_with_repeats()
    anchor = locate(body, "said yes", context="police chief")
    assert anchor.start == body.rindex("said yes")
    anchor = locate(body, "said yes", context="on  Monday")
    assert anchor.start == body.index("said yes")


def test_context_is_normalised_like_quotes():
    body = f"\u201cNo,\u201d she said. {FILLER}\u201cNo,\u201d he said \u2014 twice."
    anchor = locate(body, '"No,"', context="he said - twice")
    assert anchor.start == body.rindex("\u201cNo")


def test_context_near_every_occurrence_is_still_ambiguous():
    with pytest.raises(AmbiguousQuote) as excinfo:
        locate(MEGAN, "don't count", context="gotta meet")
    assert listed_offsets(excinfo.value) == 2
    assert "appears near 2 of them" in str(excinfo.value)


def test_context_near_no_occurrence_is_ambiguous_not_a_guess():
    body = _body_with_repeats()
    with pytest.raises(AmbiguousQuote) as excinfo:
        locate(body, "said yes", context="the governor")
    message = str(excinfo.value)
    assert "occurs 2 times" in message
    assert "does not appear near any of them" in message
    assert listed_offsets(excinfo.value) == 2


def test_context_outside_the_window_does_not_count():
    body = _body_with_repeats()
    # "Friday" is within 200 characters of the second occurrence only.
    assert locate(body, "said yes", context="Friday").start == body.rindex("said yes")
    assert len(body) - body.rindex("said yes") < 200 < body.rindex("said yes")


# --- bounded work on huge articles --------------------------------------------------------


class _NormalisingBudget:
    """Counts the windows of text ``locate`` normalises (the per-occurrence work of a
    context search), and stops the call once it goes past ``limit``: before the cap, a
    phrase occurring 300,000 times cost 300,000 windows, about 22 s of CPU."""

    def __init__(self, monkeypatch, limit):
        self.calls, self.limit = 0, limit
        self._real = anchoring._normalise
        monkeypatch.setattr(anchoring, "_normalise", self)

    def __call__(self, text):
        self.calls += 1
        if self.calls > self.limit:
            raise AssertionError(f"normalised more than {self.limit} windows of text")
        return self._real(text)


def _huge_body(occurrences):
    """``occurrences`` of "said yes", the last one alone near "police chief"."""
    return "Ann said yes. " * (occurrences - 1) + FILLER + "The police chief said yes."


def test_context_search_in_a_huge_article_is_bounded_and_refused_not_guessed(monkeypatch):
    body = _huge_body(300_000)
    budget = _NormalisingBudget(monkeypatch, limit=anchoring.MAX_CONTEXT_OCCURRENCES + 2)
    with pytest.raises(AmbiguousQuote) as excinfo:
        locate(body, "said yes", context="police chief")
    assert budget.calls <= 2  # the quote and the context: no window at all
    message = str(excinfo.value)
    assert "occurs 300000 times" in message
    assert "start offset" in message and "more of the passage" in message
    assert f"{300_000 - 10} more" in message
    assert len(str(excinfo.value)) < 2_000  # a few candidates listed, never all of them


def test_context_still_chooses_among_as_many_occurrences_as_the_cap(monkeypatch):
    cap = anchoring.MAX_CONTEXT_OCCURRENCES
    body = _huge_body(cap)
    budget = _NormalisingBudget(monkeypatch, limit=cap + 2)
    anchor = locate(body, "said yes", context="police chief")
    assert anchor.start == body.rindex("said yes")
    assert budget.calls <= cap + 2  # the quote, the context, one window per occurrence


def test_a_start_offset_picks_one_of_300000_occurrences_with_a_short_message():
    body = _huge_body(300_000)
    last = body.rindex("said yes")
    assert locate(body, "said yes", start=last).start == last
    with pytest.raises(AmbiguousQuote) as excinfo:
        locate(body, "said yes", start=1)
    message = str(excinfo.value)
    assert "no occurrence starts at offset 1" in message
    assert len(message) < 400
    assert len(str(excinfo.value)) < 2_000  # a few candidates listed, never all of them


# --- segment_paragraphs ---------------------------------------------------------------------


def _texts(paragraphs: list[list[Segment]]) -> list[list[tuple[str, tuple, tuple]]]:
    return [[(s.text, s.marks, s.opens) for s in para] for para in paragraphs]


def test_segments_without_passages_are_whole_paragraphs():
    body = "One.\n\nTwo."
    assert segment_paragraphs(body, []) == [
        [Segment(0, 4, "One.", (), ())],
        [Segment(6, 10, "Two.", (), ())],
    ]


def test_overlapping_passages_split_into_minimal_segments():
    body = "abcdefghij"
    result = segment_paragraphs(body, [(2, 3, 9), (1, 0, 6)])
    assert _texts(result) == [
        [
            ("abc", (1,), (1,)),
            ("def", (1, 2), (2,)),
            ("ghi", (2,), ()),
            ("j", (), ()),
        ]
    ]


def test_nested_passages_and_shared_boundaries():
    body = "abcdefghij"
    result = segment_paragraphs(body, [(5, 2, 8), (3, 2, 4), (4, 4, 8)])
    assert _texts(result) == [
        [
            ("ab", (), ()),
            ("cd", (3, 5), (3, 5)),
            ("efgh", (4, 5), (4,)),
            ("ij", (), ()),
        ]
    ]


def test_passage_crossing_two_paragraphs_opens_once():
    body = "First para.\n\nSecond para."
    start = body.index("para.")
    end = body.index(" para.", body.index("Second"))
    result = segment_paragraphs(body, [(7, start, end)])
    assert _texts(result) == [
        [("First ", (), ()), ("para.", (7,), (7,))],
        [("Second", (7,), ()), (" para.", (), ())],
    ]


def test_passage_starting_between_paragraphs_opens_at_next_paragraph():
    body = "First para.\n\nSecond para."
    gap = body.index("\n")
    result = segment_paragraphs(body, [(9, gap + 1, body.index(" para.", gap))])
    assert _texts(result) == [
        [("First para.", (), ())],
        [("Second", (9,), (9,)), (" para.", (), ())],
    ]


def test_passage_covering_only_whitespace_between_paragraphs_is_invisible():
    body = "First.\n\n\nSecond."
    result = segment_paragraphs(body, [(4, 6, 9)])
    assert _texts(result) == [[("First.", (), ())], [("Second.", (), ())]]


def test_invalid_and_out_of_range_passages_are_ignored():
    body = "Some text here."
    passages = [(1, 5, 5), (2, 9, 4), (3, -1, 4), (4, 10, 99), (5, 20, 30), (6, 5, 9)]
    assert _texts(segment_paragraphs(body, passages)) == [
        [("Some ", (), ()), ("text", (6,), (6,)), (" here.", (), ())]
    ]


def test_adjacent_segments_with_same_marks_and_no_opens_are_merged():
    body = "abcdefgh"
    # The same passage id split into two abutting ranges renders as one highlight.
    result = segment_paragraphs(body, [(1, 0, 3), (1, 3, 6)])
    assert _texts(result) == [[("abcdef", (1,), (1,)), ("gh", (), ())]]


def test_passages_accept_any_iterable():
    body = "abc"
    result = segment_paragraphs(body, iter([(1, 0, 1)]))
    assert _texts(result) == [[("a", (1,), (1,)), ("bc", (), ())]]


def _check_segments(body: str, passages: list[tuple[int, int, int]]) -> None:
    spans = paragraph_spans(body)
    result = segment_paragraphs(body, passages)
    assert len(result) == len(spans)
    valid = [(pid, s, e) for pid, s, e in passages if 0 <= s < e <= len(body)]
    opened: list[int] = []
    for (ps, pe), segments in zip(spans, result, strict=True):
        assert "".join(seg.text for seg in segments) == body[ps:pe]
        assert segments[0].start == ps and segments[-1].end == pe
        for seg in segments:
            assert seg.start < seg.end and seg.text == body[seg.start : seg.end]
            for i in range(seg.start, seg.end):
                covering = tuple(sorted({pid for pid, s, e in valid if s <= i < e}))
                assert covering == seg.marks
            assert set(seg.opens) <= set(seg.marks)
            opened.extend(seg.opens)
        for left, right in itertools.pairwise(segments):
            assert left.end == right.start
            assert left.marks != right.marks or right.opens
    overlapping = {pid for pid, s, e in valid if any(s < pe and e > ps for ps, pe in spans)}
    assert sorted(opened) == sorted(overlapping)


def test_property_segments_reassemble_paragraphs_exhaustively():
    body = "ab\n\n c\nd \n\n\nef"
    n = len(body)
    ranges = [(s, e) for s in range(-1, n + 2) for e in range(s - 1, n + 2)]
    for (s1, e1), (s2, e2) in itertools.product(ranges[::3], ranges[::5]):
        _check_segments(body, [(1, s1, e1), (2, s2, e2), (3, 4, 9)])


def test_property_make_anchor_then_locate_with_start_round_trips():
    body = "aa ab\u2019a\n\nb\u201caa\u201d a"
    for start in range(len(body)):
        for end in range(start + 1, len(body) + 1):
            quote = body[start:end]
            if quote != quote.strip() or not quote.strip():
                continue
            anchor = make_anchor(body, start, end)
            assert locate(body, quote, start=start) == anchor


def test_hypothesis_round_trip_make_anchor_then_locate():
    hypothesis = pytest.importorskip("hypothesis")
    st = pytest.importorskip("hypothesis.strategies")

    @hypothesis.settings(max_examples=200, deadline=None, database=None)
    @hypothesis.given(
        body=st.text(alphabet="ab \n\u00a0'\u2019\"\u201c\u2014-\u2026.", min_size=1, max_size=40),
        data=st.data(),
    )
    def round_trip(body: str, data) -> None:
        start = data.draw(st.integers(0, len(body) - 1))
        end = data.draw(st.integers(start + 1, len(body)))
        quote = body[start:end]
        hypothesis.assume(quote.strip() == quote and quote.strip())
        anchor = make_anchor(body, start, end)
        assert locate(body, quote, start=start) == anchor
        _check_segments(body, [(1, start, end), (2, 0, end)])

    round_trip()
