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

import re
from bisect import bisect_right
from dataclasses import dataclass

__all__ = ["Paragraphs", "Snippet", "paragraph_spans"]


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

    def reach(self, position: int) -> int:
        """Where the paragraph before the one holding ``position`` starts (or this one's, or
        0): how far back a rule may look for what a sentence refers to."""
        index = bisect_right(self._starts, position) - 1
        return self._starts[max(0, index - 1)] if index >= 0 else 0

    def snippet(self, start: int, end: int, width: int = 60) -> Snippet:
        """``body[start:end]`` on one line in its paragraph, for an editor to see where it is.

        At most ``width`` characters either side, cut at a word boundary, never running into
        the neighbouring paragraph; an ellipsis marks each side that was cut. Line breaks
        inside become spaces so the snippet fits a table cell or a form's help text.
        """
        body = self.body
        if not 0 <= start <= end <= len(body):
            raise ValueError(f"span {start}:{end} is outside a body of {len(body)} characters")
        para_start, _ = self.around(start)
        _, para_end = self.around(end)

        low = max(para_start, start - width)
        before = body[low:start]
        if low > para_start and not body[low - 1].isspace():
            before = before[_first_space(before) :]
        high = min(para_end, end + width)
        after = body[end:high]
        if high < para_end and not body[high].isspace():
            after = after[: _last_space(after)]

        lead = "…" if low > para_start else ""
        trail = "…" if high < para_end else ""
        return Snippet(
            before=f"{lead}{_flatten(before).lstrip()}",
            match=_flatten(body[start:end]),
            after=f"{_flatten(after).rstrip()}{trail}",
        )


@dataclass(frozen=True)
class Snippet:
    """A span shown in its paragraph, in parts, so a page can mark the match without parsing.

    ``str()`` is the plain-text form, "…before [match] after…".
    """

    before: str
    match: str
    after: str

    def __str__(self) -> str:
        return f"{self.before}[{self.match}]{self.after}"


def _first_space(text: str) -> int:
    match = re.search(r"\s", text)
    return match.start() if match else 0


def _last_space(text: str) -> int:
    spaces = [match.start() for match in re.finditer(r"\s", text)]
    return spaces[-1] if spaces else len(text)


def _flatten(text: str) -> str:
    return re.sub(r"\s+", " ", text)
