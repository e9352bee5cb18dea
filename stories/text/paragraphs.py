"""Where a paragraph of an article body starts and ends: the one rule, for every caller.

The importer writes paragraphs separated by blank lines (lines holding nothing but
whitespace); a single line break inside a paragraph is just a wrapped line. Highlighting
passages (``anchoring.segment_paragraphs``), the admin's rendering of a body, the rules that
find names and quoted speech (a sentence, a heading or a speaker never runs past its
paragraph) and the snippets shown to editors all ask this module, so they cannot disagree
about what a paragraph is.

Pure: strings in, offsets out, standard library only. Offsets index the body as given, so
what is rendered per paragraph keeps the offsets evidence is stored against.
"""

from __future__ import annotations

from bisect import bisect_right

__all__ = ["Paragraphs", "paragraph_spans"]


def paragraph_spans(body: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each paragraph in body order, without the whitespace around it.

    One pass over the body's lines.
    """
    spans: list[tuple[int, int]] = []
    para_start: int | None = None
    para_end = 0
    pos = 0
    for line in body.split("\n"):
        if line.strip():
            if para_start is None:
                para_start = pos + len(line) - len(line.lstrip())
            para_end = pos + len(line.rstrip())
        elif para_start is not None:
            spans.append((para_start, para_end))
            para_start = None
        pos += len(line) + 1
    if para_start is not None:
        spans.append((para_start, para_end))
    return spans


class Paragraphs:
    """A body's paragraphs, found once, for rules that ask about many positions.

    Each lookup is a binary search over :func:`paragraph_spans`, so a rule that asks once per
    word or per quote stays linear in the body (give or take a logarithm) instead of rescanning
    the text around every position it looks at.
    """

    def __init__(self, body: str) -> None:
        self.body = body
        self.spans = paragraph_spans(body)
        self._starts = [start for start, _ in self.spans]

    def around(self, position: int) -> tuple[int, int]:
        """The paragraph holding ``position``, its end included (a match may end there).

        Between paragraphs there is none: the empty span ``(position, position)`` is returned,
        so nothing read from it can run into a neighbouring paragraph.
        """
        index = bisect_right(self._starts, position) - 1
        if index >= 0:
            start, end = self.spans[index]
            if position <= end:
                return start, end
        return position, position
