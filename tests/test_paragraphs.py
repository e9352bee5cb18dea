"""Unit tests for stories.text.paragraphs: the one rule for where a paragraph starts and ends."""

from __future__ import annotations

import pytest

from stories.text.paragraphs import Paragraphs, Snippet, paragraph_spans

from .seed_texts import SEED_000, seed_body

# --- paragraph_spans ------------------------------------------------------------------------


def test_paragraph_spans_with_multiple_blank_lines_and_trailing_whitespace():
    body = "  First line.\nSecond line.  \n\n\n \t \nNext para.\n\n   \n"
    spans = paragraph_spans(body)
    assert [body[s:e] for s, e in spans] == ["First line.\nSecond line.", "Next para."]
    assert spans[0] == (2, body.index("line.  ") + len("line."))


@pytest.mark.parametrize("body", ["", "\n", "  \n\n \t "])
def test_paragraph_spans_of_blank_body(body):
    assert paragraph_spans(body) == []


def test_single_paragraph_without_newlines():
    assert paragraph_spans("One paragraph.") == [(0, 14)]


# --- Paragraphs.around ----------------------------------------------------------------------


def test_around_gives_the_paragraph_holding_a_position_its_end_included():
    body = "First line,\nwrapped.\n\nSecond."
    paragraphs = Paragraphs(body)
    first, second = paragraph_spans(body)
    for position in range(first[0], first[1] + 1):
        assert paragraphs.around(position) == first
    for position in range(second[0], second[1] + 1):
        assert paragraphs.around(position) == second


def test_around_a_position_between_paragraphs_is_empty():
    body = "  First.\n\n \nSecond.  "
    paragraphs = Paragraphs(body)
    assert paragraphs.around(0) == (0, 0)  # before the first paragraph's text
    gap = body.index("\n")
    assert paragraphs.around(gap + 1) == (gap + 1, gap + 1)
    assert paragraphs.around(len(body)) == (len(body), len(body))
    assert Paragraphs("").around(0) == (0, 0)


# --- Paragraphs.snippet ---------------------------------------------------------------------


def snippet(body: str, start: int, end: int, **kwargs) -> str:
    return str(Paragraphs(body).snippet(start, end, **kwargs))


def test_snippet_marks_the_match_and_cuts_at_word_boundaries():
    body = seed_body(SEED_000)
    start = body.index("Benicio Del Toro")
    parts = Paragraphs(body).snippet(start, start + len("Benicio Del Toro"), width=30)
    # 30 characters after the match end inside "Netflix's", so that partial word is dropped.
    assert str(parts) == (
        "\u2026Timberlake acting opposite [Benicio Del Toro] and Alicia Silverstone in\u2026"
    )
    # The parts are what a page marks up, so the match is never found again by searching.
    assert parts == Snippet(
        "\u2026Timberlake acting opposite ", "Benicio Del Toro", " and Alicia Silverstone in\u2026"
    )


def test_snippet_stays_in_the_paragraph_and_is_one_line():
    body = "First paragraph ends here.\n\nJustin Timberlake arrived\nlate at night."
    start = body.index("Justin")
    assert snippet(body, start, start + 17) == "[Justin Timberlake] arrived late at night."
    assert snippet(body, 0, 5, width=200) == "[First] paragraph ends here."
    assert "\n" not in snippet(body, start, len(body))


def test_snippet_at_the_edges_and_for_an_empty_span():
    assert snippet("Megan", 0, 5) == "[Megan]"
    assert snippet("Hi Megan", 3, 3) == "Hi []Megan"


def test_snippet_of_an_indented_paragraph_marks_no_cut_in_the_indentation():
    body = "    Megan Thee Stallion waved."
    start = body.index("Stallion")
    assert snippet(body, start, start + 8, width=12) == "Megan Thee [Stallion] waved."


def test_snippet_does_not_match_brackets_already_in_the_text():
    body = "The caption read [Megan] and then Megan spoke."
    start = body.rindex("Megan")
    parts = Paragraphs(body).snippet(start, start + 5)
    assert (parts.before, parts.match) == ("The caption read [Megan] and then ", "Megan")


@pytest.mark.parametrize(("start", "end"), [(-1, 2), (3, 2), (0, 99)])
def test_snippet_rejects_spans_outside_the_body(start, end):
    with pytest.raises(ValueError, match="outside"):
        snippet("Megan", start, end)
