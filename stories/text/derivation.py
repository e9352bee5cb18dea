"""Finding articles that copy or rewrite another, with the copied passages as evidence.

A reconciled story must not count one report twice: a wire rewrite of the local paper is not a
second, independent source. This module proposes such relations between article texts; an
editor confirms or rejects them. It is pure -- strings and dates in, frozen dataclasses out, no
Django and no database -- so the import service, a command and the tests share one rule.

**Why word shingles with containment.** A shingle is a run of :data:`SHINGLE_WORDS` consecutive
words. Two independently written texts almost never share a seven-word run outside set phrases,
while a copied sentence shares every shingle inside it, so shared shingles locate copying
exactly, and consecutive shared shingles join into the *passage* an editor can read on both
sides. Shorter shingles (three to five words) are shared by chance ("at the end of the"); longer
ones (ten and more) are broken by every light edit, so that a rewritten sentence with a word
changed every eight words would share nothing. The score is *containment*: shared shingles over
the shingles of the smaller text, not over the union (Jaccard), because a 100-word brief pasted
whole into a 1,000-word feature is plainly copied and would score a meagre 0.1 by Jaccard.

**Why quotes are masked.** Independent reporters at the same press conference write down the
same words of the same speaker. Quoted speech (what :func:`stories.text.quotes.find_quotes`
offers, found by :func:`stories.text.quotemarks.speech_spans` without reading who speaks:
straight or curly double quotes, three words or more, not a title) is removed before shingling
and no shingle spans it, so only the reporters' own sentences can pair two articles. Short
quoted bits -- a scare-quoted word, a song's title -- stay as ordinary words, so that a copied
sentence that contains one is still a single passage.

**What counts as a passage.** A shared run is evidence only if it is as long as a real
sentence: at least :data:`MIN_PASSAGE_WORDS` words written in lower case on both sides and at
least :data:`MIN_PASSAGE_SHINGLES` distinctive shingles. Counting lower-case words means a list
of names ("Megan Thee Stallion, Justin Timberlake, Lance Bass, ...") or a title-cased heading
never counts, however long, and neither does a stock phrase such as "did not immediately respond
to a request for comment" (nine such words). A pair is proposed only with at least one passage
and a score of at least :data:`MIN_SCORE`, the score counting only shingles inside passages, so
that nothing is proposed without shared text to show.

**Why a document-frequency cap.** Articles are indexed in an inverted index, shingle -> the
articles containing it, so that each article is compared only with the few articles that share
a shingle with it: no all-pairs comparison. Boilerplate ("Sign up for our newsletter", an
agency's tagline) is shared by thousands of articles; following it would pair each with all the
others, which is quadratic and proves nothing. A shingle found in more than
:data:`MAX_DOCUMENT_FREQUENCY` articles is *common*: its postings are dropped and it never makes
two articles candidates. That bounds the work per shingle, so indexing and finding every
relation are linear in the total length of the texts. Inside a pair already found, a common
shingle may still lengthen a passage (a copied sentence stays whole when it contains a stock
phrase) but never makes or scores one.

**Direction.** The earlier publication date is the source when both dates are known and differ;
otherwise the text whose shingles are mostly found in the other (its containment at least
:data:`CONTAINMENT_RATIO` times the other's) is the source: a short item copied into a long
article is the long one's source. Otherwise the lower key is called the source. Each relation
says which rule decided.

Offsets count code points into the bodies exactly as given, from the first shared word to the
end of the last (so a passage leaves out a closing full stop). Words are compared casefolded,
with the two apostrophes unified and punctuation dropped, so each passage's ``body[start:end]``
on both sides reads the same words, modulo whitespace, case and quote typography. Shingles are
kept as Python hashes, which differ between processes: an index lives in one process.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import accumulate, combinations, compress
from operator import gt, itemgetter
from typing import Literal

from .quotemarks import speech_spans

__all__ = [
    "CONTAINMENT_RATIO",
    "MAX_DOCUMENT_FREQUENCY",
    "MIN_PASSAGE_SHINGLES",
    "MIN_PASSAGE_WORDS",
    "MIN_SCORE",
    "SHINGLE_WORDS",
    "ArticleText",
    "DerivationIndex",
    "IndexStats",
    "SharedPassage",
    "TextRelation",
    "find_derivatives",
]

# Seven words: long enough that chance matches between independent texts are rare, short enough
# that a sentence with one fact changed still shares its untouched halves.
SHINGLE_WORDS = 7

# A passage must be a sentence's worth of running text: this many words written in lower case,
# on both sides. Names and headings are capitalised, so lists of them never qualify.
MIN_PASSAGE_WORDS = 10

# ...and it must hold this many distinctive (not common) shingles: ten distinctive words.
MIN_PASSAGE_SHINGLES = MIN_PASSAGE_WORDS - SHINGLE_WORDS + 1

# The shingles inside passages must make up at least a tenth of the smaller text's: one stock
# sentence shared by two long articles is not copying, three copied sentences in a short report
# are.
MIN_SCORE = 0.1

# A shingle in more than this many articles is boilerplate or wire copy run everywhere. Bounded
# postings keep the index linear; 32 copies of one text still pair up (496 pairs).
MAX_DOCUMENT_FREQUENCY = 32

# Containment decides the direction only when one side's is clearly higher: here by a quarter.
CONTAINMENT_RATIO = 1.25

# A shingle repeated more often than this inside one article (a chant, a list template) is not
# followed when lining up passages, which keeps that step linear too.
_MAX_REPEATS = 16

# How many analysed texts an index keeps while verifying candidates: an article that pairs with
# several others is analysed once, and memory stays bounded.
_CACHE_SIZE = 256

# Letters and digits, with apostrophes inside words ("didn't", "O’Brien") and the combining
# accents of decomposed Latin, Greek and Cyrillic ("cafe\u0301" is "café"), which \w lacks.
_LETTERS = r"[^\W_]+(?:[\u0300-\u036f]+[^\W_]*)*"
_WORD = re.compile(rf"{_LETTERS}(?:['’]{_LETTERS})*")
_WORD_SPLIT = re.compile(f"({_WORD.pattern})")
_APOSTROPHES = str.maketrans("", "", "'’")

DecidedBy = Literal["date", "containment", "order"]


@dataclass(frozen=True)
class ArticleText:
    """One article's text as the detector sees it.

    ``key`` is the caller's id (an article's pk, a file name), opaque here except that keys
    must be hashable and orderable among themselves: the lower key is the source when nothing
    else decides, and results are sorted by key.
    """

    key: Hashable
    body: str
    published: date | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.body, str):
            raise TypeError(
                f"article {self.key!r}: body must be a str, not {type(self.body).__name__}"
            )
        if self.published is not None and (
            isinstance(self.published, datetime) or not isinstance(self.published, date)
        ):
            # A datetime would compare with another article's date by raising TypeError.
            raise TypeError(
                f"article {self.key!r}: published must be a date or None, "
                f"not {type(self.published).__name__}"
            )


@dataclass(frozen=True)
class SharedPassage:
    """The same words in both texts: ``source.body[source_start:source_end]`` and the other."""

    source_start: int
    source_end: int
    derived_start: int
    derived_end: int


@dataclass(frozen=True)
class TextRelation:
    """A proposed copy: ``derived`` shares ``shared`` with ``source``.

    ``score`` is the containment of the smaller text (0..1]; ``decided_by`` names the rule that
    chose the direction (``"date"``, ``"containment"``, or ``"order"`` when neither could).
    """

    source: Hashable
    derived: Hashable
    score: float
    decided_by: DecidedBy
    shared: tuple[SharedPassage, ...]


@dataclass(frozen=True)
class _SortedPostings:
    """Every shingle of a batch build with its holders, sorted by shingle: ``keys[i]`` is
    held by article ``holders[i]``; each shingle's run starts at one of ``starts`` and is
    ``held`` long."""

    keys: object  # numpy arrays, typed loosely so that importing this module needs no numpy
    holders: object
    starts: object
    held: object

    def shared(self) -> Iterable[tuple[int, int]]:
        """Where each shingle held by several articles starts, and how many hold it."""
        several = self.held > 1
        return zip(self.starts[several].tolist(), self.held[several].tolist(), strict=True)


@dataclass(frozen=True)
class IndexStats:
    """What an index holds: how the document-frequency cap keeps it small is visible here."""

    articles: int
    shingles: int  # distinct shingles with postings
    postings: int  # (shingle, article) entries held
    common: int  # shingles dropped for being in too many articles


@dataclass(frozen=True)
class _Text:
    """An analysed body: its words, where they are, and a shingle hash per starting word."""

    starts: list[int]
    ends: list[int]
    words: list[str]  # normalised
    lower: list[int]  # lower[i] = words before i written in lower case (prefix sums)
    shingles: list[int | None]  # hash of words[i : i + SHINGLE_WORDS], None across a quote
    distinct: frozenset[int]


def _analyse(body: str) -> _Text:
    """Words outside quoted speech, in order; no shingle spans a quote.

    Written for speed (it is most of the detector's time): the per-word work is done by C
    loops over whole lists rather than word by word in Python. Splitting the body at its words
    gives the words and, from the lengths of the pieces, where each starts and ends, without
    a match object a word.
    """
    pieces = _WORD_SPLIT.split(body)  # separator, word, separator, ..., separator
    raw = pieces[1::2]
    offsets = [0, *accumulate(map(len, pieces))]  # where each piece starts
    starts, ends = offsets[1:-1:2], offsets[2::2]
    breaks: list[int] = []  # the first word after each quote, counted among the kept words
    quotes = speech_spans(body)
    if quotes:
        keep = bytearray(b"\x01") * len(raw)
        after_quotes = []
        for quote in quotes:
            first = bisect_left(starts, quote.start)
            after = bisect_left(starts, quote.end)
            keep[first:after] = bytes(after - first)
            after_quotes.append(after)
        kept_before = [0, *accumulate(keep)]
        breaks = [kept_before[after] for after in after_quotes]
        raw, starts, ends = (list(compress(column, keep)) for column in (raw, starts, ends))

    # One pass over all the words joined: a newline is never a word's character, and neither
    # NFKC nor casefolding makes one, so splitting gives back exactly one entry per word.
    joined = "\n".join(raw)
    if not joined.isascii():
        joined = unicodedata.normalize("NFKC", joined)
    words = joined.casefold().translate(_APOSTROPHES).split("\n") if raw else []
    # A word written in lower case starts with a letter that is not a capital: alpha > upper.
    firsts = list(map(itemgetter(0), raw))
    lower = [0, *accumulate(map(gt, map(str.isalpha, firsts), map(str.isupper, firsts)))]

    # Each shingle is a tuple of SHINGLE_WORDS words; zip stops at the last full one.
    columns = (words[offset:] for offset in range(SHINGLE_WORDS))
    shingles: list[int | None] = list(map(hash, zip(*columns, strict=False)))
    for first_after in breaks:
        for index in range(max(0, first_after - SHINGLE_WORDS + 1), first_after):
            if index < len(shingles):
                shingles[index] = None
    distinct = frozenset(shingles).difference((None,))
    return _Text(starts, ends, words, lower, shingles, distinct)


@dataclass(frozen=True)
class _Run:
    """Shingles equal in both texts: ``first``..``last`` in one, from ``other_first`` on."""

    first: int
    last: int
    other_first: int

    @property
    def words(self) -> tuple[int, int]:
        """The run's words ``[start, end)`` in the first text."""
        return self.first, self.last + SHINGLE_WORDS

    @property
    def other_words(self) -> tuple[int, int]:
        """The run's words ``[start, end)`` in the other text."""
        return self.other_first, self.other_first + self.last - self.first + SHINGLE_WORDS


def _runs(one: _Text, other: _Text) -> list[_Run]:
    """Maximal runs of aligned equal shingles, found in time linear in the two texts.

    A shingle repeated more than ``_MAX_REPEATS`` times in either text is not followed, on
    both sides alike, so the runs do not depend on which text comes first.
    """
    shared = one.distinct & other.distinct
    repeats = Counter(shingle for shingle in one.shingles if shingle in shared)
    positions: dict[int, list[int]] = {}
    for index, shingle in enumerate(other.shingles):
        if shingle in shared:
            positions.setdefault(shingle, []).append(index)
    # A run goes on along its diagonal (other index - index) while both sides keep matching.
    open_runs: dict[int, list[int]] = {}  # diagonal -> [first, last]
    runs: list[_Run] = []
    for index, shingle in enumerate(one.shingles):
        found = positions.get(shingle) if shingle in shared else None
        if not found or len(found) > _MAX_REPEATS or repeats[shingle] > _MAX_REPEATS:
            continue
        for other_index in found:
            diagonal = other_index - index
            run = open_runs.get(diagonal)
            if run is not None and run[1] == index - 1:
                run[1] = index
                continue
            if run is not None:
                runs.append(_Run(run[0], run[1], run[0] + diagonal))
            open_runs[diagonal] = [index, index]
    runs.extend(
        _Run(first, last, first + diagonal) for diagonal, (first, last) in open_runs.items()
    )
    return sorted(runs, key=lambda run: (run.first, run.other_first))


class DerivationIndex:
    """An inverted shingle index over articles, for finding copies among them or of a new one.

    Build it once over the corpus (``DerivationIndex(articles)``, or :meth:`add` one at a
    time), then ask :meth:`relations` for every pair, or :meth:`query` for one new article
    against the corpus before adding it, as an import does. A common shingle's postings are
    dropped for good, so the index grows by a bounded amount per shingle; an edited article
    needs a fresh index, which is linear to build.
    """

    def __init__(
        self,
        articles: Iterable[ArticleText] = (),
        *,
        max_document_frequency: int = MAX_DOCUMENT_FREQUENCY,
    ) -> None:
        if max_document_frequency < 1:
            raise ValueError(
                f"max_document_frequency must be at least 1, not {max_document_frequency}"
            )
        self._max_df = max_document_frequency
        self._articles: list[ArticleText] = []
        self._numbers: dict[Hashable, int] = {}
        self._shingles: list[array] = []  # each article's distinct shingle hashes
        # shingle -> the one article holding it, or the list of them in index order; None for
        # a common shingle, so that adding an article costs one lookup a shingle.
        self._postings: dict[int, int | list[int] | None] = {}
        self._common: set[int] = set()  # shingles in more than max_document_frequency articles
        # (earlier, later) article numbers sharing enough shingles, when the later was added.
        self._candidates: list[tuple[int, int]] = []
        self._cache: OrderedDict[int, _Text] = OrderedDict()
        # The postings of a batch build, as sorted arrays, until something needs the dict.
        self._sorted: _SortedPostings | None = None
        self._add_batch(list(articles))

    def __len__(self) -> int:
        return len(self._articles)

    def __contains__(self, key: object) -> bool:
        return key in self._numbers

    def stats(self) -> IndexStats:
        """Sizes, for a benchmark or a log line; it walks the postings, so not for a hot path."""
        self._materialise()
        held = sum(
            1 if type(holders) is int else len(holders)
            for holders in self._postings.values()
            if holders is not None
        )
        shingles = len(self._postings) - len(self._common)
        return IndexStats(len(self._articles), shingles, held, len(self._common))

    def add(self, article: ArticleText) -> None:
        """Index one more article; its key must be new to the index."""
        self._materialise()
        number, text = self._append(article)
        # Counting the articles that already hold each shingle costs nothing extra here, and
        # saves relations() a second pass over the postings.
        postings, common, counts = self._postings, self._common, {}
        for shingle in text.distinct:
            holders = postings.setdefault(shingle, number)
            if holders is number or holders is None:
                continue  # most shingles: new, one article, no list to allocate; or common
            if type(holders) is int:
                holders = postings[shingle] = [holders]
            if len(holders) >= self._max_df:
                postings[shingle] = None
                common.add(shingle)
                continue
            for other in holders:
                counts[other] = counts.get(other, 0) + 1
            holders.append(number)
        # A shingle may still turn common later, so these counts can only fall: relations()
        # counts again, cheaply, from the shingle arrays.
        self._candidates.extend(
            (other, number) for other, count in counts.items() if count >= MIN_PASSAGE_SHINGLES
        )

    def relations(self) -> list[TextRelation]:
        """Every proposed relation between indexed articles, sorted by source and derived key."""
        found: list[TextRelation] = []
        for one, two in self._candidates:
            shared = set(self._shingles[one]).intersection(self._shingles[two])
            count = len(shared - self._common) if self._common else len(shared)
            found.extend(self._verify(two, self._articles[two], {one: count}, extra=0))
        return sorted(found, key=lambda relation: (relation.source, relation.derived))

    def query(self, article: ArticleText) -> list[TextRelation]:
        """The relations one article not yet indexed would have with the indexed ones.

        Common shingles are judged as if the article were already indexed, so adding it and
        calling :meth:`relations` gives the same relations for it.
        """
        if article.key in self._numbers:
            raise ValueError(f"article {article.key!r} is already indexed; query it before adding")
        self._materialise()
        text = _analyse(article.body)
        counts: dict[int, int] = {}
        for shingle in text.distinct:
            holders = self._postings.get(shingle)
            if holders is None or self._is_common(shingle, extra=1):
                continue
            for other in (holders,) if type(holders) is int else holders:
                counts[other] = counts.get(other, 0) + 1
        relations = self._verify(text, article, counts, extra=1)
        return sorted(relations, key=lambda relation: (relation.source, relation.derived))

    # ----------------------------------------------------------------------------------------

    def _append(self, article: ArticleText) -> tuple[int, _Text]:
        if article.key in self._numbers:
            raise ValueError(f"article {article.key!r} is already indexed")
        number = len(self._articles)
        text = _analyse(article.body)
        self._articles.append(article)
        self._numbers[article.key] = number
        self._shingles.append(array("q", text.distinct))
        self._remember(number, text)
        return number, text

    def _add_batch(self, articles: list[ArticleText]) -> None:
        """Index ``articles`` into an empty index: the same postings, common shingles and
        candidate pairs as :meth:`add` one at a time, found by sorting instead.

        Adding shingles to a dict one at a time is what grew faster than the corpus: at
        10,000 articles the table holds 3.5 million of them, out of the CPU's caches, and
        each insertion cost three times as much as at 1,000. Sorting every shingle once
        (numpy, in C, over 8-byte integers) finds the few shared by several articles; the
        dict that :meth:`add` and :meth:`query` need is built only when one is called.
        """
        if not articles:
            return
        import numpy as np  # only a batch build needs it; a web worker may never load it

        for article in articles:
            self._append(article)
        sizes = np.fromiter(map(len, self._shingles), dtype=np.int64, count=len(articles))
        keys = np.frombuffer(b"".join(self._shingles), dtype=np.int64)
        holders = np.repeat(np.arange(len(articles), dtype=np.int64), sizes)
        # Stable, so each shingle's holders stay in index order, as add() appends them.
        order = np.argsort(keys, kind="stable")
        keys, holders = keys[order], holders[order]
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        held = np.diff(np.append(starts, len(keys)))
        batch = _SortedPostings(keys, holders, starts, held)
        self._common = set(keys[starts[held > self._max_df]].tolist())
        # add() counts a pair once for each shingle they share among its first max_df
        # holders: the later holders find it common, and count nothing.
        pairs: Counter[tuple[int, int]] = Counter()
        for start, count in batch.shared():
            first = holders[start : start + min(count, self._max_df)].tolist()
            pairs.update(combinations(first, 2))
        self._candidates = sorted(
            (pair for pair, count in pairs.items() if count >= MIN_PASSAGE_SHINGLES),
            key=itemgetter(1, 0),
        )
        self._sorted = batch

    def _materialise(self) -> None:
        """Turn a batch build's sorted postings into the dict add() and query() work on."""
        batch, self._sorted = self._sorted, None
        if batch is None:
            return
        alone = batch.held == 1
        postings = dict(
            zip(
                batch.keys[batch.starts[alone]].tolist(),
                batch.holders[batch.starts[alone]].tolist(),
                strict=True,
            )
        )
        for start, count in batch.shared():
            key = int(batch.keys[start])
            postings[key] = (
                None if count > self._max_df else batch.holders[start : start + count].tolist()
            )
        self._postings = postings

    def _is_common(self, shingle: int, extra: int) -> bool:
        """In more than max_document_frequency articles, counting ``extra`` not indexed."""
        if shingle in self._common:
            return True
        if not extra:  # a shingle not common is held by max_df articles at most
            return False
        self._materialise()
        holders = self._postings.get(shingle)
        held = 0 if holders is None else 1 if type(holders) is int else len(holders)
        return held + extra > self._max_df

    def _remember(self, number: int, text: _Text) -> None:
        self._cache[number] = text
        self._cache.move_to_end(number)
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)

    def _text(self, number: int) -> _Text:
        text = self._cache.get(number)
        if text is None:
            text = _analyse(self._articles[number].body)
        self._remember(number, text)
        return text

    def _verify(
        self, text: int | _Text, article: ArticleText, counts: dict[int, int], *, extra: int
    ) -> list[TextRelation]:
        """Relations with the candidates whose count of shared shingles could make a passage.

        ``text`` is the article's analysis, or its number in the index, analysed only if a
        candidate is worth verifying.
        """
        size = len(text.distinct) if isinstance(text, _Text) else len(self._shingles[text])
        relations = []
        for number, count in counts.items():
            # The count bounds the score from above, so a pair below this cannot make it.
            if count < max(
                MIN_PASSAGE_SHINGLES, MIN_SCORE * min(size, len(self._shingles[number]))
            ):
                continue
            if not isinstance(text, _Text):
                text = self._text(text)
            relation = self._relation(
                self._articles[number], self._text(number), article, text, extra
            )
            if relation is not None:
                relations.append(relation)
        return relations

    def _relation(
        self, one: ArticleText, one_text: _Text, two: ArticleText, two_text: _Text, extra: int
    ) -> TextRelation | None:
        passages: list[_Run] = []
        scored: set[int] = set()
        for run in _runs(one_text, two_text):
            first, last = run.first, run.last + 1
            distinctive = {
                shingle
                for shingle in one_text.shingles[first:last]
                if not self._is_common(shingle, extra)
            }
            if len(distinctive) < MIN_PASSAGE_SHINGLES:
                continue
            if not (
                _is_running_text(one_text, run.words)
                and _is_running_text(two_text, run.other_words)
            ):
                continue
            passages.append(run)
            scored |= distinctive
        if not passages:
            return None
        one_share = len(scored) / len(one_text.distinct)
        two_share = len(scored) / len(two_text.distinct)
        score = max(one_share, two_share)  # the smaller text's containment
        if score < MIN_SCORE:
            return None

        one_is_source, decided_by = _direction(one, one_share, two, two_share)
        shared = []
        for run in passages:
            one_span = _span(one_text, run.words)
            two_span = _span(two_text, run.other_words)
            source_span, derived_span = (
                (one_span, two_span) if one_is_source else (two_span, one_span)
            )
            shared.append(SharedPassage(*source_span, *derived_span))
        source, derived = (one, two) if one_is_source else (two, one)
        return TextRelation(
            source=source.key,
            derived=derived.key,
            score=score,
            decided_by=decided_by,
            shared=tuple(sorted(shared, key=lambda p: (p.source_start, p.derived_start))),
        )


def _span(text: _Text, words: tuple[int, int]) -> tuple[int, int]:
    start, end = words
    return text.starts[start], text.ends[end - 1]


def _is_running_text(text: _Text, words: tuple[int, int]) -> bool:
    start, end = words
    return text.lower[end] - text.lower[start] >= MIN_PASSAGE_WORDS


def _direction(
    one: ArticleText, one_share: float, two: ArticleText, two_share: float
) -> tuple[bool, DecidedBy]:
    """Whether ``one`` is the source, and by which rule."""
    if one.published is not None and two.published is not None and one.published != two.published:
        return one.published < two.published, "date"
    if one_share >= CONTAINMENT_RATIO * two_share:
        return True, "containment"
    if two_share >= CONTAINMENT_RATIO * one_share:
        return False, "containment"
    return one.key < two.key, "order"


def find_derivatives(
    articles: Iterable[ArticleText], *, max_document_frequency: int = MAX_DOCUMENT_FREQUENCY
) -> list[TextRelation]:
    """Every proposed relation among ``articles``, sorted by source and derived key."""
    return DerivationIndex(articles, max_document_frequency=max_document_frequency).relations()
