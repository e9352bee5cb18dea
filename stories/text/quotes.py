"""Quoted speech in an article and who says it, as candidate claims.

:func:`find_quotes` offers the editor each quotation with two answers about its speaker:

* ``speaker``: the words next to the quote that attribute it, as written ("Lowe", "she",
  "the mayor", "a source close to the mayor"), with their offsets and what kind of phrase they
  are (:class:`SpeakerKind`). Empty when no words attribute the quote.
* ``said_by``: who says it, as a reader of the whole article can tell: the person's canonical
  name ("Mary Lowe" for "Lowe", for "the mayor" once she was introduced as mayor, for "she"
  when she is the one person in view, and for a quotation that carries on her words), an
  unnamed source's description kept whole, or nothing when a reader could not tell. Never a
  guess: "she" with two women in view, or "the coach" with a coach on each side, is nobody.

The rules, each a rule of English news copy:

1. Attribution after the quote (``“…,” she said``, ``“…,” said Ms Quist``, ``“…,” said
   the museum’s director, Ada Quist``) when the quote does not end its sentence; else in
   the quote's sentence before it (``Megan playfully responded, “…”``, ``Her spokesman, Bram
   Nash, said the mayor “…”``). A participle's speaker is the clause's subject (``Justin
   Timberlake expressed his delight at meeting Megan, saying, “…”``).
2. A title before a name is not the speaker's name ("Dame Cleo" is Cleo Marr); a role
   noun with a name next to it is that name ("The business minister, Tom Ebb, said",
   "the critic Bram Nash wrote"); a name inside a description's prepositional phrase is not
   the speaker ("An expert for Sato, the French engineer X, told").
3. An unnamed source's description runs to the end of its clause: "an official who asked not
   to be named", "one of two people familiar with the talks".
4. "the <role>" is the one person the article gave that role; "he"/"she" is the one person (of
   that gender, where an honorific says) named in the last sentence before that names anyone,
   within the paragraph or the one before.
5. A quotation with no attribution of its own carries on the speaker of the quotation just
   before it, when it opens the sentence right after that one's attribution or is the next
   paragraph of the same quotation; or it is the words of the person who speaks in the
   sentence right before it ("Orr said he had expected the booing. “My grandmother…").

Quoted titles of songs and films are not speech (``quotemarks``). The module is pure: strings
in, frozen dataclasses out, standard library only, offsets counting code points so that
``body[start:end] == text`` and ``body[speaker_start:speaker_end] == speaker``. It is linear:
every look around a quote is a bounded window, and who is who comes from one reading of the
article by ``names``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from . import names, words
from .paragraphs import Paragraphs
from .quotemarks import QuoteSpan, is_speech, title_spans

__all__ = ["QuoteCandidate", "Resolution", "SpeakerKind", "find_quotes", "title_spans"]


class SpeakerKind(StrEnum):
    """What the phrase naming a quote's speaker is, as far as the rules can tell."""

    NONE = "none"  # no speaker found near the quote
    NAME = "name"  # "Megan", "Ana María López": perhaps someone the desk knows
    DESCRIPTION = "description"  # an unnamed source: "the source", "Megan’s rep"
    PRONOUN = "pronoun"  # "she", "they": who that is, the article may not say


class Resolution(StrEnum):
    """How ``said_by`` was worked out from the article."""

    NONE = ""  # nobody: no attribution, or one a reader could not resolve
    ATTRIBUTION = "attribution"  # the words attributing the quote name the speaker
    ROLE = "role"  # "the mayor": the one person the article gave that role
    PRONOUN = "pronoun"  # "she": the one person in view
    CONTINUED = "continued"  # the quotation carries on the one before
    CONTEXT = "context"  # the sentence before says who is speaking


@dataclass(frozen=True)
class QuoteCandidate:
    """Quoted speech (offsets inside the quote marks), its attribution and its speaker.

    Without attribution, ``speaker`` is empty, its offsets are -1 and its kind is ``NONE``.
    ``said_by`` is who says the words (a name or a description); ``said_by_kind`` is NAME or
    DESCRIPTION when known, else NONE; ``said_by_key`` is the key of the person on file it is,
    when ``find_quotes`` was given the people on file.
    """

    start: int
    end: int
    text: str
    speaker: str
    speaker_start: int
    speaker_end: int
    speaker_kind: SpeakerKind
    said_by: str = ""
    said_by_kind: SpeakerKind = SpeakerKind.NONE
    said_by_key: object = None
    resolution: Resolution = Resolution.NONE


class _Speaker(NamedTuple):
    start: int
    end: int
    kind: SpeakerKind


class _Said(NamedTuple):
    who: str
    kind: SpeakerKind
    key: object
    resolution: Resolution


_NOBODY = _Said("", SpeakerKind.NONE, None, Resolution.NONE)


def find_quotes(
    body: str,
    *,
    min_words: int = 3,
    known: Iterable[names.KnownPerson] = (),
    people: names.ArticlePeople | None = None,
) -> list[QuoteCandidate]:
    """Quoted speech with its attribution and speaker, in body order.

    Quotes of fewer than ``min_words`` words (scare quotes such as "proper") and titles of
    songs, films and the like are skipped. ``known`` are the people on file, so that a speaker
    who is one of them is named as on file and keyed; ``people`` is the article already read
    by ``names.read_people`` (with those people), to save reading it again.
    """
    if people is None:
        people = names.read_people(body, known=known)
    try:
        return _quotes(body, min_words, people)
    finally:
        _speaker_at.cache_clear()  # so that no body outlives its reading


def _quotes(body: str, min_words: int, people: names.ArticlePeople) -> list[QuoteCandidate]:
    """:func:`find_quotes` itself, apart so that its memory of speakers is always cleared."""
    spans = people.quote_spans
    masked = _mask_quotes(body, spans)
    paragraphs = people.paragraphs
    quotes: list[QuoteCandidate] = []
    previous: tuple[QuoteSpan, _Said] | None = None
    for quote in spans:
        if not is_speech(body, quote, min_words):
            continue
        speaker = _speaker_after(body, paragraphs, quote) or _speaker_before(
            body, masked, paragraphs, quote
        )
        said = _resolve(body, masked, paragraphs, people, quote, speaker, previous)
        first, last, kind = speaker or (-1, -1, SpeakerKind.NONE)
        quotes.append(
            QuoteCandidate(
                start=quote.start,
                end=quote.end,
                text=body[quote.start : quote.end],
                speaker=body[first:last] if speaker else "",
                speaker_start=first,
                speaker_end=last,
                speaker_kind=kind,
                said_by=said.who,
                said_by_kind=said.kind,
                said_by_key=said.key,
                resolution=said.resolution,
            )
        )
        previous = (quote, said)
    return quotes


def _mask_quotes(body: str, spans: list[QuoteSpan]) -> str:
    """The body with quoted words blanked, keeping offsets.

    Looking for "said" or a sentence end must not see inside other quotes ("She was saying"
    inside a quote names no speaker). A final . ? or ! is kept because it still ends the
    surrounding sentence.
    """
    pieces = []
    position = 0
    for quote in spans:
        if quote.start < position:
            continue
        pieces.append(body[position : quote.start])
        inner = body[quote.start : quote.end].rstrip()
        if inner[-1:] in (".", "?", "!", "…"):
            last = quote.start + len(inner) - 1
            pieces += [" " * (last - quote.start), body[last], " " * (quote.end - last - 1)]
        else:
            pieces.append(" " * (quote.end - quote.start))
        position = quote.end
    pieces.append(body[position:])
    return "".join(pieces)


# --------------------------------------------------------------------------------------------
# Words


def _alternation(found: Iterable[str]) -> str:
    return "|".join(sorted(map(re.escape, found), key=lambda word: (-len(word), word)))


_SPEECH = _alternation(words.SPEECH_VERBS)
_ATTRIBUTION_VERB = re.compile(rf"(?:{_SPEECH})\b")
_ANY_SPEECH_VERB = re.compile(
    rf"\b(?:{_alternation(words.SPEECH_VERBS | words.LEAD_VERBS | words.SPEECH_PARTICIPLES)})\b"
)
# Words that may stand between a speaker and the verb: "Megan playfully responded", "she had
# told", "the source later said".
_IN_BETWEEN = r"(?:[a-z]+ly|also|later|then|once|again|just|had|has|have|was|would|will)"
_TRAILING_IN_BETWEEN = re.compile(rf"(?:\s+{_IN_BETWEEN})+\s*$")
_ACCORDING_TO = re.compile(r"\s*[Aa]ccording to ([^,“”\"]{1,80}),")
_PRONOUN = re.compile(r"(?:[Hh]e|[Ss]he|[Tt]hey|[Ww]e|I)(?![\w’'-])")
_GENDER = {"he": "male", "she": "female"}

# Who else gives quotes: "the source", "Megan’s rep", "two people familiar with the talks",
# "one of the people", "the company". A determiner, a number or a possessor, up to three
# words, then a noun for a source, a role or an organisation.
_SPEAKER_NOUNS = words.SOURCE_NOUNS | words.ROLE_NOUNS | words.ORGANISATION_NOUNS
_NUMBERS = "two|three|four|five|six|several|many|some|both"
_DETERMINER = (
    rf"(?:[Oo]ne\s+of\s+(?:the|{_NUMBERS}|their|his|her)\s+|(?:[Tt]he|[Aa]n?|[Aa]nother|[Oo]ne"
    rf"|[Hh]is|[Hh]er|[Tt]heir|[Ii]ts|{_NUMBERS}|{_NUMBERS.title()}|[^\W\d_][\w-]*['’]s)\s+)"
)
_DETERMINER_OPEN = re.compile(_DETERMINER)
# Sources named without a determiner: "Sources close to the couple", "Insiders", "Someone
# close to her".
_BARE_SOURCE = re.compile(r"(?:Someone|Somebody|[A-Z][a-z]+s)(?![\w’'-])")
# Where a description ends: a comma, a stop, a colon, a dash or a quotation mark.
_CLAUSE_END = re.compile(r"[,.;:!?—–()\"“”]|\s-\s")
_MAX_DESCRIPTION = 160  # characters
_MAX_WORDS_FROM_VERB = 25


def _skip_spaces(body: str, position: int) -> int:
    while position < len(body) and body[position].isspace():
        position += 1
    return position


# --------------------------------------------------------------------------------------------
# Attribution: the words naming the speaker


_COMMA_AND_SPACES = re.compile(r"\s*,?\s*")
_CLOSING_SINGLE = "’'"


def _speaker_after(body: str, paragraphs: Paragraphs, quote: QuoteSpan) -> _Speaker | None:
    """``“...,” Ødegaard told the chamber`` or ``“...,” said Ana María López``."""
    if not quote.closed:
        return None
    inner = body[quote.start : quote.end].rstrip().rstrip(_CLOSING_SINGLE)
    closing = quote.end + 1
    runs_on = inner.endswith((",", "?", "!", "—", "–", "-", "…"))
    if not (runs_on or body[closing : closing + 1] == ","):
        return None  # the quote ended its sentence, so what follows is a new one
    _, end = paragraphs.around(quote.end)
    limit = min(end, closing + 240)
    position = _COMMA_AND_SPACES.match(body, closing, limit).end()

    verb = _ATTRIBUTION_VERB.match(body, position, limit)
    if verb is not None:
        start = _skip_spaces(body, verb.end())
        return _inverted(body, start, _clause_end(body, start, limit), limit)
    # "“…,” the spokesperson for the band said": the subject runs up to the verb.
    clause_end = _clause_end(body, position, limit)
    verb = _first_verb(body, position, clause_end)
    if verb is None:
        return None
    end = verb
    trailing = _TRAILING_IN_BETWEEN.search(body, position, verb)
    if trailing is not None:
        end = trailing.start()
    end = position + len(body[position:end].rstrip())
    speaker = _speaker_at(body, position, end)
    if speaker is not None and speaker.end == end:
        return speaker
    return None


def _first_verb(body: str, start: int, end: int) -> int | None:
    for count, match in enumerate(words.WORD.finditer(body, start, end)):
        if match.group() in words.SPEECH_VERBS:
            return match.start()
        if count > 14:
            break
    return None


def _inverted(body: str, start: int, clause_end: int, limit: int) -> _Speaker | None:
    """The speaker after "said": a name, a pronoun, or a description up to the clause's end,
    whose appositive name wins ("said the museum’s director, Ada Quist")."""
    speaker = _speaker_at(body, start, clause_end)
    if speaker is None or speaker.kind != SpeakerKind.DESCRIPTION:
        return speaker
    if body[clause_end : clause_end + 1] == ",":
        name = _appositive_name(body, clause_end, limit)
        if name is not None:
            return name
    return speaker


def _appositive_name(body: str, comma: int, limit: int) -> _Speaker | None:
    """ ", Ada Quist" right after a description: the name the description is of."""
    start = _skip_spaces(body, comma + 1)
    span = _name_at(body, start, limit)
    if span is None:
        return None
    after = body[span[1] : span[1] + 1]
    if after and after not in ",.;:!?)":
        return None  # "…, Anouk said" is a new clause, not an appositive
    return _Speaker(*span, SpeakerKind.NAME)


def _speaker_before(
    body: str, masked: str, paragraphs: Paragraphs, quote: QuoteSpan
) -> _Speaker | None:
    """The speaker named earlier in the quote's own sentence, if any."""
    start = _sentence_start(masked, paragraphs, quote.open)
    return _speaker_of_sentence(body, masked, start, quote.open)


def _speaker_of_sentence(body: str, masked: str, start: int, end: int) -> _Speaker | None:
    """Who speaks in ``body[start:end]``: the subject of its last speech verb."""
    verbs = list(_ANY_SPEECH_VERB.finditer(masked, start, end))
    if verbs and len(words.WORD.findall(masked, verbs[-1].end(), end)) <= _MAX_WORDS_FROM_VERB:
        # The nearest verb with a subject right before it: in "X told the court that the two
        # designs shared “…”" the designs share nothing, X tells.
        for verb in reversed(verbs):
            if verb.group() in words.SPEECH_PARTICIPLES:
                break
            speaker = _subject_ending_at(body, masked, start, verb.start())
            if speaker is not None:
                return speaker
        # A participle's subject, or a finite verb too far from its subject
        # ("Megan later took to Instagram and wrote, “...”").
        return _clause_subject(body, masked, start, verbs[-1].start())
    according = _ACCORDING_TO.match(masked, start, end)
    if according is not None:
        return _speaker_at(body, according.start(1), according.end(1))
    return None


_SENTENCE_BREAK = re.compile(r"[.!?…][\"”’')\]]*\s+")
_SENTENCE_LOOKBACK = 600


def _sentence_start(masked: str, paragraphs: Paragraphs, position: int) -> int:
    start, _ = paragraphs.around(position)
    start = max(start, position - _SENTENCE_LOOKBACK)
    for end in _sentence_breaks(masked, start, position):
        start = end
    return start


def _sentence_breaks(masked: str, start: int, end: int) -> list[int]:
    """Where sentences after ``start`` begin, before ``end``; "Prof. Nash" is one."""
    return [
        match.end()
        for match in _SENTENCE_BREAK.finditer(masked, start, end)
        if not _after_abbreviation(masked, match.start())
    ]


# Title words short enough to be written abbreviated with a dot ("Prof.", "Det.").
_ABBREVIATED = frozenset(word for word in words.TITLE_WORDS if len(word) <= 5)


def _after_abbreviation(masked: str, dot: int) -> bool:
    """ "Dr. Samuel", "Det. Insp.", "J. R.": a dot that does not end the sentence."""
    word = re.search(r"([^\W\d_]+)$", masked[max(0, dot - 12) : dot])
    if word is None:
        return False
    text = word.group(1)
    return (len(text) == 1 and text.isupper()) or text in _ABBREVIATED


def _subject_ending_at(body: str, masked: str, start: int, verb: int) -> _Speaker | None:
    """The speaker phrase just before a speech verb, allowing adverbs and appositives.

    The plain reading is tried first, so "the family said" is not read as "the" + adverb.
    A subject with appositives ("His grandson, Tom Ebb, 78, who lives in Leeds,")
    is split at its commas: the last part that is a name, or ends with one after a role noun
    ("the French engineer X"), is the speaker; else the first part.
    """
    end = verb
    trailing = _TRAILING_IN_BETWEEN.search(body, start, verb)
    if trailing is not None:
        end = trailing.start()
    end = start + len(body[start:end].rstrip())
    speaker = _speaker_ending_at(body, masked, start, end)
    if speaker is not None:
        return speaker
    if body[end - 1 : end] != ",":
        return None
    parts = _comma_parts(masked, start, end - 1)
    for part_start, part_end in reversed(parts[1:]):
        span = _name_at(body, part_start, part_end)
        if span is not None and span[1] == part_end:
            return _Speaker(*span, SpeakerKind.NAME)
        named = _role_then_name(body, part_start, part_end)
        if named is not None:
            return named
    head_start, head_end = parts[0]
    return _speaker_ending_at(body, masked, head_start, head_end)


def _comma_parts(masked: str, start: int, end: int) -> list[tuple[int, int]]:
    parts = []
    position = start
    for match in re.finditer(r",\s*", masked[start:end]):
        parts.append((position, start + match.start()))
        position = start + match.end()
    parts.append((position, end))
    return [(a, b) for a, b in parts if b > a][-8:]


def _role_then_name(body: str, start: int, end: int) -> _Speaker | None:
    """ "the French engineer Maria de la Cruz": a description followed by a name."""
    head = _description_head(body, start, end)
    if head is None:
        return None
    span = _name_at(body, _skip_spaces(body, head), end)
    if span is not None and span[1] == end and body[head : head + 1].isspace():
        return _Speaker(*span, SpeakerKind.NAME)
    return None


def _description_head(body: str, position: int, limit: int) -> int | None:
    """Where the head noun of a speaker description ends: "the city manager", "two people",
    "Lowe’s office", "a medical officer". The determiner (or number, or possessor) opens
    it; up to four words follow, the head being the last noun for a speaker before a word
    that is not one ("close", "at", a name)."""
    opening = _DETERMINER_OPEN.match(body, position, limit)
    if opening is None:
        return None
    head = None
    expected = opening.end()
    for count, token in enumerate(words.tokenise(body, expected, min(limit, expected + 80))):
        if count >= 4 or token.start != expected:
            break
        if token.possessive:
            if head is not None:
                break
        elif token.text in _SPEAKER_NOUNS:
            head = token.end
        elif head is not None or token.text.casefold() in _NOT_MODIFIERS:
            break
        expected = token.end + (2 if token.possessive else 0)
        if not body[expected : expected + 1].isspace():
            break
        expected = _skip_spaces(body, expected)
    return head


# Words after a determiner that end a description's search for its noun.
_NOT_MODIFIERS = words.word_set("of at for from in with on who which that and or but to by")


def _speaker_ending_at(body: str, masked: str, start: int, end: int) -> _Speaker | None:
    # The leftmost word from which a speaker phrase reaches exactly to ``end`` gives the
    # fullest phrase ("Ana María López", not "López"; "a source close to Megan", not "Megan").
    starts = [match.start() for match in words.WORD.finditer(masked, start, end)]
    for position in starts[-14:]:
        speaker = _speaker_at(body, position, end)
        if speaker is not None and speaker.end == end:
            return speaker
    return None


def _clause_subject(body: str, masked: str, start: int, end: int) -> _Speaker | None:
    """The first speaker phrase of the sentence, after an "According to ...," opener."""
    according = _ACCORDING_TO.match(masked, start, end)
    if according is not None:
        start = according.end()
    for match in words.WORD.finditer(masked, start, end):
        speaker = _speaker_at(body, match.start(), _clause_end(body, match.start(), end))
        if speaker is not None:
            return speaker
    return None


@lru_cache(maxsize=4096)
def _speaker_at(body: str, position: int, limit: int) -> _Speaker | None:
    """A speaker phrase starting exactly at ``position``, running at most to ``limit``: a
    description (to the end of its clause), a pronoun or a name.

    Remembered: in a paragraph of many quotations each looks back over the same few hundred
    characters, asking again about the words its neighbours asked about. The body is hashed
    once (a string keeps its hash), so a lookup costs no more than the question's key;
    :func:`find_quotes` clears the memory when it is done.
    """
    description = _description_at(body, position, limit)
    if description is not None:
        return description
    pronoun = _PRONOUN.match(body, position, limit)
    if pronoun is not None:
        return _Speaker(*pronoun.span(), SpeakerKind.PRONOUN)
    name = _name_at(body, position, limit)
    if name is None:
        return None
    return _Speaker(*name, _kind_of_name(body[name[0] : name[1]]))


def _description_at(body: str, position: int, limit: int) -> _Speaker | None:
    """ "a source close to the mayor", "one of two people familiar with the talks", "Megan’s
    rep": a determiner (or number, or possessor), a few words and a noun for a speaker, and
    the rest of the clause. "the critic Bram Nash" is the name, not a description."""
    head_end = _description_head(body, position, limit)
    if head_end is not None:
        name = _name_at(body, _skip_spaces(body, head_end), limit)
        if name is not None and body[head_end : head_end + 1].isspace():
            return _Speaker(*name, SpeakerKind.NAME)  # "the critic Bram Nash"
    else:
        match = _BARE_SOURCE.match(body, position, limit)
        if match is None:
            return None
        word = match.group().casefold()
        if word not in {"someone", "somebody"} and word not in words.SOURCE_NOUNS:
            return None
        head_end = match.end()
    end = min(_clause_end(body, head_end, limit), head_end + _MAX_DESCRIPTION)
    end = head_end + len(body[head_end:end].rstrip())
    return _Speaker(position, max(head_end, end), SpeakerKind.DESCRIPTION)


def _clause_end(body: str, start: int, limit: int) -> int:
    """Where the clause from ``start`` ends: a comma, a stop (not an abbreviation's), a
    colon, a dash or a quotation mark; ``limit`` at the latest."""
    for match in _CLAUSE_END.finditer(body, start, limit):
        if match.group() == "." and _after_abbreviation(body, match.start()):
            continue
        return match.start()
    return limit


# A capitalised phrase holding one of these describes a source rather than naming one:
# "Someone", "Insiders".
_UNNAMED = re.compile(r"\b(?:sources?|insiders?|someone|person|people)\b", re.IGNORECASE)


def _kind_of_name(text: str) -> SpeakerKind:
    """A name, unless a word in it is a word for an unnamed source."""
    return SpeakerKind.DESCRIPTION if _UNNAMED.search(text) else SpeakerKind.NAME


_NAME_GAP = re.compile(r"\.?[ \t\u00a0]+|\.?[ \t\u00a0]*\n[ \t\u00a0]*")


def _name_at(body: str, position: int, limit: int) -> tuple[int, int] | None:
    """Up to four capitalised words starting at ``position``, less opening stopwords and
    titles ("Ms", "Det. Insp.", "Chief Executive") and letters after the name ("KC")."""
    tokens: list[words.Token] = []
    for token in words.tokenise(body, position, limit):
        if not tokens and token.start != position:
            return None
        if tokens:
            gap = body[tokens[-1].end : token.start]
            dotted = gap.startswith(".")
            if not _NAME_GAP.fullmatch(gap) or (dotted and not _dot_continues(tokens[-1].text)):
                break
        # A particle may open a surname ("de Vere", "van der Berg"), never end one.
        if not (words.is_capitalised(token.text) or words.is_particle(token.text)):
            break
        tokens.append(token)
        if token.possessive or len(tokens) > 8:
            break
    while tokens and words.among(words.STOPWORDS, tokens[0].text):
        tokens.pop(0)
    tokens = _without_titles(tokens)
    while len(tokens) > 1 and tokens[-1].text in words.POSTNOMINALS:
        tokens.pop()
    while tokens and tokens[-1].text.islower():
        tokens.pop()
    if not tokens or len(tokens) > 4:
        return None
    if any(words.among(words.STOPWORDS, token.text) for token in tokens):
        return None
    if not any(words.is_capitalised(token.text) for token in tokens):
        return None
    return tokens[0].start, tokens[-1].end


def _dot_continues(word: str) -> bool:
    """A dot after an initial or a title's abbreviation does not end a name."""
    return len(word) == 1 or word in words.TITLE_WORDS


def _without_titles(tokens: list[words.Token]) -> list[words.Token]:
    longest = words.LONGEST_TITLE
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for size in range(min(longest, len(tokens) - 1), 0, -1):
            if tuple(token.text for token in tokens[:size]) in words.TITLES:
                tokens = tokens[size:]
                changed = True
                break
    return tokens


# --------------------------------------------------------------------------------------------
# Who says it


def _resolve(
    body: str,
    masked: str,
    paragraphs: Paragraphs,
    people: names.ArticlePeople,
    quote: QuoteSpan,
    speaker: _Speaker | None,
    previous: tuple[QuoteSpan, _Said] | None,
) -> _Said:
    if speaker is None:
        return _carried_on(body, masked, paragraphs, people, quote, previous)
    text = body[speaker.start : speaker.end]
    if speaker.kind == SpeakerKind.NAME:
        named = people.at(speaker.start, speaker.end)
        if named is not None:
            return _Said(named.name, SpeakerKind.NAME, named.key, Resolution.ATTRIBUTION)
        return _Said(" ".join(text.split()), SpeakerKind.NAME, None, Resolution.ATTRIBUTION)
    if speaker.kind == SpeakerKind.PRONOUN:
        gender = _GENDER.get(text.casefold())
        if gender is None:
            return _NOBODY  # "they", "we", "I": not one person the narrative names
        found = people.in_view(min(speaker.start, quote.open), gender=gender)
        if found is not None and len(found) == 1:
            return _Said(found[0].name, SpeakerKind.NAME, found[0].key, Resolution.PRONOUN)
        return _NOBODY
    return _described(text, people)


_THE_ROLE = re.compile(r"[Tt]he\s+((?:[a-z][\w’'-]*\s+){0,2}([a-z][\w’'-]*))")


def _described(text: str, people: names.ArticlePeople) -> _Said:
    """ "the mayor" is the mayor, if the article has one; "the coach" with two is nobody; an
    unnamed source is its description, whole."""
    text = " ".join(text.split())
    role = _THE_ROLE.fullmatch(text)
    if role is not None:
        holder = people.holder(role.group(1))
        if holder is not None:
            return _Said(holder.name, SpeakerKind.NAME, holder.key, Resolution.ROLE)
        noun = role.group(2)
        if noun not in words.SOURCE_NOUNS and noun not in words.ORGANISATION_NOUNS:
            return _NOBODY  # a particular person the article does not single out
    return _Said(text, SpeakerKind.DESCRIPTION, None, Resolution.ATTRIBUTION)


def _carried_on(
    body: str,
    masked: str,
    paragraphs: Paragraphs,
    people: names.ArticlePeople,
    quote: QuoteSpan,
    previous: tuple[QuoteSpan, _Said] | None,
) -> _Said:
    """A quotation without attribution: the one before carried on, or the sentence before."""
    if previous is not None and previous[1].who:
        before, said = previous
        if quote.continued and not before.closed:
            return said._replace(resolution=Resolution.CONTINUED)
        same_paragraph = paragraphs.around(before.end)[0] == paragraphs.around(quote.open)[0]
        breaks = _sentence_breaks(masked, before.end + 1, quote.open + 1)
        if same_paragraph and len(breaks) <= 1:
            return said._replace(resolution=Resolution.CONTINUED)
    # "Orr, 39, said he had expected the booing. “My grandmother…": the quotation opens the
    # sentence after one whose subject speaks.
    start = _sentence_start(masked, paragraphs, quote.open)
    if masked[start : quote.open].strip():
        return _NOBODY
    para_start, _ = paragraphs.around(quote.open)
    if start <= para_start:
        return _NOBODY
    before_start = _sentence_start(masked, paragraphs, start - 1)
    speaker = _speaker_of_sentence(body, masked, before_start, start)
    if speaker is None or speaker.kind != SpeakerKind.NAME:
        return _NOBODY
    named = people.at(speaker.start, speaker.end)
    if named is None or named.thing:
        return _NOBODY
    return _Said(named.name, SpeakerKind.NAME, named.key, Resolution.CONTEXT)
