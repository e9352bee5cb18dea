"""What a reader typed into the search box, made safe and understood, and which
words of a result it matches.

PostgreSQL parses the query itself (``websearch_to_tsquery``); this module
reads it the same way — words, ``"quoted phrases"``, ``-excluded`` words — for
the SQLite fallback and for highlighting on both. Whatever arrives (10,000
characters, only punctuation, SQL, markup, control characters) comes out as a
bounded ``Query``, possibly empty, never an error: the search page is calm
about any input. Pure: no ORM.
"""

import re
import unicodedata
from dataclasses import dataclass

# Longer queries are cut, at a word boundary: no reader types more, and every
# pass below is then bounded by this, not by what a client sends.
MAX_QUERY_CHARS = 200
MAX_TERMS = 10
# Words too common to mean anything alone; PostgreSQL's english configuration
# drops these too, so both databases treat "the exchange" as "exchange".
_STOP_WORDS = """a an and are as at be but by for from has have he her his i in is it its of
on or she that the their they this to was we were with you"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"\w+")
# Typographic double quotes mark a phrase too, as straight ones do for PostgreSQL.
_CURLY_QUOTES = {0x201C: '"', 0x201D: '"', 0x201E: '"', 0x00AB: '"', 0x00BB: '"'}
_TOKEN = re.compile(r'"([^"]*)"?|(-?)([^\s"]+)')
# Suffixes a crude stemmer drops so "exchanges" highlights "exchange" and
# "pointed" highlights "point", as PostgreSQL's english stemmer would match them.
_SUFFIXES = ("ing", "ed", "es", "s")


def fold(text):
    """``text`` lower-cased without accents: "Zoë" and "ZOE" both fold to "zoe"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def stem(word):
    """A folded word without a common English ending (for matching, not display)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def clean(raw):
    """``raw`` on one line, without control characters, at most ``MAX_QUERY_CHARS``
    long; and whether it had to be cut."""
    text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in raw[:4096])
    text = text.translate(_CURLY_QUOTES)
    text = " ".join(text.split())
    if len(raw) > 4096 or len(text) > MAX_QUERY_CHARS:
        cut = text[:MAX_QUERY_CHARS]
        space = cut.rfind(" ")
        return (cut[:space] if space > MAX_QUERY_CHARS // 2 else cut), True
    return text, False


def _words(text):
    """The words of ``text`` that mean something, lower-cased, accents kept (SQLite's
    LIKE matches "Zoë" only as typed; highlighting folds them away itself)."""
    return [word.casefold() for word in _WORD.findall(text) if fold(word) not in STOP_WORDS]


@dataclass(frozen=True)
class Query:
    """A reader's query: ``text`` is what the database is sent; ``words`` must
    all occur, each of ``phrases`` (tuples of words) in order, none of
    ``excluded``. Words are lower-cased."""

    text: str
    words: tuple = ()
    phrases: tuple = ()
    excluded: tuple = ()
    truncated: bool = False

    @property
    def empty(self):
        """Nothing to look for: no word survives (only punctuation, stop words, or nothing)."""
        return not self.words and not self.phrases

    @property
    def terms(self):
        """Every word a result may be highlighted for: the words and the phrases' words."""
        seen = dict.fromkeys(self.words)
        for phrase in self.phrases:
            seen.update(dict.fromkeys(phrase))
        return tuple(seen)


def parse(raw):
    """Read ``raw`` as web search engines do: words, ``"a phrase"``, ``-word``.

    ``or`` is left to PostgreSQL; the fallback treats every word as required.
    """
    text, truncated = clean(raw or "")
    words, phrases, excluded = [], [], []
    for match in _TOKEN.finditer(text):
        quoted, minus, bare = match.groups()
        if quoted is not None:
            phrase = tuple(_words(quoted))
            if len(phrase) == 1:
                words.append(phrase[0])
            elif phrase:
                phrases.append(phrase)
        elif minus:
            excluded.extend(_words(bare))
        else:
            words.extend(_words(bare))
    words = list(dict.fromkeys(words))[:MAX_TERMS]
    phrases = list(dict.fromkeys(phrases))[: max(0, MAX_TERMS - len(words))]
    excluded = [word for word in dict.fromkeys(excluded) if word not in words][:MAX_TERMS]
    return Query(text, tuple(words), tuple(phrases), tuple(excluded), truncated)


def matches(word, term):
    """Whether folded ``word`` of a result is folded ``term`` of a query, give or
    take an ending."""
    if word == term:
        return True
    word, term = stem(word), stem(term)
    shorter, longer = sorted((word, term), key=len)
    return len(shorter) >= 3 and longer.startswith(shorter) and len(longer) - len(shorter) <= 2


@dataclass(frozen=True)
class Segment:
    text: str
    hit: bool = False


def hits(text, terms):
    """The (start, end) of every word of ``text`` that matches one of ``terms``."""
    if not terms:
        return []
    terms = [fold(term) for term in terms]
    found = []
    for match in _WORD.finditer(text):
        word = fold(match.group())
        if any(matches(word, term) for term in terms):
            found.append(match.span())
    return found


def _window(text, spans, limit):
    """The part of ``text`` (at most about ``limit`` characters, cut between
    words) around its first hit, and where it starts."""
    if len(text) <= limit:
        return 0, len(text)
    centre = spans[0][0] if spans else 0
    start = max(0, min(centre - limit // 3, len(text) - limit))
    end = min(len(text), start + limit)
    if start > 0:
        space = text.find(" ", start, centre if spans else end)
        start = space + 1 if space != -1 else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def highlight(text, terms, limit=None):
    """``text`` as segments, the words matching ``terms`` marked as hits; with
    ``limit``, only an excerpt of about that many characters around the first
    hit, with an ellipsis where it was cut."""
    text = text or ""
    spans = hits(text, terms)
    start, end = (0, len(text)) if limit is None else _window(text, spans, limit)
    segments = [Segment("… ")] if start > 0 else []
    position = start
    for span_start, span_end in spans:
        if span_start < start or span_end > end:
            continue
        if span_start > position:
            segments.append(Segment(text[position:span_start]))
        segments.append(Segment(text[span_start:span_end], hit=True))
        position = span_end
    if end > position:
        segments.append(Segment(text[position:end]))
    if end < len(text):
        segments.append(Segment(" …"))
    return segments


def first_hit(texts, terms):
    """The first of ``texts`` with a word matching ``terms``, or None."""
    for text in texts:
        if hits(text, terms):
            return text
    return None
