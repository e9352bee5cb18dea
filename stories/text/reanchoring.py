"""Re-anchoring: following every evidence passage into a new version of its article.

A passage is stored against one version of an article body (its quote, offsets and a little
context, see ``anchoring``). When the article is corrected or re-imported, each passage is
re-anchored to the new body and the result is recorded in one of five states:

``exact``
    The diff of the two versions carries the passage to a place holding the quote unchanged
    (typography and spacing aside, the same folding ``anchoring.locate`` applies for editors),
    and the sentence around it is unchanged. Offsets may have shifted.
``moved``
    The quote stands unchanged in new text elsewhere, inside the same sentence and with its
    own neighbours on at least one side, and no other copy fits about as well.
``fuzzy``
    The passage's own sentence still holds the quote with small edits inside it, and the rest
    of the sentence as it was; the result carries the similarity score.
``needs_review``
    Candidates exist, none certain; they are listed with their scores.
``orphaned``
    Nothing fits above the floor.

Only ``exact`` and ``moved`` are settled (:data:`SETTLED`); the others wait for an editor.

The rules, and why
------------------
*Diff once.* The two bodies are diffed once per article (:class:`BodyChange`): the common
head and tail are cut off (at sentence ends) in linear time, the middle is diffed by sentences
with ``difflib.SequenceMatcher``, every replaced stretch of bounded size again by words and
then characters with rapidfuzz's ``Levenshtein`` opcodes, and insertions and deletions slide
to natural boundaries. A passage's old offsets then map to new ones by binary search.

*Sentence identity.* A passage belongs to the sentence it was cut from. Its *own region* is
the new text the diff puts where that sentence stood. The quote found there, overlapping the
place the diff carries the passage to, in a sentence that still reads the same around it, is
``exact``; the old offset itself decides nothing, so a copy of the sentence that happens to
sit at the old offset is never preferred to the original.

*Twins never.* Text the diff carries over unchanged from somewhere else in the old body is
that other place's text: a repeated phrase there is a twin, not the passage. So only two kinds
of place are ever considered: the own region, and text that is new in this version (inserted
or rewritten). A short phrase whose own sentence was deleted is therefore orphaned, not moved
to its twin, and no candidate comes from unchanged text of another sentence.

*Moved needs context.* An unchanged copy in new text is taken only when its sentence reads the
same around it (:data:`CONTEXT_AGREES`) and the stored prefix or suffix agrees too, and it
beats every other such copy by :data:`DECISIVE_MARGIN`. A passage is never bound to other text
to avoid an orphan.

*Approximate matching* runs only inside the own region, near the place the diff carries the
passage to (and its answer must overlap that place), with
``rapidfuzz.fuzz.partial_ratio_alignment`` to find the stretch and ``fuzz.ratio`` (normalised
Indel similarity, 0-100) to score it, with minimums that are stricter for short quotes (see
:func:`thresholds`); the rest of the sentence must still read the same for it to bind.

*Bounded work.* Every search reads a bounded window: the own region (capped), the candidate's
sentence (:data:`SENTENCE_REACH`), and the new text of the version; at most
:data:`MAX_CANDIDATES` copies are scored per passage. Unchanged text is never scanned per
passage, however often the quote repeats in it. :attr:`BodyChange.comparisons` counts the
scoring calls so tests can pin that down without timing anything.

Pure: strings in, frozen dataclasses out; rapidfuzz is the only third-party import.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property, lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

# The same folding as ``locate``, so a quote an editor could cite is the quote re-anchoring
# recognises; it is private to ``anchoring`` only because nothing else needed it so far.
from .anchoring import CONTEXT_CHARS, Anchor, AnchorError, _normalise

__all__ = [
    "CONTEXT_AGREES",
    "DECISIVE_MARGIN",
    "EXACT",
    "FUZZY",
    "MAX_CANDIDATES",
    "MAX_COMPARISONS",
    "MOVED",
    "NEEDS_REVIEW",
    "ORPHANED",
    "SETTLED",
    "STATES",
    "BodyChange",
    "Candidate",
    "Reanchored",
    "StalePassage",
    "Thresholds",
    "reanchor",
    "reanchor_all",
    "thresholds",
]

EXACT = "exact"
MOVED = "moved"
FUZZY = "fuzzy"
NEEDS_REVIEW = "needs_review"
ORPHANED = "orphaned"
STATES = (EXACT, MOVED, FUZZY, NEEDS_REVIEW, ORPHANED)
SETTLED = frozenset({EXACT, MOVED})

# --------------------------------------------------------------------------------------------
# Thresholds. Scores are rapidfuzz's fuzz.ratio on folded text: 100 * (1 - d / (m + n)) with d
# the Indel distance (insertions plus deletions; a substituted character costs 2). One typo
# fixed in a 40-character quote scores 97.5, in a 20-character one 95; one six-letter word
# replaced in a 60-character quote scores about 90.

# A quote shorter than this (folded characters) is "short": each word carries more of its
# meaning, and short strings resemble unrelated text by chance far more often.
SHORT_QUOTE = 40
# Below this ("he said", "No comment.") an approximate match is never bound: one changed
# character is a different word. Such matches are still shown to an editor.
TINY_QUOTE = 12
# Binding with edits (fuzzy): about one changed word in ten for long quotes; for short ones
# one typo in twenty characters, which lets a fixed typo through but not a changed word.
FUZZY_MIN = 90.0
FUZZY_MIN_SHORT = 95.0
# Shown to an editor (needs_review) at all: below this the text has become something else.
REVIEW_FLOOR = 75.0
REVIEW_FLOOR_SHORT = 85.0
# An unchanged copy of a short quote elsewhere is shown only where what surrounds it resembles
# the passage's surroundings this much; a copy of a long quote is worth a look anywhere.
CONTEXT_FLOOR_SHORT = 60.0
CONTEXT_FLOOR_TINY = 75.0

# Surroundings "agree" at this similarity: a typo fixed next to the quote still agrees, a
# changed verb ("said" -> "denied") in a short sentence does not.
CONTEXT_AGREES = 90.0
# How much better (context points) one copy must fit than the next to be taken as moved.
DECISIVE_MARGIN = 10.0

# Work bounds.
MAX_CANDIDATES = 50  # unchanged copies scored per passage; more means none can be certain
MAX_LISTED = 10  # candidates kept on a result for the editor
SENTENCE_REACH = 600  # characters looked at either side for a sentence's ends
REGION_LIMIT = 4_000  # own region longer than the old sentence plus this is a rewrite, not it
# Replaced stretches are diffed again by word when (words m) * (words n) is at most this, and
# differing words by character up to CHARACTER_DIFF_CELLS: rapidfuzz's bit-parallel Levenshtein
# costs about m * n / 64 machine words.
FINE_DIFF_CELLS = 40_000_000
CHARACTER_DIFF_CELLS = 1_000_000
_MIN_EQUAL_RUN = 3  # shorter character agreements between differing words are coincidence
_MAX_STEPS = 6  # word-boundary adjustments tried for an approximate match
_MAX_SLIDE = 64  # how far an insertion or deletion may slide to a natural boundary

# The most scoring calls one passage can cost: its own occurrence's fit (4), the copies' fits
# (4 each), and the approximate search (one alignment; per guess, a start and four options a
# step; the result's fit).
MAX_COMPARISONS = 4 + 4 * MAX_CANDIDATES + 1 + 2 * (1 + 4 * _MAX_STEPS) + 4


class StalePassage(AnchorError):
    """The stored quote is not at its offsets in the version it says it was anchored to.

    Re-anchoring follows a passage from where it was; with the wrong starting point it could
    only guess, and a guess is exactly what this module exists to avoid.
    """


@dataclass(frozen=True)
class Candidate:
    """A place in the new body that might be the passage.

    ``score`` is how much of the quote's text matches there (100: unchanged), ``context`` how
    much of what surrounded the passage (its sentence, at least 32 characters either side)
    surrounds this place too. Both 0-100, rounded to one decimal.
    """

    start: int
    end: int
    text: str
    score: float
    context: float


@dataclass(frozen=True)
class Reanchored:
    """What became of one passage. ``start``/``end``/``quote`` are the new binding, None
    unless the state binds (exact, moved, fuzzy). ``score`` is the bound text's similarity to
    the quote, or for needs_review the best candidate's; None when orphaned. ``candidates``
    lists, best first, what an editor should look at (fuzzy and needs_review)."""

    state: str
    start: int | None
    end: int | None
    quote: str | None
    score: float | None
    candidates: tuple[Candidate, ...] = ()

    @property
    def settled(self) -> bool:
        return self.state in SETTLED


@dataclass(frozen=True)
class Thresholds:
    """The minimums for one quote. ``fuzzy`` None: never bound approximately."""

    fuzzy: float | None
    floor: float
    context_floor: float


def thresholds(quote: str) -> Thresholds:
    """Stricter for shorter quotes, for the reasons given with the constants above."""
    length = len(_fold(quote))
    if length < TINY_QUOTE:
        return Thresholds(None, REVIEW_FLOOR_SHORT, CONTEXT_FLOOR_TINY)
    if length < SHORT_QUOTE:
        return Thresholds(FUZZY_MIN_SHORT, REVIEW_FLOOR_SHORT, CONTEXT_FLOOR_SHORT)
    return Thresholds(FUZZY_MIN, REVIEW_FLOOR, 0.0)


def reanchor(
    old_body: str,
    new_body: str,
    start: int,
    end: int,
    quote: str,
    prefix: str = "",
    suffix: str = "",
) -> Reanchored:
    """Re-anchor one passage; for several passages of one article use :func:`reanchor_all`."""
    return BodyChange(old_body, new_body).reanchor(start, end, quote, prefix, suffix)


def reanchor_all(old_body: str, new_body: str, passages: Iterable[Anchor]) -> list[Reanchored]:
    """Re-anchor every passage of one article, diffing the two bodies only once.

    ``passages`` are Anchors or anything with their five fields (an Evidence row will do).
    """
    return BodyChange(old_body, new_body).reanchor_all(passages)


# --------------------------------------------------------------------------------------------
# Text helpers


def _fold(text: str) -> str:
    return _normalise(text).text.strip(" ")


_VISIBLE = re.compile(r"[^\s\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_INVISIBLE = "[\u00ad\u200b\u200c\u200d\u2060\ufeff]*"
_INVISIBLE_CHAR = re.compile(_INVISIBLE[:-1])
_TOLERANT = {
    " ": r"\s[\s\u00ad\u200b\u200c\u200d\u2060\ufeff]*",
    "'": "['\u2018\u2019\u201a\u201b\u2032]",
    '"': '["\u201c\u201d\u201e\u201f\u2033]',
    "-": "[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]",
}


@lru_cache(maxsize=4096)
def _tolerant(folded: str, invisible: bool) -> re.Pattern[str]:
    """A pattern matching every text that folds to ``folded``, for the C regex engine to find
    with the body's own offsets (folding a whole body in Python would cost more than the rest
    of re-anchoring together). A lookahead, so overlapping copies are found too. Invisible
    characters between letters are allowed only when the text searched has any: the pattern
    that allows them everywhere takes far longer to compile."""
    parts: list[str] = []
    i = 0
    while i < len(folded):
        if folded.startswith("...", i):
            parts.append("(?:\\.\\.\\.|\u2026)")
            i += 3
            continue
        ch = folded[i]
        if ch == " " and not invisible:
            parts.append(r"\s+")
        else:
            parts.append(_TOLERANT.get(ch) or re.escape(ch))
        i += 1
    return re.compile("(?=(" + (_INVISIBLE if invisible else "").join(parts) + "))")


def _occurrences(folded: str, text: str, low: int, high: int) -> Iterator[tuple[int, int]]:
    """Every stretch of ``text[low:high]`` that folds to ``folded``."""
    invisible = _INVISIBLE_CHAR.search(text, low, high) is not None
    for match in _tolerant(folded, invisible).finditer(text, low, high):
        yield match.start(1), match.end(1)


# A sentence ends at terminal punctuation (with any closing quotes or brackets) followed by
# whitespace, or at a blank line. Abbreviations ("Mr. Smith") cut a sentence short; that only
# makes the context compared a little narrower, never wider.
_BREAK = re.compile(r"([.!?\u2026]+[\"'\u201d\u2019)\]]*)\s+|[ \t]*\n[ \t]*\n\s*")
# Sentence-sized pieces for the coarse diff: text up to its terminators and the space after
# them, so that a sentence is the same piece wherever it stands in a paragraph.
_PIECE = re.compile(r"[^.!?\n]*[.!?\n]*\s*")
_ENDS = re.compile(r"[.!?\n]+\s*")
# Words and single marks with the space after them, for diffing a replaced stretch again.
_TOKEN = re.compile(r"\s+|\w+\s*|[^\w\s]\s*")


def _sentence_span(body: str, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) holding ``body[start:end]``, looking at most SENTENCE_REACH either side."""
    low = max(0, start - SENTENCE_REACH)
    sentence_start = low
    for match in _BREAK.finditer(body, low, start):
        sentence_start = match.end()
    high = min(len(body), end + SENTENCE_REACH)
    match = _BREAK.search(body, max(start, end - 1), high)
    if match is None:
        return sentence_start, high
    return sentence_start, match.end(1) if match.group(1) else match.start()


def _sides(text: str, before: int, start: int, end: int, after: int) -> str:
    """What stands either side of ``text[start:end]``, folded: left part, NUL, right part."""
    return _fold(text[before:start]) + "\0" + _fold(text[end:after])


def _agreement(a: str, b: str) -> float:
    return 100.0 if a == b else fuzz.ratio(a, b)


# --------------------------------------------------------------------------------------------
# The diff


@dataclass(frozen=True)
class Block:
    """One stretch of the diff: ``old[old_start:old_end]`` became ``new[new_start:new_end]``,
    unchanged when ``equal``. Blocks tile both bodies in order; unequal neighbours are merged."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int
    equal: bool


def _common_prefix(a: str, b: str) -> int:
    low, high = 0, min(len(a), len(b))
    while low < high:  # each comparison covers only what is still undecided: linear overall
        mid = (low + high + 1) // 2
        if a[low:mid] == b[low:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    low, high = 0, limit
    while low < high:
        mid = (low + high + 1) // 2
        if a[len(a) - mid : len(a) - low] == b[len(b) - mid : len(b) - low]:
            low = mid
        else:
            high = mid - 1
    return low


def _split(pattern: re.Pattern[str], text: str, start: int, end: int):
    """``text[start:end]`` cut by ``pattern`` (which covers it), with each piece's offset."""
    pieces = [piece for piece in pattern.findall(text, start, end) if piece]
    offsets = [start]
    for piece in pieces:
        offsets.append(offsets[-1] + len(piece))
    return pieces, offsets


def _key(piece: str) -> str:
    return " ".join(piece.split())


def _equal_run(old, new, a, a_at, b, b_at, i: int, j: int, count: int, refine) -> list[Block]:
    """Pieces the matcher paired by their spacing-blind keys: equal where the raw text is,
    refined where only the spacing differs, so an equal block is always identical text."""
    blocks = []
    for k in range(count):
        span = (a_at[i + k], a_at[i + k + 1], b_at[j + k], b_at[j + k + 1])
        blocks.extend([Block(*span, True)] if a[i + k] == b[j + k] else refine(old, new, *span))
    return blocks


def _fine(old: str, new: str, i1: int, i2: int, j1: int, j2: int) -> list[Block]:
    """A replaced stretch diffed again by word, and the words that differ by character.

    Words first, because a character diff of two different sentences aligns stray letters
    of one with the other; characters then, so a fixed typo leaves the rest of its word
    (and the quote around it) aligned. Words are compared without the space after them, or
    the spaces of two unrelated sentences would pair them up. Levenshtein rather than Indel
    alignment, because a substitution keeps a changed word in its place: "had had" edited to
    "hda had" changed the first word; it did not drop the second and insert a third.
    """
    a, a_at = _split(_TOKEN, old, i1, i2)
    b, b_at = _split(_TOKEN, new, j1, j2)
    if not a or not b or len(a) * len(b) > FINE_DIFF_CELLS:
        return [Block(i1, i2, j1, j2, False)]
    blocks: list[Block] = []
    pending: list[int] | None = None  # a run of differing words: [i1, i2, j1, j2]
    for op in Levenshtein.opcodes([t.rstrip() for t in a], [t.rstrip() for t in b]):
        if op.tag != "equal":
            span = [a_at[op.src_start], a_at[op.src_end], b_at[op.dest_start], b_at[op.dest_end]]
            pending = span if pending is None else [pending[0], span[1], pending[2], span[3]]
            continue
        if pending is not None:
            blocks.extend(_characters(old, new, *pending))
            pending = None
        count = op.src_end - op.src_start
        blocks.extend(
            _equal_run(old, new, a, a_at, b, b_at, op.src_start, op.dest_start, count, _spacing)
        )
    if pending is not None:
        blocks.extend(_characters(old, new, *pending))
    return blocks


def _spacing(old: str, new: str, i1: int, i2: int, j1: int, j2: int) -> list[Block]:
    """One word followed by different spacing: the word equal, the spacing not."""
    word = len(old[i1:i2].rstrip())
    return [Block(i1, i1 + word, j1, j1 + word, True), Block(i1 + word, i2, j1 + word, j2, False)]


def _characters(old: str, new: str, i1: int, i2: int, j1: int, j2: int) -> list[Block]:
    if i1 == i2 or j1 == j2 or (i2 - i1) * (j2 - j1) > CHARACTER_DIFF_CELLS:
        return [Block(i1, i2, j1, j2, False)]
    blocks = []
    for op in Levenshtein.opcodes(old[i1:i2], new[j1:j2]):
        # Shorter agreements between differing words are coincidence, not alignment.
        equal = op.tag == "equal" and op.src_end - op.src_start >= _MIN_EQUAL_RUN
        blocks.append(
            Block(i1 + op.src_start, i1 + op.src_end, j1 + op.dest_start, j1 + op.dest_end, equal)
        )
    return blocks


def _merged(blocks: Iterable[Block]) -> list[Block]:
    out: list[Block] = []
    for block in blocks:
        if block.old_start == block.old_end and block.new_start == block.new_end:
            continue
        if out and out[-1].equal == block.equal:
            last = out.pop()
            block = Block(last.old_start, block.old_end, last.new_start, block.new_end, block.equal)
        out.append(block)
    return out


def _diff(old: str, new: str) -> list[Block]:
    # The common head and tail are cut at sentence ends, so the pieces of the middle are the
    # same sentences in both bodies rather than a sentence cut where the bodies part.
    head = _common_prefix(old, new)
    ends = list(_ENDS.finditer(old, max(0, head - SENTENCE_REACH), head))
    head = ends[-1].end() if ends else 0
    tail = _common_suffix(old, new, min(len(old), len(new)) - head)
    after = _ENDS.search(old, len(old) - tail, min(len(old), len(old) - tail + SENTENCE_REACH))
    tail = len(old) - after.end() if after else 0
    blocks = [Block(0, head, 0, head, True)]
    a, a_at = _split(_PIECE, old, head, len(old) - tail)
    b, b_at = _split(_PIECE, new, head, len(new) - tail)
    # Pieces are matched by their spacing-blind keys, so a sentence that only moved between
    # paragraphs still pairs with itself. autojunk stays on: a piece repeated thousands of times
    # cannot make the matcher quadratic.
    matcher = SequenceMatcher(None, [_key(p) for p in a], [_key(p) for p in b])
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            blocks.extend(_equal_run(old, new, a, a_at, b, b_at, i1, j1, i2 - i1, _fine))
        else:
            blocks.extend(_fine(old, new, a_at[i1], a_at[i2], b_at[j1], b_at[j2]))
    blocks.append(Block(len(old) - tail, len(old), len(new) - tail, len(new), True))
    return _slid(_merged(blocks), old, new)


def _boundary(text: str, i: int) -> int:
    """How natural a cut before ``text[i]`` is, the scale diff-match-patch's semantic cleanup
    uses: a blank line beats a line break beats a sentence end beats a space beats punctuation.
    """
    if i <= 0 or i >= len(text):
        return 6
    one, two = text[i - 1], text[i]
    if text[max(0, i - 2) : i] == "\n\n" or text[i : i + 2] == "\n\n":
        return 5
    if one == "\n" or two == "\n":
        return 4
    if not one.isalnum() and not one.isspace() and two.isspace():
        return 3
    if one.isspace() or two.isspace():
        return 2
    return 1 if not one.isalnum() or not two.isalnum() else 0


def _slid(blocks: list[Block], old: str, new: str) -> list[Block]:
    """Slide each pure insertion or deletion to its most natural place.

    "loudly.[.\n\nNext paragraph.]" and "loudly[.\n\nNext paragraph].": the same edit, but
    only the first leaves the sentence whole on its side of the cut, so that a passage ending
    "loudly." is still found unchanged. Bounded: at most _MAX_SLIDE characters either way.
    """
    blocks = list(blocks)
    for index in range(1, len(blocks) - 1):
        before, edit, after = blocks[index - 1], blocks[index], blocks[index + 1]
        if edit.equal or not before.equal or not after.equal:
            continue
        if edit.old_start == edit.old_end:
            text, start, end = new, edit.new_start, edit.new_end
        elif edit.new_start == edit.new_end:
            text, start, end = old, edit.old_start, edit.old_end
        else:
            continue
        left = 0
        limit = min(_MAX_SLIDE, before.old_end - before.old_start)
        while left < limit and text[start - 1 - left] == text[end - 1 - left]:
            left += 1
        right = 0
        limit = min(_MAX_SLIDE, after.old_end - after.old_start)
        while right < limit and text[start + right] == text[end + right]:
            right += 1
        shift = max(
            range(-left, right + 1),
            key=lambda d: (_boundary(text, start + d) + _boundary(text, end + d), -abs(d)),
        )
        if shift:
            blocks[index - 1] = Block(
                before.old_start,
                before.old_end + shift,
                before.new_start,
                before.new_end + shift,
                True,
            )
            blocks[index] = Block(
                edit.old_start + shift,
                edit.old_end + shift,
                edit.new_start + shift,
                edit.new_end + shift,
                False,
            )
            blocks[index + 1] = Block(
                after.old_start + shift, after.old_end, after.new_start + shift, after.new_end, True
            )
    return _merged(blocks)


# --------------------------------------------------------------------------------------------
# Re-anchoring


class _Setting:
    """What surrounded the passage in the old body. Offsets are found at once (regex, in C);
    the folded texts only when a comparison needs them, which an untouched passage never does.
    """

    def __init__(self, old: str, start: int, end: int, quote: str, prefix: str, suffix: str):
        self.old, self.start, self.end = old, start, end
        self.raw_quote, self.raw_prefix, self.raw_suffix = quote, prefix, suffix
        self.sentence_start, self.sentence_end = _sentence_span(old, start, end)
        # The sentence outside the quote, at least 32 characters either side.
        self.before_start = max(0, min(self.sentence_start, start - CONTEXT_CHARS))
        self.after_end = min(len(old), max(self.sentence_end, end + CONTEXT_CHARS))
        self.around_before = start - self.before_start
        self.around_after = self.after_end - end
        self.prefix_chars, self.suffix_chars = len(prefix), len(suffix)

    @cached_property
    def quote(self) -> str:
        return _fold(self.raw_quote)

    @cached_property
    def compared(self) -> tuple[str, str, str, str]:
        """Folded for comparison: the sentence outside the quote, the stored prefix and
        suffix, and the sentence outside the quote widened to 32 characters either side."""
        old, start, end = self.old, self.start, self.end
        return (
            _sides(old, self.sentence_start, start, end, self.sentence_end),
            _fold(self.raw_prefix),
            _fold(self.raw_suffix),
            _sides(old, self.before_start, start, end, self.after_end),
        )


@dataclass(frozen=True)
class _Fit:
    sentence: float
    prefix: float
    suffix: float
    context: float

    @property
    def supported(self) -> bool:
        """Same sentence, and the stored prefix or suffix still beside it."""
        return self.sentence >= CONTEXT_AGREES and max(self.prefix, self.suffix) >= CONTEXT_AGREES


class BodyChange:
    """Two versions of one article body, diffed once, to re-anchor any number of passages.

    ``comparisons`` counts the scoring calls made so far (rapidfuzz comparisons), the measure
    of work the tests bound.
    """

    def __init__(self, old_body: str, new_body: str) -> None:
        self.old_body = old_body
        self.new_body = new_body
        self.blocks = _diff(old_body, new_body)
        self._old_ends = [block.old_end for block in self.blocks]
        self._changed = [b for b in self.blocks if not b.equal and b.new_end > b.new_start]
        self.comparisons = 0

    # -- offsets ---------------------------------------------------------------------------

    def carry_start(self, position: int) -> int:
        """Where old ``position`` (a first character) is now; inside rewritten text, the start
        of what replaced it."""
        index = bisect_right(self._old_ends, position)
        if index == len(self.blocks):
            return len(self.new_body)
        block = self.blocks[index]
        if block.equal:
            return block.new_start + position - block.old_start
        return block.new_start

    def carry_end(self, position: int) -> int:
        """Where old ``position`` (an end, exclusive) is now; inside rewritten text, the end of
        what replaced it."""
        if position <= 0:
            return 0
        block = self.blocks[bisect_left(self._old_ends, position)]
        if block.equal:
            return block.new_start + position - block.old_start
        return block.new_end

    def carry_unchanged(self, start: int, end: int) -> tuple[int, int] | None:
        """Where old ``[start, end)`` stands in the new body, when the diff carries it over
        unchanged together with the character either side; else None.

        For spans that must select the same words or nothing (a suggested name's mentions):
        without the neighbours, "Ann Lee" would follow into "Ann Leeds", and a span at the
        start of the body into a word a correction prefixed ("DrAnn"). A neighbour may change
        only from one word boundary to another (the body's start, a space, a mark).
        """
        index = bisect_right(self._old_ends, start)
        if index == len(self.blocks) or not start < end:
            return None
        block = self.blocks[index]
        if not (block.equal and block.old_start <= start and end <= block.old_end):
            return None
        new_start = block.new_start + start - block.old_start
        new_end = new_start + end - start
        old, new = self.old_body, self.new_body
        before = old[max(0, start - 1) : start], new[max(0, new_start - 1) : new_start]
        after = old[end : end + 1], new[new_end : new_end + 1]
        if not (_same_edge(*before) and _same_edge(*after)):
            return None
        return new_start, new_end

    # -- the rules -------------------------------------------------------------------------

    def reanchor_all(self, passages: Iterable[Anchor]) -> list[Reanchored]:
        return [self.reanchor(p.start, p.end, p.quote, p.prefix, p.suffix) for p in passages]

    def reanchor(
        self, start: int, end: int, quote: str, prefix: str = "", suffix: str = ""
    ) -> Reanchored:
        setting = self._setting(start, end, quote, prefix or "", suffix or "")
        carried = self.carry_start(start)
        if self.new_body[carried : carried + end - start] == quote and self._untouched(setting):
            # The sentence and all the context compared carried over character for character:
            # every comparison below would say 100, so none is made.
            return self._bound(EXACT, (carried, carried + end - start), 100.0)
        limits = thresholds(quote)
        region = self._own_region(setting)

        # 1. The quote in its own sentence, which still reads the same around it: exact.
        carried_span = (carried, self.carry_end(end))
        own = None
        if region is not None:
            own = self._own_occurrence(setting.quote, region, carried_span)
        if own is not None:
            own_fit = self._fit(setting, *own)
            if own_fit.sentence >= CONTEXT_AGREES:
                return self._bound(EXACT, own, 100.0)

        # 2. An unchanged copy in new text, in the same sentence, beside its old neighbours,
        # and clearly the best such copy: moved.
        copies, crowded = self._copies_in_new_text(setting.quote, region, len(quote))
        scored = [(span, self._fit(setting, *span)) for span in copies]
        supported = sorted(
            ((span, fit) for span, fit in scored if fit.supported),
            key=lambda item: -item[1].context,
        )
        decisive = len(supported) == 1 or (
            len(supported) > 1
            and supported[0][1].context - supported[1][1].context >= DECISIVE_MARGIN
        )
        if decisive and not crowded:
            return self._bound(MOVED, supported[0][0], 100.0)

        listed = [self._candidate(span, 100.0, fit) for span, fit in scored]
        if own is not None:
            listed.append(self._candidate(own, 100.0, own_fit))
        listed = [c for c in listed if c.context >= limits.context_floor]

        # 3. The own sentence holding the quote with small edits, the rest of it as it was:
        # fuzzy, when no unchanged copy fits as well. Anything else that came close enough
        # waits for an editor.
        found = self._approximate(setting, region) if own is None and region is not None else None
        if found is not None:
            approximate, fit = found
            if (
                limits.fuzzy is not None
                and approximate.score >= limits.fuzzy
                and fit.sentence >= CONTEXT_AGREES
                and not supported
            ):
                others = _ranked(listed)[: MAX_LISTED - 1]
                return Reanchored(
                    FUZZY,
                    approximate.start,
                    approximate.end,
                    approximate.text,
                    approximate.score,
                    (approximate, *others),
                )
            if approximate.score >= limits.floor and approximate.context >= limits.context_floor:
                listed.append(approximate)

        if listed:
            ranked = _ranked(listed)[:MAX_LISTED]
            return Reanchored(NEEDS_REVIEW, None, None, None, ranked[0].score, tuple(ranked))
        return Reanchored(ORPHANED, None, None, None, None)

    # -- steps -----------------------------------------------------------------------------

    def _setting(self, start: int, end: int, quote: str, prefix: str, suffix: str) -> _Setting:
        old = self.old_body
        if not 0 <= start < end <= len(old):
            raise AnchorError(
                f"The offsets {start}\u2013{end} do not describe a passage of the old version: "
                f"the start must come before the end, and both lie within its {len(old)} "
                "characters."
            )
        if not _VISIBLE.search(quote):
            raise AnchorError("The quote is empty.")
        if old[start:end] != quote:
            folded = _fold(quote)
            shown = folded if len(folded) <= 60 else folded[:59].rstrip() + "\u2026"
            raise StalePassage(
                f"The quote \u201c{shown}\u201d is not at offsets {start}\u2013{end} of the "
                "version it was anchored to, so it cannot be followed into the new version; "
                "anchor it again on that version first."
            )
        return _Setting(old, start, end, quote, prefix, suffix)

    def _untouched(self, setting: _Setting) -> bool:
        """Whether one unchanged block holds the passage with all the context compared."""
        low = setting.start - max(setting.around_before, setting.prefix_chars)
        high = setting.end + max(setting.around_after, setting.suffix_chars)
        low, high = max(0, low - 1), min(len(self.old_body), high + 1)
        block = self.blocks[bisect_right(self._old_ends, low)] if low < high else None
        return (
            block is not None and block.equal and block.old_start <= low and high <= block.old_end
        )

    def _own_region(self, setting: _Setting) -> tuple[int, int] | None:
        """The new text standing where the passage's sentence stood, unless the diff lumped it
        into a rewrite too large to still be that sentence."""
        low = self.carry_start(setting.sentence_start)
        high = self.carry_end(setting.sentence_end)
        if high - low > REGION_LIMIT + setting.sentence_end - setting.sentence_start:
            return None
        return low, high

    def _own_occurrence(
        self, folded: str, region: tuple[int, int], carried: tuple[int, int]
    ) -> tuple[int, int] | None:
        """The quote where the diff carries the passage, inside its own sentence.

        Only a copy overlapping the carried span counts: a sentence may say the same words
        twice ("appeal, appeal"), and the other copy is other text even there.
        """
        low, high = region
        first, last = carried[0], max(carried[1], carried[0] + 1)
        spans = [
            (s, e)
            for s, e in _occurrences(folded, self.new_body, low, high)
            if s < last and e > first
        ]
        if not spans:
            return None
        return min(spans, key=lambda span: (abs(span[0] - first), span[0]))

    def _copies_in_new_text(
        self, folded: str, region: tuple[int, int] | None, length: int
    ) -> tuple[list[tuple[int, int]], bool]:
        """Unchanged copies of the quote overlapping new text, outside the own region.

        Copies inside unchanged text are never looked at: they are other sentences' words.
        """
        margin = 2 * length + 16
        found: dict[int, int] = {}
        for block in self._changed:
            low = max(0, block.new_start - margin)
            high = min(len(self.new_body), block.new_end + margin)
            for start, end in _occurrences(folded, self.new_body, low, high):
                if start >= block.new_end or end <= block.new_start:
                    continue
                if region is not None and start < region[1] and end > region[0]:
                    continue
                found[start] = end
                if len(found) > MAX_CANDIDATES:
                    return sorted(found.items())[:MAX_CANDIDATES], True
        return sorted(found.items()), False

    def _fit(self, setting: _Setting, start: int, end: int) -> _Fit:
        new = self.new_body
        sentence_start, sentence_end = _sentence_span(new, start, end)
        sentence = _sides(new, sentence_start, start, end, sentence_end)
        prefix = _fold(new[max(0, start - setting.prefix_chars) : start])
        suffix = _fold(new[end : end + setting.suffix_chars])
        before = max(0, start - setting.around_before)
        around = _sides(new, before, start, end, end + setting.around_after)
        old_sentence, old_prefix, old_suffix, old_around = setting.compared
        self.comparisons += 4
        return _Fit(
            sentence=_agreement(old_sentence, sentence),
            prefix=_agreement(old_prefix, prefix),
            suffix=_agreement(old_suffix, suffix),
            context=_agreement(old_around, around),
        )

    def _approximate(
        self, setting: _Setting, region: tuple[int, int]
    ) -> tuple[Candidate, _Fit] | None:
        """What became of the quote's own characters, if it still resembles the quote.

        The search stays near where the diff carries the passage (a little either side, for
        words added or dropped at its ends) and the answer must overlap that place: the same
        words elsewhere in the sentence are other words, however alike.
        """
        carried = self.carry_start(setting.start), self.carry_end(setting.end)
        reach = len(setting.quote) // 2 + CONTEXT_CHARS
        low, high = max(region[0], carried[0] - reach), min(region[1], carried[1] + reach)
        new = self.new_body
        words = _Words(new, low, high)
        if not words.starts:
            return None
        guesses = [carried]
        window = _normalise(new[low:high])
        alignment = fuzz.partial_ratio_alignment(setting.quote, window.text)
        self.comparisons += 1
        if alignment is not None and alignment.dest_end > alignment.dest_start:
            guesses.append(
                (
                    low + _raw_start(window, alignment.dest_start),
                    low + _raw_end(window, alignment.dest_end),
                )
            )
        found = []
        for start, end in guesses:
            climbed = self._climb(setting.quote, words, words.snap(start, end))
            if climbed is not None:
                score, first, last = climbed
                start, end = words.starts[first], words.ends[last]
                if start < max(carried[1], carried[0] + 1) and end > carried[0]:
                    found.append((score, start, end))
        if not found:
            return None
        score, start, end = max(found)
        fit = self._fit(setting, start, end)
        return self._candidate((start, end), score, fit), fit

    def _climb(
        self, quote: str, words: _Words, span: tuple[int, int] | None
    ) -> tuple[float, int, int] | None:
        """Move either end a word at a time while the score improves (bounded steps)."""
        if span is None:
            return None
        best_score = self._similarity(quote, words, span)
        for _ in range(_MAX_STEPS):
            first, last = span
            options = [(first - 1, last), (first + 1, last), (first, last + 1), (first, last - 1)]
            best_option = None
            for option in options:
                if 0 <= option[0] <= option[1] < len(words.starts):
                    score = self._similarity(quote, words, option)
                    if score > best_score:
                        best_score, best_option = score, option
            if best_option is None:
                break
            span = best_option
        return best_score, span[0], span[1]

    def _similarity(self, quote: str, words: _Words, span: tuple[int, int]) -> float:
        self.comparisons += 1
        text = self.new_body[words.starts[span[0]] : words.ends[span[1]]]
        return fuzz.ratio(quote, _fold(text))

    def _candidate(self, span: tuple[int, int], score: float, fit: _Fit) -> Candidate:
        start, end = span
        return Candidate(
            start, end, self.new_body[start:end], round(score, 1), round(fit.context, 1)
        )

    def _bound(self, state: str, span: tuple[int, int], score: float) -> Reanchored:
        start, end = span
        return Reanchored(state, start, end, self.new_body[start:end], score)


def _same_edge(old: str, new: str) -> bool:
    """Whether two neighbouring characters (or none, at the body's ends) leave a span the
    same word: the same character, or a word boundary both."""
    return old == new or not (_WORD_CHAR.match(old) or _WORD_CHAR.match(new))


_WORD_CHAR = re.compile(r"\w")


def _ranked(candidates: list[Candidate]) -> list[Candidate]:
    return sorted(candidates, key=lambda c: (-(c.score + c.context), c.start))


def _raw_start(window, index: int) -> int:
    while index > 0 and window.starts[index] is None:
        index -= 1
    return window.starts[index]


def _raw_end(window, index: int) -> int:
    last = len(window.ends) - 1
    index -= 1
    while index < last and window.ends[index] is None:
        index += 1
    return window.ends[index]


_WORD = re.compile(r"\w+|[^\w\s]")


class _Words:
    """The words (and single punctuation marks) of a bounded stretch, so an approximate
    match can be cut and adjusted at word boundaries only, by index."""

    def __init__(self, text: str, low: int, high: int) -> None:
        spans = [(m.start(), m.end()) for m in _WORD.finditer(text, low, high)]
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]

    def snap(self, start: int, end: int) -> tuple[int, int] | None:
        """The first and last word indexes of the words ``[start, end)`` touches."""
        first = max(0, bisect_right(self.ends, start))
        last = bisect_left(self.starts, end) - 1
        if first > last or first >= len(self.starts) or last < 0:
            return None
        return first, last
