"""Unit tests for stories.text.paragraphs: the one rule for where a paragraph starts and ends."""

from __future__ import annotations

import pytest

from stories.text.paragraphs import Paragraphs, paragraph_spans

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
