"""Locating quoted evidence inside an article body.

Evidence is stored the way the W3C Web Annotation model stores a text selection: the exact
quote, its start/end character offsets (TextPositionSelector) and a little text either side
(TextQuoteSelector prefix/suffix). Offsets count Unicode code points, as Python slicing and the
W3C model do; a browser that counts UTF-16 units has to convert before sending them.

This module is deliberately pure -- strings in, strings and frozen dataclasses out, standard
library only, no Django and no database -- because the same rules are needed by the model's
validation, the editor's forms, the import command, re-anchoring after an article is edited and
the template that renders highlights. If each of those re-implemented "find the quote" they
would drift apart, and an editor would see a quote accepted in one place and rejected in
another. One implementation here can be exercised exhaustively by fast unit tests, without a
database, and every caller inherits the same answers and the same editor-facing messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .paragraphs import paragraph_spans

__all__ = [
    "CONTEXT_CHARS",
    "MAX_CONTEXT_OCCURRENCES",
    "AmbiguousQuote",
    "Anchor",
    "AnchorError",
    "QuoteNotFound",
    "Segment",
    "find_occurrences",
    "locate",
    "make_anchor",
    "segment_paragraphs",
]

# Enough context to tell apart repeated short quotes ("he said", "the company") without storing
# whole sentences twice; it matches what annotation tools such as Hypothesis keep.
CONTEXT_CHARS = 32

# How far from an occurrence the editor's context words may appear and still count as "near".
CONTEXT_WINDOW = 200

# The most occurrences whose surroundings a context search reads. Each costs a window of about
# 2 * CONTEXT_WINDOW characters; a phrase repeated 300,000 times in a huge article would
# otherwise cost seconds of CPU per save. Beyond it the quote is refused (never bound to a
# guess) and the editor asked for a start offset or a longer quote. Also the most candidates an
# AmbiguousQuote carries, so an error never holds a copy of every occurrence.
MAX_CONTEXT_OCCURRENCES = 1000

# Quotes are shown back to editors in messages; very long ones would bury the actual problem.
_MESSAGE_QUOTE_CHARS = 60
_SNIPPET_CONTEXT_CHARS = 20
_SNIPPET_QUOTE_CHARS = 30
_MAX_LISTED_OCCURRENCES = 10


@dataclass(frozen=True)
class Anchor:
    """A passage pinned to a body; frozen so that a located passage can't drift from its text."""

    start: int
    end: int
    quote: str
    prefix: str
    suffix: str


@dataclass(frozen=True)
class Segment:
    """A run of paragraph text whose highlighting is uniform, so a template can emit one element.

    ``opens`` is separate from ``marks`` because a passage crossing segments (or paragraphs)
    must get exactly one ``id="passage-<id>"`` target, at its first visible character.
    """

    start: int
    end: int
    text: str
    marks: tuple[int, ...]
    opens: tuple[int, ...]


class AnchorError(ValueError):
    """Base class; ``str(e)`` is a complete sentence that can be shown to an editor as is.

    It subclasses ValueError so that callers which already turn ValueErrors into form errors
    need nothing extra.
    """


class QuoteNotFound(AnchorError):
    """Raised when the quote is nowhere in the article, even after tolerant matching."""


class AmbiguousQuote(AnchorError):
    """Raised rather than guessing: silently pinning evidence to the wrong occurrence of a
    repeated quote would make a citation point at words the source never meant.

    The message lists the candidates (offset and surrounding words) for the editor to choose.
    """


# --------------------------------------------------------------------------------------------
# Normalisation
#
# Editors retype quotes from articles whose typography they can't reproduce on a keyboard, so
# the fallback match folds the characters that differ only typographically. Case is kept: "US"
# and "us" are different words.

_SINGLE_CHAR_FOLDS: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
}
_EXPANSIONS: dict[str, str] = {"\u2026": "..."}
# Invisible characters that survive copy and paste from web pages but can't be typed.
_DROPPED = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


@dataclass(frozen=True)
class _Normalised:
    """Normalised text plus, per normalised character, where it came from.

    ``starts[i]`` is the original offset if normalised character ``i`` begins an original
    character (else None); ``ends[i]`` is the original end offset if it finishes one. A match
    that would split an original character -- two of the three dots of an ellipsis -- has no
    honest original offsets, so such matches are rejected rather than rounded.
    """

    text: str
    starts: tuple[int | None, ...]
    ends: tuple[int | None, ...]


def _normalise(text: str) -> _Normalised:
    out: list[str] = []
    starts: list[int | None] = []
    ends: list[int | None] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            j = i + 1
            while j < n and (text[j].isspace() or text[j] in _DROPPED):
                j += 1
            out.append(" ")
            starts.append(i)
            ends.append(j)
            i = j
            continue
        if ch in _DROPPED:
            i += 1
            continue
        replacement = _EXPANSIONS.get(ch) or _SINGLE_CHAR_FOLDS.get(ch, ch)
        last = len(replacement) - 1
        for k, rch in enumerate(replacement):
            out.append(rch)
            starts.append(i if k == 0 else None)
            ends.append(i + 1 if k == last else None)
        i += 1
    return _Normalised("".join(out), tuple(starts), tuple(ends))


def _normalised_text(text: str) -> str:
    return _normalise(text).text.strip(" ")


# --------------------------------------------------------------------------------------------
# Message helpers


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _shorten(text: str, limit: int = _MESSAGE_QUOTE_CHARS) -> str:
    text = _collapse(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "\u2026"


def _quoted(text: str) -> str:
    return f"\u201c{_shorten(text)}\u201d"


def _snippet(body: str, anchor: Anchor) -> str:
    before_start = max(0, anchor.start - _SNIPPET_CONTEXT_CHARS)
    before = body[before_start : anchor.start]
    after = body[anchor.end : anchor.end + _SNIPPET_CONTEXT_CHARS]
    text = (
        _collapse(before)
        + (" " if before[-1:].isspace() else "")
        + _shorten(anchor.quote, _SNIPPET_QUOTE_CHARS)
        + (" " if after[:1].isspace() else "")
        + _collapse(after)
    )
    if before_start > 0:
        text = "\u2026" + text
    if anchor.end + _SNIPPET_CONTEXT_CHARS < len(body):
        text += "\u2026"
    return f"\u201c{text.strip()}\u201d"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _listing(body: str, spans: list[tuple[int, int]]) -> str:
    shown = [
        f"offset {start} ({_snippet(body, make_anchor(body, start, end))})"
        for start, end in spans[:_MAX_LISTED_OCCURRENCES]
    ]
    hidden = len(spans) - len(shown)
    if hidden:
        shown.append(f"{hidden} more")
    return "; ".join(shown)


def _offsets(spans: list[tuple[int, int]]) -> str:
    shown = [str(start) for start, _ in spans[:_MAX_LISTED_OCCURRENCES]]
    hidden = len(spans) - len(shown)
    return _join([*shown, f"{hidden} more"] if hidden else shown)


# --------------------------------------------------------------------------------------------
# Public API


def make_anchor(body: str, start: int, end: int, context: int = CONTEXT_CHARS) -> Anchor:
    """Build an Anchor from trusted offsets, so prefix/suffix are always cut the same way."""
    if context < 0:
        raise ValueError("context must not be negative")
    if not 0 <= start < end <= len(body):
        raise AnchorError(
            f"The offsets {start}\u2013{end} do not describe a passage of this article: the start "
            f"must come before the end, and both must lie within its {len(body)} characters."
        )
    return Anchor(
        start=start,
        end=end,
        quote=body[start:end],
        prefix=body[max(0, start - context) : start],
        suffix=body[end : end + context],
    )


def _clean_quote(quote: str) -> str:
    stripped = quote.strip()
    if not stripped or not _normalised_text(stripped):
        raise AnchorError("The quote is empty.")
    return stripped


def _find_all(haystack: str, needle: str) -> Iterable[int]:
    i = haystack.find(needle)
    while i != -1:
        yield i
        i = haystack.find(needle, i + 1)


def _occurrence_spans(body: str, quote: str) -> list[tuple[int, int]]:
    """(start, end) of every occurrence, as ``find_occurrences`` finds them; plain offsets,
    so counting 300,000 occurrences does not build 300,000 anchors."""
    quote = _clean_quote(quote)
    exact = [(i, i + len(quote)) for i in _find_all(body, quote)]
    if exact:
        return exact
    needle = _normalised_text(quote)
    norm = _normalise(body)
    found: list[tuple[int, int]] = []
    for i in _find_all(norm.text, needle):
        start, end = norm.starts[i], norm.ends[i + len(needle) - 1]
        if start is not None and end is not None:
            found.append((start, end))
    return found


def find_occurrences(body: str, quote: str) -> list[Anchor]:
    """Every occurrence, overlapping ones included, in body order.

    Exact matches win outright: if the editor's text is literally there, folding typography
    could only add false candidates. The normalised fallback reports the body's own
    characters and offsets, because stored evidence must quote the article, not the editor.
    """
    return [make_anchor(body, start, end) for start, end in _occurrence_spans(body, quote)]


def locate(body: str, quote: str, *, start: int | None = None, context: str = "") -> Anchor:
    """The one occurrence the editor meant, or an error that tells them how to say which.

    ``start`` is only a hint: with a single occurrence there is nothing to disambiguate, so a
    stale offset (say, from before a copy edit) must not block the editor.

    The work is linear in the body and bounded in occurrences: a context search reads the
    surroundings of at most MAX_CONTEXT_OCCURRENCES of them, and messages list a few.
    """
    spans = _occurrence_spans(body, quote)
    shown = _quoted(quote)
    if not spans:
        raise QuoteNotFound(f"The quote {shown} does not occur in the article.")
    if len(spans) == 1:
        return make_anchor(body, *spans[0])

    occurs = f"The quote {shown} occurs {_times(len(spans))} in the article"
    if start is not None:
        for found_start, found_end in spans:
            if found_start == start:
                return make_anchor(body, found_start, found_end)
        raise AmbiguousQuote(
            f"{occurs}, but no occurrence starts at offset {start}. "
            f"It starts at offsets {_offsets(spans)}; give one of those.",
        )

    needle = _normalised_text(context)
    if needle:
        shown_context = _quoted(context)
        if len(spans) > MAX_CONTEXT_OCCURRENCES:
            raise AmbiguousQuote(
                f"{occurs}, too many to look for the context {shown_context} near each "
                f"(at most {MAX_CONTEXT_OCCURRENCES} are searched): {_listing(body, spans)}. "
                "Give the start offset of the one you mean, or quote more of the passage so "
                "that it occurs fewer times.",
            )
        near = [
            (s, e)
            for s, e in spans
            if needle in _normalise(body[max(0, s - CONTEXT_WINDOW) : e + CONTEXT_WINDOW]).text
        ]
        if len(near) == 1:
            return make_anchor(body, *near[0])
        if not near:
            raise AmbiguousQuote(
                f"{occurs}, and the context {shown_context} does not appear near any of them: "
                f"{_listing(body, spans)}. Give the start offset of the one you mean, or some "
                "words that appear close to it.",
            )
        raise AmbiguousQuote(
            f"{occurs}, and the context {shown_context} appears near {len(near)} of them: "
            f"{_listing(body, near)}. Give the start offset of the one you mean, or some words "
            "of context that appear only near it.",
        )

    raise AmbiguousQuote(
        f"{occurs}: {_listing(body, spans)}. Give the start offset of the one you mean, or "
        "some words of context from near it.",
    )


def segment_paragraphs(body: str, passages: Iterable[tuple[int, int, int]]) -> list[list[Segment]]:
    """Split each paragraph into uniformly highlighted runs.

    Passages may overlap and cross paragraphs, which nested HTML elements can't express; flat
    segments carrying the set of covering passage ids can. Invalid passages are skipped rather
    than raising, because a stale offset must not stop an article from rendering.
    """
    paragraphs = paragraph_spans(body)
    valid = [(pid, s, e) for pid, s, e in passages if 0 <= s < e <= len(body)]

    # Where each passage's single "#passage-<id>" target goes: its first character that is
    # inside a paragraph (a passage may begin in the blank lines between paragraphs).
    opens_at: dict[int, int] = {}
    for pid, s, e in valid:
        for ps, pe in paragraphs:
            if pe > s and ps < e:
                pos = max(ps, s)
                if pid not in opens_at or pos < opens_at[pid]:
                    opens_at[pid] = pos
                break

    result: list[list[Segment]] = []
    for ps, pe in paragraphs:
        inside = [(pid, s, e) for pid, s, e in valid if s < pe and e > ps]
        cuts = {ps, pe}
        for _pid, s, e in inside:
            cuts.update(x for x in (s, e) if ps < x < pe)
        bounds = sorted(cuts)
        segments: list[Segment] = []
        for a, b in zip(bounds, bounds[1:], strict=False):
            marks = tuple(sorted({pid for pid, s, e in inside if s < b and e > a}))
            opens = tuple(sorted({pid for pid, pos in opens_at.items() if a <= pos < b}))
            prev = segments[-1] if segments else None
            if prev is not None and prev.marks == marks and not opens:
                segments[-1] = Segment(prev.start, b, body[prev.start : b], marks, prev.opens)
            else:
                segments.append(Segment(a, b, body[a:b], marks, opens))
        result.append(segments)
    return result
