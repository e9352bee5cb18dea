"""People an article names: those the desk knows, and names it does not know yet.

When an article is imported the desk proposes, for an editor to confirm:

* mentions of people the desk already knows (:func:`find_known_people`), by every name and
  alias on file and, once the article has written a full name, by the short forms it goes on
  to use ("Lowe" after "Mary Lowe") and the role it gave them ("the mayor");
* names of people it does not know yet (:func:`propose_people`), each in its canonical form
  (the fullest the article writes, without titles or possessives) with the title or role the
  article gives them as a description.

:func:`read_people` is the one reading both come from; the quote rules (``quotes``) ask it who
a speaker is.

They are *suggestions*: every one is shown to an editor, who confirms or rejects it. Nothing is
tagged silently, so the rules below prefer being predictable over being clever. Each is a rule
of English news copy in general, stated where it is written, and the words they use are word
lists in ``data/`` (see ``words``); none was fitted to a particular article. Each result
carries exact character offsets so the editor can see where it came from.

How a name is told from a place or an organisation, in order:

1. A capitalised phrase holding a place or organisation word ("Street", "Holdings",
   "Marathon"), opening with a compass point, a saint or a nationality ("North Yorkshire",
   "St Anne", "French Quarter"), or standing as the possessive before such a word ("St Anne’s
   College"), is a thing, whatever else is said of it. So is one the desk has been told is not
   a person.
2. Otherwise what the article says of it decides, the strong signs outweighing the weak ones:
   a title before it, a role noun next to it ("the singer X", "X, the mayor of Derby"), an age
   (", 58,") or "who" make it a person; an organisation noun next to it ("the broker X", "X,
   the investment bank") or "which" make it a thing. Speaking is a weak sign of a person
   (organisations issue statements too); standing after a preposition of place ("in", "at",
   "on", "from") a weak sign of a place.
3. With no sign either way a name is a person: missing someone is worse than asking about a
   name, since the editor sees every proposal.

The module is deliberately pure -- strings in, frozen dataclasses out, standard library only,
no Django and no database -- and every pass is linear in the body: the body is tokenised once,
lookups go through dictionaries keyed by a word, and what is read around a word is a bounded
window, never the text from the start of its paragraph.

Offsets count Unicode code points into the body exactly as given (``"\\n"`` newlines), so for
every mention ``body[start:end] == text``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from . import quotemarks
from .paragraphs import Paragraphs
from .words import (
    LONGEST_TITLE,
    ORGANISATION_NOUNS,
    ORGANISATION_WORDS,
    PARTICLES,
    PLACE_NOUNS,
    PLACE_OPENERS,
    PLACE_WORDS,
    POSTNOMINALS,
    ROLE_NOUNS,
    SPACES,
    SPEECH_VERBS,
    STOPWORDS,
    TITLES,
    WORD,
    Title,
    Token,
    among,
    capitalised_words,
    is_capitalised,
    is_particle,
    tokenise,
    word_set,
)

__all__ = [
    "ArticlePeople",
    "DeskNames",
    "KnownPerson",
    "Mention",
    "NameCandidate",
    "Named",
    "PersonMatch",
    "Proposed",
    "find_known_people",
    "propose_people",
    "read_people",
]


@dataclass(frozen=True, slots=True)
class Mention:
    """A stretch of the body naming someone; a possessive ``'s`` is never part of it."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class KnownPerson:
    """Someone the desk already knows; ``key`` is the caller's id, opaque here."""

    key: object
    names: tuple[str, ...]  # canonical name first, then aliases


@dataclass(frozen=True)
class PersonMatch:
    """A known person's mentions in the article, and the title or role it gives them."""

    key: object
    mentions: tuple[Mention, ...]
    description: str = ""


@dataclass(frozen=True)
class NameCandidate:
    """A probable person not known to the desk: the fullest form found and every mention.

    ``description`` is the title or role the article gives them ("Councillor", "mayor of
    Derby"), for the editor to keep on the person.
    """

    name: str
    mentions: tuple[Mention, ...]
    description: str = ""


@dataclass(frozen=True)
class Named:
    """Someone or something an article names, as :func:`read_people` found them."""

    key: object  # the KnownPerson's key, or None for a name the desk does not know
    name: str  # canonical: the name on file, or the fullest form the article writes
    mentions: tuple[Mention, ...]  # by name, short form or role, in body order
    description: str = ""
    roles: frozenset[str] = frozenset()  # "mayor": what "the mayor" refers to
    gender: str = ""  # "male" or "female" when an honorific says so
    thing: bool = False  # an organisation or a place, not a person


# --------------------------------------------------------------------------------------------
# Words that only names need

# Weekdays are stripped from the start of a phrase ("Tuesday Megan..."). Months only after an
# opener ("In May Justin...") because several are first names ("June Carter", "April Ryan");
# unlike stopwords, neither sinks a phrase it sits inside ("Theresa May").
_WEEKDAYS = word_set("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_MONTHS = word_set(
    "January February March April May June July August September October November December"
)
# Prepositions of place: a name standing only after these is more likely a place ("in Nam
# Dinh", "outside Pryor Quayle"). "at", "on" and "from" too, except after a verb, where they
# as often mark a person ("waved at X", "called on X to resign", "heard from X"). "to",
# "with", "by", "opposite" and "behind" are left out: people stand there as often as places.
_LOCATIVE = word_set("in inside outside near across around throughout within into")
_LOCATIVE_UNLESS_AFTER_VERB = word_set("at on from")
# Verbs of coming and going, after which "from" names where from: a place or a club.
_MOTION_VERBS = word_set(
    "joined moved came arrived signed transferred flew travelled traveled returned relocated "
    "switched defected emigrated fled"
)
# Determiners that open an appositive ("the mayor of Derby", "her daughter").
_DETERMINERS = word_set("the a an its his her their our my your this that")
# Words ending the noun phrase of an appositive: its head noun is the last listed noun before.
_PHRASE_END = word_set(
    "of at for from in with on who whose which that and or but to by as since after before"
)
# Abbreviations whose dot does not end a phrase ("Dr. Tom Ebb", "Martin Luther King
# Jr. Boulevard", "St. Anne’s").
_ABBREVIATIONS = frozenset(
    {title[0] for title in TITLES if len(title) == 1 and len(title[0]) <= 5}
    | {word for title in TITLES for word in title if len(title) > 1 and len(word) <= 4}
    | {"St", "Ste", "Mt", "Jr", "Sr", "Ave", "Rd", "Blvd", "Co", "Corp", "Inc", "Ltd"}
)
# "J. R. Quist", "J.R. Smith": the dot after an initial does not end the name.
_INITIAL_GAP = re.compile(r"\.[ \t\u00a0]*")
_AGE = re.compile(r",\s*\d{1,3},")
# How far before a word the rules look for its sentence's start, in characters.
_LOOKBACK = 60
# How much text around a run of capitalised words its context rules may read, in characters.
_WINDOW = 90
# A name has at most this many words; a place or organisation may have more.
_NAME_WORDS = 4
_THING_WORDS = 8
# Evidence weights: a strong sign outweighs any weak ones but two strong signs of the other.
_STRONG, _WEAK = 3, 1


@lru_cache(maxsize=8192)
def _key(name: str) -> tuple[str, ...]:
    """How names are compared: word by word, ignoring case, spacing and initials' dots."""
    return tuple(token.text.casefold() for token in tokenise(name))


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    words = iter(long)
    return all(word in words for word in short)


def _last_built(build):
    """``build`` remembering its last answer: the same desk is asked for article after
    article, and comparing it with the last one costs far less than indexing it again."""
    last: list = []

    def cached(given: tuple):
        if last and last[0] == given:
            return last[1]
        built = build(given)
        last[:] = [given, built]
        return built

    return cached


def _is_thing_word(word: str) -> bool:
    return word in PLACE_WORDS or word in ORGANISATION_WORDS


# --------------------------------------------------------------------------------------------
# Public entry points


def find_known_people(body: str, people: Iterable[KnownPerson]) -> list[PersonMatch]:
    """Every mention of each known person, for the editor to confirm.

    Names and aliases on file match case-sensitively (news copy capitalises names, and "Swift"
    the singer is not "swift" the adjective) and on whole words; a possessive is allowed and
    left out of the span. Where names overlap, the longest wins ("Megan Thee Stallion" is one
    mention, not also "Megan"); people sharing a name each get the mention, since only the
    editor can tell them apart.

    Once the article has written a person's name in full, the short forms it uses afterwards
    ("Lowe", "Mayor Lowe") and the role it gave them ("the mayor") are theirs too, as
    for a new name (:func:`propose_people`), even if no alias on file says so.

    People are returned in order of first mention; people never mentioned are left out.
    """
    return read_people(body, known=people).known_people()


def propose_people(
    body: str,
    *,
    known_names: Iterable[str] = (),
    rejected: Iterable[str] = (),
    not_people: Iterable[str] = (),
) -> list[NameCandidate]:
    """Probable names of people not yet known to the desk, each with all its mentions.

    A name is 1-4 capitalised words left when titles, sentence openers and letters after a
    name are taken off a run of capitalised words ("Councillor Ada Quist" -> "Ada
    Quist", "Sir Tom Ebb KC" -> "Tom Ebb"), at least two words the first time.
    Places and organisations are told apart as the module docstring says, and a later short
    form ("Timberlake", "Justin", "JT", "Mayor Lowe") or role ("the mayor") is attached to
    the most recently mentioned full name it fits.

    Names equal to a known name, or a shorter form of one ("Del Toro" for a known "Benicio Del
    Toro"), are left out, as are names the editor has rejected and names the desk has been
    told are not people (``not_people``, which also stops their shorter forms). Candidates are
    sorted by first mention.
    """
    reading = read_people(body, not_people=not_people)
    return reading.new_names(known_names=known_names, rejected=rejected)


class _KnownNames:
    """Names on file by word, so that asking whether a form is a known name or a shorter form
    of one ("Del Toro" of "Benicio Del Toro") reads only the names sharing its first word."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.any = bool(names)
        self.by_word: dict[str, list[tuple[str, ...]]] = {}
        for name in names:
            key = _key(name)
            for word in dict.fromkeys(key):
                self.by_word.setdefault(word, []).append(key)

    def holds(self, key: tuple[str, ...]) -> bool:
        if not key:
            return self.any  # the empty form is a subsequence of every name
        return any(_is_subsequence(key, name) for name in self.by_word.get(key[0], ()))


_known_names = _last_built(_KnownNames)


def read_people(
    body: str, *, known: Iterable[KnownPerson] = (), not_people: Iterable[str] = ()
) -> ArticlePeople:
    """Everyone and everything the article names, people on file among them, in one pass."""
    return ArticlePeople(body, list(known), {_key(name) for name in not_people})


class Proposed(NamedTuple):
    """Someone the desk would propose for an article: a person on file (``key``) or a new
    name (``key`` None), with every mention's span in body order and the title or role the
    article gives them. A tuple, since thousands come back from worker processes: it
    unpickles in half a dataclass's time."""

    name: str
    key: object
    spans: tuple[tuple[int, int], ...]
    description: str = ""


@dataclass(frozen=True)
class DeskNames:
    """What the desk knows that the rules consult: the people on file (canonical name
    first) and the names ruled out for the whole desk. Plain data, so that worker processes
    can be given it once and propose for article after article (``parallel.TextPass``)."""

    known: tuple[KnownPerson, ...] = ()
    not_people: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        names = tuple(name for person in self.known for name in person.names)
        object.__setattr__(self, "_known_names", names)
        ruled = frozenset(" ".join(name.split()).casefold() for name in self.not_people)
        object.__setattr__(self, "_ruled", ruled)
        canonical = {person.key: person.names[0] for person in self.known}
        object.__setattr__(self, "_canonical", canonical)

    def __reduce__(self):
        return (DeskNames, (self.known, self.not_people))

    def propose(self, body: str) -> list[Proposed]:
        """What the desk proposes for a new article: see :meth:`proposals`."""
        return self.proposals(body)[0]

    def proposals(
        self, body: str, *, rejected_names: Iterable[str] = (), rejected_keys=frozenset()
    ) -> tuple[list[Proposed], ArticlePeople]:
        """``(proposed, reading)``: the people on file ``body`` names, then the new names,
        less the names ruled out, the names the editor ``rejected_names`` for this article
        and the people ``rejected_keys``; and the :func:`read_people` reading they come from
        (the quote rules take it as it is)."""
        rejected = {name.casefold() for name in rejected_names}
        left_out = rejected | self._ruled
        reading = read_people(body, known=self.known, not_people=self.not_people)
        found = []
        for match in reading.known_people():
            name = self._canonical[match.key]
            if match.key in rejected_keys or name.casefold() in left_out:
                continue
            found.append(_proposed(name, match.key, match))
        taken = {proposal.name for proposal in found}
        for candidate in reading.new_names(known_names=self._known_names, rejected=rejected):
            if candidate.name.casefold() in left_out or candidate.name in taken:
                continue
            taken.add(candidate.name)
            found.append(_proposed(candidate.name, None, candidate))
        return found, reading


def _proposed(name: str, key, found: PersonMatch | NameCandidate) -> Proposed:
    spans = tuple(sorted({(mention.start, mention.end) for mention in found.mentions}))
    return Proposed(name, key, spans, found.description)


# --------------------------------------------------------------------------------------------
# Phrases: runs of capitalised words, less what is not part of a name


@dataclass(slots=True)
class _Phrase:
    tokens: tuple[Token, ...]  # the name's words, titles and openers taken off
    text: str  # as written, with whitespace collapsed: "Justin Timberlake", "J. R. Smith"
    heading: bool
    thing: bool  # a place or an organisation, by its words alone
    titles: tuple[Title, ...] = ()
    title_text: str = ""  # the titles as written: "Mrs Justice", "Det. Insp."
    postnominal: str = ""  # "KC"
    person_signs: int = 0
    thing_signs: int = 0
    description: str = ""  # a role phrase next to the name: "mayor of Derby"
    role: str = ""  # its role noun phrase: "mayor", "city manager"
    gender: str = ""
    followed_by_thing: bool = False  # "St Anne" in "St Anne’s College"
    locative: bool = False  # after a preposition of place: "in Vinh Long"
    # (the reading, the run) until the context is read: see settle().
    pending: tuple | None = None

    span: tuple[int, int] = (0, 0)  # set from the tokens
    key: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.span = (self.tokens[0].start, self.tokens[-1].end)
        self.key = tuple(token.text.casefold() for token in self.tokens)

    def settle(self) -> None:
        """Read what the words around the phrase say of it, the first time it is asked.

        Most lone words (a sentence's capitalised first word, a surname before any full name)
        never become anyone's mention, and reading the context is most of a phrase's cost, so
        it is read only for the phrases an entity takes. It depends on nothing but the body,
        so when it is read changes nothing.
        """
        if self.pending is not None:
            reading, run = self.pending
            self.pending = None
            tokens, first = reading._around(run)
            reading._read_context(tokens, self, first)


_UNREAD = object()


class _Lone:
    """A capitalised word standing alone (most are a sentence's first word), not read yet.

    Such a word is only ever a short form of someone named in full ("Timberlake") or a name
    on file, so it is read as a phrase -- the same phrase :meth:`ArticlePeople._read_run`
    makes of any run -- only when its span or its word could be one (``phrase()``); the rest
    cost a tuple each.
    """

    __slots__ = ("_phrase", "_reading", "key", "span", "token")

    def __init__(self, token: Token, reading: ArticlePeople) -> None:
        self.token = token
        self.span = (token.start, token.end)
        self.key = (token.text.casefold(),)  # the phrase's key, if it makes one
        self._reading = reading
        self._phrase = _UNREAD

    def phrase(self) -> _Phrase | None:
        if self._phrase is _UNREAD:
            reading = self._reading
            found = list(reading._read_run([self.token], reading._lowercase, reading._headings))
            self._phrase = found[0] if found else None
        return self._phrase


@dataclass
class _Entity:
    """One probable person (or thing) while grouping: the written forms and every mention."""

    forms: dict[tuple[str, ...], str] = field(default_factory=dict)
    spans: set[tuple[int, int]] = field(default_factory=set)
    thing: bool = False  # by its words: never turned into a person
    person_signs: int = 0
    thing_signs: int = 0
    titles: dict[str, None] = field(default_factory=dict)  # description parts, in order
    roles: set[str] = field(default_factory=set)
    gender: str = ""
    known: list[int] = field(default_factory=list)  # indices of the known people it is
    role_spans: set[tuple[int, int]] = field(default_factory=set)
    seen: int = 0  # mentions by name read so far
    placed: int = 0  # how many of them stand after a preposition of place
    _short: tuple | None = None  # (number of forms, short forms) once worked out

    def fullest(self) -> str:
        return max(self.forms.items(), key=lambda item: len(item[0]))[1]

    def short_forms(self) -> set[tuple[str, ...]]:
        if self._short is None or self._short[0] != len(self.forms):
            self._short = (len(self.forms), self._short_forms())
        return self._short[1]

    def _short_forms(self) -> set[tuple[str, ...]]:
        """Shorter forms that can stand for this entity later in the text.

        The first and the last word of each form ("Justin", "Timberlake"; "Sato" of "Sato
        Yuki") and the initials of a name of several words ("JT"). Shorter forms of several
        words ("Del Toro", "Le Gall") find their name when phrases are grouped.
        """
        forms: set[tuple[str, ...]] = set()
        for key in self.forms:
            words = [word for word in key if not is_particle(word) and len(word) > 1]
            if not words:
                continue
            forms.update({(words[0],), (words[-1],)})
            if len(words) > 1:
                # Initials are a common short form in celebrity copy ("JT").
                forms.add(("".join(word[0] for word in words),))
        return forms

    def absorb(self, phrase: _Phrase) -> None:
        self.forms.setdefault(phrase.key, phrase.text)
        self.spans.add(phrase.span)
        self.note(phrase)

    def note(self, phrase: _Phrase) -> None:
        """What this mention says about the entity: title, role, gender, signs."""
        phrase.settle()
        self.person_signs += phrase.person_signs
        self.thing_signs += phrase.thing_signs
        self.seen += 1
        self.placed += phrase.locative
        for part in (phrase.title_text, phrase.postnominal, phrase.description):
            if part:
                self.titles.setdefault(part)
        self.roles.update(title.role for title in phrase.titles if title.role)
        if phrase.role:
            # "the housing minister, X" is "the minister" later, as well as "the housing
            # minister"; a role two people share is nobody's (see _attach_roles).
            self.roles.update({phrase.role, phrase.role.split()[-1]})
        self.gender = self.gender or phrase.gender

    def is_thing(self) -> bool:
        """A place or organisation: by its words, or by what the article says of it, where a
        name only ever standing after a preposition of place is a weak sign of a place."""
        if self.known:
            return False
        placed = _WEAK if self.seen and self.placed == self.seen else 0
        return self.thing or self.thing_signs + placed > self.person_signs

    def merge(self, other: _Entity) -> None:
        """Take ``other``'s forms, mentions and what was said of it (one person, two phrases)."""
        for key, text in other.forms.items():
            self.forms.setdefault(key, text)
        self.spans |= other.spans
        self.role_spans |= other.role_spans
        self.person_signs += other.person_signs
        self.thing_signs += other.thing_signs
        self.seen += other.seen
        self.placed += other.placed
        for part in other.titles:
            self.titles.setdefault(part)
        self.roles |= other.roles
        self.gender = self.gender or other.gender

    def description(self) -> str:
        return ", ".join(list(self.titles)[:3])[:300]


class ArticlePeople:
    """The people (and the places and organisations) one article names.

    Built once per body by :func:`read_people`; every method answers in logarithmic or
    bounded time, so a rule may ask about every quote without re-reading the text.
    """

    def __init__(
        self,
        body: str,
        known: list[KnownPerson],
        not_people: set[tuple[str, ...]],
    ) -> None:
        self.body = body
        self.paragraphs = Paragraphs(body)
        self._not_people = not_people
        self.quote_spans = quotemarks.quote_spans(body)
        titles = [quotemarks.is_title(body, quote) for quote in self.quote_spans]
        self._titles = [
            (quote.start, quote.end)
            for quote, title in zip(self.quote_spans, titles, strict=True)
            if title
        ]
        self._speech = [
            (quote.start, quote.end)
            for quote, title in zip(self.quote_spans, titles, strict=True)
            if not title
        ]
        self._speech_starts = [start for start, _ in self._speech]
        phrases = self._phrases()
        self.entities = _group_names(phrases)
        self._things_of_the_desk()
        _attach_known(self.entities, _known_spans(body, tuple(known)), known, phrases)
        _attach_short_forms(body, phrases, self.entities)
        self._attach_roles()
        self.named = self._named(known)
        self._index()

    # --- Reading the phrases ----------------------------------------------------------------

    def _phrases(self) -> list[_Phrase | _Lone]:
        """Every phrase of the body, in one pass over its capitalised words.

        Only the words of a run and a few around it (for what the context says) become
        tokens: the lowercase text between runs is stepped over by a regular expression. A
        word standing alone is read as a phrase only when a rule asks (:class:`_Lone`).
        """
        body = self.body
        self._lowercase = _LowercaseWords(body)
        self._headings: dict[int, bool] = {}
        phrases: list[_Phrase | _Lone] = []
        for run in _capitalised_runs(body, self._titles):
            if len(run) == 1:
                phrases.append(_Lone(run[0], self))
            else:
                phrases.extend(self._read_run(run, self._lowercase, self._headings))
        return phrases

    def _around(self, run: list[Token]) -> tuple[list[Token], int]:
        """The run's tokens with the words just before and after it in its paragraph, and
        where the run starts among them: the window the context rules read."""
        body = self.body
        para_start, para_end = self.paragraphs.around(run[0].start)
        low = max(para_start, run[0].start - _WINDOW)
        if low > para_start:
            space = body.find(" ", low, run[0].start)
            low = run[0].start if space < 0 else space
        before = list(tokenise(body, low, run[0].start))
        return [*before, *run], len(before)

    def _read_run(self, run, lowercase, headings) -> Iterator[_Phrase]:
        """The phrases one run of capitalised words holds: a name, and a prefix before a
        title ("Nordby" in "Nordby Chief Executive Esme Orr")."""
        body = self.body
        opens = _starts_sentence(body, self.paragraphs, run[0].start)
        words = _trim(run, lowercase, opens)
        if not words:
            return
        split = _split_at_title(words)
        if split is None:
            prefix, found_titles, name = [], [], words
        else:
            prefix, found_titles, name = split
            if prefix:
                phrase = self._phrase(run, prefix, [], headings, ends_run=False)
                if phrase is not None:
                    yield phrase
        phrase = self._phrase(run, name, found_titles, headings, ends_run=True)
        if phrase is not None:
            yield phrase

    def _phrase(self, run, words, found_titles, headings, *, ends_run):
        body = self.body
        name = list(words)
        postnominal = []
        while len(name) > 1 and name[-1].text in POSTNOMINALS:
            postnominal.insert(0, name.pop())
        while name and name[-1].text.islower():
            name.pop()  # a trailing lowercase particle ("... de")
        if not name:
            return None
        texts = [token.text for token in name]
        if any(among(STOPWORDS, word) for word in texts):
            return None
        if len(texts) == 1 and (among(_WEEKDAYS, texts[0]) or among(_MONTHS, texts[0])):
            return None  # "in May" is not Theresa May
        substantive = [word for word in texts if not is_particle(word) and len(word) > 1]
        if not substantive:
            return None
        thing = (
            any(_is_thing_word(word) for word in texts)
            or _opens_place(texts[0])
            or tuple(word.casefold() for word in texts) in self._not_people
        )
        followed = ends_run and _possessive_of_thing(body, self.paragraphs, name[-1])
        thing = thing or followed
        if len(texts) > (_THING_WORDS if thing else _NAME_WORDS):
            return None  # a title or heading, not a name
        if len(texts) > 1 and not thing and not any(any(c.islower() for c in w) for w in texts):
            return None  # capitals throughout: a dateline or an acronym, not a name
        written = " ".join(body[name[0].start : name[-1].end].split())
        start, _ = self.paragraphs.around(name[0].start)
        if start not in headings:
            headings[start] = _in_heading(body, self.paragraphs, name[0].start)
        phrase = _Phrase(
            tokens=tuple(name),
            text=written,
            heading=headings[start],
            thing=thing,
            titles=tuple(found_titles),
            title_text=_title_text(body, found_titles, name[0]),
            postnominal=" ".join(token.text for token in postnominal),
            followed_by_thing=followed,
        )
        if not thing:
            phrase.pending = (self, run)
        return phrase

    def _read_context(self, tokens: list[Token], phrase: _Phrase, first: int) -> None:
        """What the words around a name say of it: person or thing, its role, its gender."""
        body = self.body
        for title in phrase.titles:
            phrase.person_signs += _STRONG
            phrase.gender = phrase.gender or title.gender
        run_start = tokens[first].start
        before = _previous_tokens(body, tokens, first, 6)
        after_at = phrase.tokens[-1].end + (2 if phrase.tokens[-1].possessive else 0)
        # "the singer Ada Quist", "the broker Hale Stott"
        _weigh(phrase, _head_before(body, before, run_start), ORGANISATION_NOUNS)
        # "The city manager, Dr Tom Ebb", "Her spokesman, Bram Nash"
        _weigh(phrase, _appositive_before(body, tokens, first), ORGANISATION_NOUNS)
        if not phrase.tokens[-1].possessive:
            window = body[after_at : after_at + 12]
            if _AGE.match(window):
                phrase.person_signs += _STRONG  # "Orr, 58,"
            elif re.match(r",\s+who\b", window):
                phrase.person_signs += _STRONG
            elif re.match(r",\s+which\b", window):
                phrase.thing_signs += _STRONG
            else:
                # "Mary Lowe, the mayor of Derby,", "Leith, a district of Edinburgh"
                appositive = _appositive_after(body, tokens, phrase.tokens[-1])
                _weigh(phrase, appositive, ORGANISATION_NOUNS | PLACE_NOUNS)
            if _speaks(body, after_at) or _said_before(body, before, run_start):
                phrase.person_signs += _WEAK
            phrase.locative = _after_locative(body, before, run_start)

    # --- After grouping ---------------------------------------------------------------------

    def _things_of_the_desk(self) -> None:
        """Names the desk has been told are not people make their entity a thing."""
        for entity in self.entities:
            if any(key in self._not_people for key in entity.forms):
                entity.thing = True

    def _attach_roles(self) -> None:
        """ "the mayor" after "Mayor Mary Lowe": a mention of the one person with that role.

        A role held by two people in the article ("the coach" with a coach on each side) is
        nobody's: which one is meant, only a reader who knows the story can say.
        """
        holders: dict[str, list[_Entity]] = {}
        for entity in self.entities:
            if entity.is_thing() or not entity.spans:
                continue
            for role in entity.roles:
                holders.setdefault(role, []).append(entity)
        unique = {role: found[0] for role, found in holders.items() if len(found) == 1}
        self._holders = unique
        if not unique:
            return
        firsts = {id(entity): min(entity.spans)[0] for entity in unique.values()}
        longest = max(len(role.split()) for role in unique)
        for match in _THE_WORDS.finditer(self.body):
            words = match.group(1).split()
            for size in range(min(longest, len(words)), 0, -1):
                role = " ".join(words[:size]).casefold()
                entity = unique.get(role)
                if entity is None:
                    continue
                start = match.start()
                if start > firsts[id(entity)]:
                    entity.role_spans.add((start, _end_of_words(self.body, match.start(1), size)))
                break

    def _named(self, known: list[KnownPerson]) -> list[Named]:
        """One :class:`Named` per person on file mentioned, and per new name or thing."""
        named: list[tuple[int, Named]] = []  # (the person's place on file, or -1; named)
        self._named_of: dict[int, Named] = {}
        by_person: dict[int, list[_Entity]] = {}
        for entity in self.entities:
            if not (entity.spans or entity.role_spans):
                continue
            if entity.known:
                for index in entity.known:
                    by_person.setdefault(index, []).append(entity)
                continue
            item = Named(
                None,
                entity.fullest(),
                self.mentions_of(entity),
                description=entity.description(),
                roles=frozenset(entity.roles),
                gender=entity.gender,
                thing=entity.is_thing(),
            )
            named.append((-1, item))
            self._named_of[id(entity)] = item
        for index, found in by_person.items():
            person = known[index]
            spans = set().union(*(entity.spans | entity.role_spans for entity in found))
            name = next((" ".join(n.split()) for n in person.names if n.strip()), "")
            item = Named(
                person.key,
                name or found[0].fullest(),
                tuple(Mention(start, end, self.body[start:end]) for start, end in sorted(spans)),
                description=", ".join(
                    dict.fromkeys(part for entity in found for part in entity.titles)
                )[:300],
                roles=frozenset().union(*(entity.roles for entity in found)),
                gender=next((entity.gender for entity in found if entity.gender), ""),
            )
            named.append((index, item))
            for entity in found:
                self._named_of.setdefault(id(entity), item)
        named.sort(key=lambda pair: (pair[1].mentions[0].start, pair[0]))
        return [item for _, item in named]

    def known_people(self) -> list[PersonMatch]:
        """The people on file the article names, in order of first mention."""
        return [
            PersonMatch(named.key, named.mentions, named.description)
            for named in self.named
            if named.key is not None
        ]

    def new_names(
        self, *, known_names: Iterable[str] = (), rejected: Iterable[str] = ()
    ) -> list[NameCandidate]:
        """The people the article names whom the desk does not know, by first mention.

        Left out: places and organisations, people on file, names equal to a name on file or
        a shorter form of one ("Del Toro" for a known "Benicio Del Toro"), and ``rejected``.
        """
        known = _known_names(tuple(known_names))
        refused = {_key(name) for name in rejected}
        candidates = []
        for entity in self.entities:
            if entity.is_thing() or entity.known or not entity.spans:
                continue
            name = entity.fullest()
            if _key(name) in refused or any(known.holds(key) for key in entity.forms):
                continue
            candidates.append(NameCandidate(name, self.mentions_of(entity), entity.description()))
        return sorted(candidates, key=lambda candidate: candidate.mentions[0].start)

    def mentions_of(self, entity: _Entity) -> tuple[Mention, ...]:
        body = self.body
        spans = sorted(entity.spans | entity.role_spans)
        return tuple(Mention(start, end, body[start:end]) for start, end in spans)

    # --- Questions the quote rules ask ------------------------------------------------------

    def _index(self) -> None:
        by_start: list[tuple[int, int, Named]] = []
        for item in self.named:
            for mention in item.mentions:
                by_start.append((mention.start, mention.end, item))
        by_start.sort(key=lambda entry: (entry[0], -entry[1]))
        self._mentions = by_start
        self._mention_starts = [start for start, _, _ in by_start]
        self._people = [
            (start, end, item)
            for start, end, item in by_start
            if not item.thing and not self.in_speech(start)
        ]
        self._people_starts = [start for start, _, _ in self._people]

    def in_speech(self, position: int) -> bool:
        """Whether ``position`` lies inside quoted speech."""
        index = bisect_right(self._speech_starts, position) - 1
        return index >= 0 and position < self._speech[index][1]

    def at(self, start: int, end: int) -> Named | None:
        """Who or what a mention overlapping ``body[start:end]`` names, if anyone."""
        index = bisect_right(self._mention_starts, end - 1) - 1
        # Mentions never overlap much: a few steps back reach any that covers ``start``.
        for step in range(index, max(-1, index - 4), -1):
            mention_start, mention_end, item = self._mentions[step]
            if mention_start < end and start < mention_end:
                return item
        return None

    def holder(self, role: str) -> Named | None:
        """The one person given ``role`` ("mayor") in the article, or None."""
        entity = self._holders.get(" ".join(role.casefold().split()))
        return None if entity is None else self._named_of.get(id(entity))

    def in_view(self, position: int, *, gender: str = "") -> list[Named] | None:
        """The people named in the last sentence before ``position`` that names anyone.

        Looked for in the paragraph of ``position`` and the one before it, outside quoted
        speech (names inside a quote are the speaker's words, not the narrative's). People of
        the other gender than ``gender``, when an honorific says theirs, are left out. None
        when no sentence in reach names anyone.
        """
        index = bisect_left(self._people_starts, position) - 1
        while index >= 0 and self._people[index][1] > position:
            index -= 1
        if index < 0 or self._people[index][0] < self.paragraphs.reach(position):
            return None
        sentence_start, _ = _sentence_around(self.body, self.paragraphs, self._people[index][0])
        seen: dict[int, Named] = {}
        while index >= 0 and self._people[index][0] >= sentence_start:
            item = self._people[index][2]
            if not gender or not item.gender or item.gender == gender:
                seen.setdefault(id(item), item)
            index -= 1
        return list(reversed(seen.values()))


# "the mayor", "The city manager": a determiner and up to three lowercase words after it.
_THE_WORDS = re.compile(r"\b[Tt]he\s+((?:[a-z][\w’'-]*\s+){0,2}[a-z][\w’'-]*)")


_LOWER_WORD = re.compile(r"\s*[a-z][\w’'-]*")


def _end_of_words(body: str, start: int, size: int) -> int:
    position = start
    for _ in range(size):
        match = _LOWER_WORD.match(body, position)
        if match is None:
            break
        position = match.end()
    return position


def _weigh(phrase: _Phrase, found, things: frozenset[str]) -> None:
    """What a noun phrase next to a name says of it: a role makes it a person's (and is kept
    as its description and role), a noun in ``things`` makes it a place or organisation."""
    if found is None:
        return
    noun, description, role = found
    if noun in ROLE_NOUNS:
        phrase.person_signs += _STRONG
        phrase.description = phrase.description or description
        phrase.role = phrase.role or role
    elif noun in things:
        phrase.thing_signs += _STRONG


def _opens_place(word: str) -> bool:
    """ "West Midlands", "St Mary", "Saint-Étienne", "French Quarter"."""
    return word in PLACE_OPENERS or word.split("-", 1)[0] in {"Saint", "Sainte", "St", "San"}


def _possessive_of_thing(body: str, paragraphs: Paragraphs, word: Token) -> bool:
    """ "St Anne’s College", "Hale’s Bakeries": the possessive opens the name of a thing."""
    if not word.possessive:
        return False
    start = word.end + 2
    _, end = paragraphs.around(word.start)
    following = next(tokenise(body, start, min(end, start + 40)), None)
    if following is None:
        return False
    return bool(SPACES.fullmatch(body[start : following.start])) and _is_thing_word(following.text)


def _title_text(body: str, found: list[Title], first_name_word: Token) -> str:
    """The titles as the body writes them ("Det. Insp.", "Mrs Justice"), honorifics left out."""
    if not found or all(title.honorific for title in found):
        return ""
    words = [word for title in found if not title.honorific for word in title.words]
    window = body[max(0, first_name_word.start - 40) : first_name_word.start]
    pattern = r"\.?\s+".join(re.escape(word) for word in words) + r"\.?\s+$"
    match = re.search(pattern, window)
    return " ".join(match.group().split()) if match else " ".join(words)


def _split_at_title(words: list[Token]) -> tuple[list, list, list] | None:
    """(prefix, titles, name) where titles stand before at least one word of a name."""
    if not any(token.text in _TITLE_OPENERS for token in words[:-1]):
        return None  # no title can start here, and one must leave a word after it
    longest = LONGEST_TITLE
    for index in range(len(words)):
        found, position = [], index
        while position < len(words):
            title = None
            for size in range(min(longest, len(words) - position - 1), 0, -1):
                candidate = tuple(token.text for token in words[position : position + size])
                if candidate in TITLES:
                    title = TITLES[candidate]
                    break
            if title is None:
                break
            found.append(title)
            position += len(title.words)
        if found:
            rest = words[position:]
            if rest and not among(STOPWORDS, rest[0].text):
                return words[:index], found, rest
            return None
    return None


_TITLE_OPENERS = frozenset(title[0] for title in TITLES)


def _capitalised_runs(body: str, titles: list[tuple[int, int]]) -> Iterator[list[Token]]:
    """Each run of capitalised words (with the particles between them), titles skipped.

    A run is broken by anything but spaces (or one line break) between its words, by a word
    that is not shaped like a name's ("NSYNC"), by a quoted title, and after a possessive.
    """
    title_index = 0
    run: list[Token] = []
    for token in capitalised_words(body):
        while title_index < len(titles) and titles[title_index][1] <= token.start:
            title_index += 1
        inside_title = title_index < len(titles) and titles[title_index][0] <= token.start
        if inside_title or not is_capitalised(token.text):
            if run:
                yield run
            run = []
            continue
        if run:
            joined = _joined(body, run, token)
            if joined is None:
                yield run
                run = []
            else:
                run.extend(joined)
        run.append(token)
        if token.possessive:
            yield run
            run = []
    if run:
        yield run


def _joined(body: str, run: list[Token], token: Token) -> list[Token] | None:
    """The particles joining ``token`` to the run ("de la" in "Maria de la Cruz"),
    ``[]`` when only spaces or an initial's dot stand between, None when the run ends."""
    previous = run[-1]
    gap = body[previous.end : token.start]
    if SPACES.fullmatch(gap):
        return []
    if _INITIAL_GAP.fullmatch(gap):
        return [] if _continues(body, run, token) else None
    if not _PARTICLE_GAP.fullmatch(gap):
        return None
    return list(tokenise(body, previous.end, token.start))


_PARTICLE_GAP = re.compile(
    rf"(?:{SPACES.pattern})(?:(?:{'|'.join(sorted(PARTICLES))})(?:{SPACES.pattern}))+"
)


def _continues(body: str, run: list[Token], token: Token) -> bool:
    """Whether a dot between the run and ``token`` leaves the name going on."""
    previous = run[-1]
    if previous.text in _ABBREVIATIONS:
        # "Dr. Tom Ebb", "King Jr. Boulevard"; not "...Apple Inc. He said".
        return not among(STOPWORDS, token.text)
    # Only leading initials carry on past a dot ("J. R. Smith", "Then J.R. Smith"). "Cardi B.
    # Timberlake was..." is two sentences, and so is "...on Twitter/X. Timberlake", hence the
    # look at what comes before the first initial.
    openers = list(run)
    while openers and len(openers[-1].text) == 1:
        openers.pop()
    if len(openers) == len(run):
        return False
    first_initial = run[len(openers)]
    before = body[first_initial.start - 1] if first_initial.start else " "
    return before.isspace() and all(among(STOPWORDS, part.text) for part in openers)


class _LowercaseWords:
    """The words the body writes in lowercase, gathered only once a rule asks (few do)."""

    def __init__(self, body: str) -> None:
        self._body = body
        self._words: frozenset[str] | None = None

    def __contains__(self, word: str) -> bool:
        if self._words is None:
            self._words = frozenset(filter(str.islower, set(WORD.findall(self._body))))
        return word in self._words


def _trim(run: list[Token], lowercase: _LowercaseWords, sentence_start: bool) -> list[Token]:
    tokens = list(run)
    while tokens:
        word = tokens[0].text
        opener = among(STOPWORDS, word) or among(_WEEKDAYS, word)
        if not (opener or (len(tokens) < len(run) and among(_MONTHS, word))):
            break
        tokens.pop(0)
    # A sentence-opening word the article also uses in lowercase ("Congratulations Justin
    # Timberlake") is an ordinary word. Only done when two or more words remain, so that a
    # name like "Will Smith" survives an article that also says "will".
    untouched = len(tokens) == len(run)
    if (
        sentence_start
        and untouched
        and len(run) > 2
        and tokens[0].text.casefold() in lowercase
        and not any(tuple(t.text for t in tokens[:size]) in TITLES for size in (1, 2, 3))
    ):
        tokens.pop(0)
    return tokens


_SENTENCE_END = re.compile(r"[.!?…:;][\"”’')\]]*$")
_SENTENCE_INSIDE = re.compile(r"[.!?…][\"”’')\]]*\s")
_OPENING_MARKS = "\"“‘'([*@"
_CLOSING_MARKS = "\"”’')]"


def _starts_sentence(body: str, paragraphs: Paragraphs, position: int) -> bool:
    """Whether ``position`` opens a sentence: a paragraph's start or after . ! ? : ; …"""
    start, _ = paragraphs.around(position)
    index = position - 1
    floor = max(start, position - _LOOKBACK)
    while index >= floor and (body[index].isspace() or body[index] in _OPENING_MARKS):
        index -= 1
    if index < start:
        return True
    while index >= floor and body[index] in _CLOSING_MARKS:
        index -= 1
    return index >= floor and body[index] in ".!?:;…"


def _in_heading(body: str, paragraphs: Paragraphs, position: int) -> bool:
    """In a paragraph that is not a sentence: a heading such as "A Meeting of Old School".

    A paragraph of several sentences that merely lacks its final full stop is running text.
    """
    start, end = paragraphs.around(position)
    paragraph = body[start:end].strip()
    return not (_SENTENCE_END.search(paragraph) or _SENTENCE_INSIDE.search(paragraph))


def _sentence_around(body: str, paragraphs: Paragraphs, position: int) -> tuple[int, int]:
    """The sentence holding ``position``, looked for at most a few hundred characters away."""
    para_start, para_end = paragraphs.around(position)
    start = position
    floor = max(para_start, position - 400)
    while start > floor:
        char = body[start - 1]
        if (
            char in ".!?…"
            and body[start : start + 1].isspace()
            and not _is_abbreviation_dot(body, start - 1)
        ):
            break
        start -= 1
    return start, min(para_end, position + 400)


def _is_abbreviation_dot(body: str, dot: int) -> bool:
    """A dot after "Dr", "St", "Jr" or an initial does not end a sentence."""
    word_start = dot
    while word_start > 0 and body[word_start - 1].isalpha():
        word_start -= 1
    word = body[word_start:dot]
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isupper())


# --------------------------------------------------------------------------------------------
# Context: the few words around a name


def _after(token: Token) -> int:
    """Where a word ends in the body, its possessive ’s included."""
    return token.end + (2 if token.possessive else 0)


def _previous_tokens(body: str, tokens: list[Token], first: int, count: int) -> list[Token]:
    """Up to ``count`` tokens before ``tokens[first]``, nearest last, within its sentence."""
    found: list[Token] = []
    index = first - 1
    while index >= 0 and len(found) < count:
        token = tokens[index]
        gap = body[_after(token) : (found[0] if found else tokens[first]).start]
        if any(char in ".!?;:\n" for char in gap) or len(gap) > 12:
            break
        found.insert(0, token)
        index -= 1
    return found


def _head_before(body: str, before: list[Token], run_start: int):
    """ "the singer X", "the Danish ferry operator X": (noun, description, role) or None.

    Only spaces may stand between the words, and a determiner (or a possessor: "Quist’s
    coach X") must open the phrase.
    """
    if not before or not SPACES.fullmatch(body[before[-1].end : run_start]):
        return None
    noun = before[-1]
    if not (noun.text in ROLE_NOUNS or noun.text in ORGANISATION_NOUNS):
        return None
    phrase = [noun]
    for token in reversed(before[:-1]):
        if not SPACES.fullmatch(body[_after(token) : phrase[0].start]):
            return None
        if token.text.casefold() in _DETERMINERS or token.possessive:
            return _describe(phrase)
        if token.text.casefold() in _PHRASE_END:
            return None
        phrase.insert(0, token)
    return None


def _appositive_before(body: str, tokens: list[Token], first: int):
    """ "The city manager, Dr Tom Ebb", "The museum’s curator of prints, Cleo
    Marr": the noun phrase before the comma, opened by a determiner or a possessor."""
    if first == 0:
        return None
    last = tokens[first - 1]
    if not re.fullmatch(r",\s+", body[last.end : tokens[first].start]) or last.possessive:
        return None
    phrase = [last]
    for index in range(first - 2, max(-1, first - 10), -1):
        token = tokens[index]
        if not SPACES.fullmatch(body[_after(token) : phrase[0].start]):
            return None
        if token.text.casefold() in _DETERMINERS or token.possessive:
            return _describe(phrase)
        phrase.insert(0, token)
    return None


def _appositive_after(body: str, tokens: list[Token], last_word: Token):
    """ "Mary Lowe, the mayor of Derby,", "X, general secretary of the union": the noun
    phrase after the comma, up to the next comma or stop, headed by a listed noun."""
    match = _COMMA.match(body, last_word.end)
    if match is None:
        return None
    phrase: list[Token] = []
    position = match.end()
    for token in tokenise(body, position, min(len(body), position + 160)):
        if body[position : token.start] and not SPACES.fullmatch(body[position : token.start]):
            break
        if not phrase and token.start != position:
            return None
        if token.text in SPEECH_VERBS or token.text in {"who", "which", "whose", "that"}:
            break
        phrase.append(token)
        position = token.end + (2 if token.possessive else 0)
        if len(phrase) >= 10:
            break
    while phrase and phrase[0].text.casefold() in _DETERMINERS:
        phrase.pop(0)
    return _describe(phrase) if phrase else None


_COMMA = re.compile(r",\s+")


def _describe(phrase: list[Token]):
    """(head noun, description, role) of an appositive, or None if no listed noun heads it.

    The head is the last role or organisation noun before the first word ending the noun
    phrase ("of", "at", "who"...), possessors ("the museum’s") left out: "city manager" is
    headed by "manager", "mayor of Derby" by "mayor". The role is the head with the word
    before it when that is lowercase ("city manager", "chief executive", "mayor").
    """
    while phrase and phrase[0].text.casefold() in _DETERMINERS:
        phrase = phrase[1:]
    cut = next(
        (
            at
            for at, token in enumerate(phrase)
            if token.text.casefold() in _PHRASE_END or token.text.casefold() in _DETERMINERS
        ),
        len(phrase),
    )
    head_at = None
    for at, token in enumerate(phrase[:cut]):
        if not token.possessive and (
            token.text in ROLE_NOUNS
            or token.text in ORGANISATION_NOUNS
            or token.text in PLACE_NOUNS
        ):
            head_at = at
    if head_at is None:
        return None
    head = phrase[head_at]
    described = " ".join(token.text + ("’s" if token.possessive else "") for token in phrase)
    role = ""
    if head.text in ROLE_NOUNS:
        before = phrase[head_at - 1] if head_at else None
        modifier = (
            [before.text] if before and before.text.islower() and not before.possessive else []
        )
        role = " ".join([*modifier, head.text])
    return head.text, described[:120], role


_SPEAKS = re.compile(r"(?:\s+(?:[a-z]+ly|also|later|then|had|has|have|was|would|will))*\s+(\w+)")


def _speaks(body: str, end: int) -> bool:
    """ "Lowe told the chamber", "Quist later said": the name is a speech verb's subject."""
    match = _SPEAKS.match(body, end, min(len(body), end + 40))
    return match is not None and match.group(1) in SPEECH_VERBS


def _said_before(body: str, before: list[Token], run_start: int) -> bool:
    """ "said Ms Quist": a speech verb right before the name."""
    return bool(
        before
        and before[-1].text in SPEECH_VERBS
        and SPACES.fullmatch(body[before[-1].end : run_start])
    )


def _after_locative(body: str, before: list[Token], run_start: int) -> bool:
    """After a preposition of place: "in Vinh Long", "at the Teatro", "at the broker X"."""
    if not before or not SPACES.fullmatch(body[_after(before[-1]) : run_start]):
        return False
    words = [token.text for token in before]
    if words[-1] == "the":
        words.pop()
    elif len(words) > 2 and words[-2] == "the" and words[-1] in ORGANISATION_NOUNS:
        del words[-2:]
    if not words:
        return False
    if words[-1] in _LOCATIVE:
        return True
    if words[-1] not in _LOCATIVE_UNLESS_AFTER_VERB:
        return False
    verb = words[-2] if len(words) > 1 else ""
    if words[-1] == "from" and verb in _MOTION_VERBS:
        return True  # "joined from X", "moved from X": where someone comes from
    return not verb.endswith(("ed", "ing"))


# --------------------------------------------------------------------------------------------
# Grouping phrases into people


def _group_names(phrases: list[_Phrase]) -> list[_Entity]:
    """Turn multi-word phrases into entities; shorter forms join the longest form they fit.

    Longest first, so "Benicio Del Toro" exists before "Del Toro" looks for a home, and
    "Harbour Lane Holdings" before "Harbour Lane". Headings only ever add mentions to a name
    found in running text: a title-cased heading is full of capitalised phrases that are not
    people ("Old School", "Positive Interactions").
    """
    names = [phrase for phrase in phrases if type(phrase) is _Phrase and len(phrase.tokens) > 1]
    entities: list[_Entity] = []
    by_word: dict[str, list[_Entity]] = {}
    for phrase in sorted(names, key=lambda phrase: (phrase.heading, -len(phrase.tokens))):
        home = _home_for(phrase.key, by_word)
        if home is None:
            if phrase.heading:
                continue
            home = _Entity(thing=phrase.thing)
            entities.append(home)
        if phrase.key not in home.forms:
            for word in phrase.key:
                by_word.setdefault(word, []).append(home)
        home.absorb(phrase)
    return entities


# How many entities sharing a word a phrase is compared with: bounds the work in an article
# naming thousands of people with the same first name.
_CANDIDATES = 64


def _home_for(key: tuple[str, ...], by_word: dict[str, list[_Entity]]) -> _Entity | None:
    """The entity with the longest form holding ``key``'s words in order, if any.

    Only entities sharing the key's rarest word can hold it, and at most the latest
    ``_CANDIDATES`` of them are compared.
    """
    rarest = min(key, key=lambda word: len(by_word.get(word, ())))
    candidates = by_word.get(rarest, ())[-_CANDIDATES:]
    best, best_size = None, 0
    for entity in candidates:
        for form in entity.forms:
            if len(form) > best_size and _is_subsequence(key, form):
                best, best_size = entity, len(form)
    return best


class _Desk:
    """The names on file, indexed by their first word: what :func:`_known_spans` looks up.

    Built from the whole desk, so it is built once for a run of articles read against the same
    people (:func:`_desk`), not once an article: an import of thousands of articles with
    thousands of people on file would otherwise index the desk thousands of times.
    """

    def __init__(self, people: tuple[KnownPerson, ...]) -> None:
        self.people = people
        self.by_word: dict[str, list[tuple[str, int, int]]] = {}
        self.loose: list[tuple[str, int]] = []  # names without a letter (an emoji): rare
        for index, person in enumerate(people):
            for name in dict.fromkeys(" ".join(alias.split()) for alias in person.names):
                if not name:
                    continue
                first = _FIRST_LETTERS.search(name)
                if first is None:
                    self.loose.append((name, index))
                else:
                    self.by_word.setdefault(first.group(), []).append((name, index, first.start()))


_desk = _last_built(_Desk)


def _known_spans(body: str, people: tuple[KnownPerson, ...]) -> dict[tuple[int, int], list[int]]:
    """Where each known person's names and aliases occur: span -> indices of the people.

    Leftmost-longest over all of them, so "Megan Thee Stallion" is one span and not also
    "Megan"; a span two people share names both. Linear in the body: each name is tried only
    where the body has its first word, found through one dictionary, whatever the size of the
    desk.
    """
    desk = _desk(people)
    by_word, loose = desk.by_word, desk.loose
    hits: list[tuple[int, int, int]] = []
    if by_word:
        for letters in _FIRST_LETTERS.finditer(body):
            for name, index, offset in by_word.get(letters.group(), ()):
                match = _name_pattern(name).match(body, letters.start() - offset)
                if match and _stands_alone(body, match.start(), match.end()):
                    hits.append((match.start(), match.end(), index))
    for name, index in loose:
        for match in _name_pattern(name).finditer(body):
            if _stands_alone(body, match.start(), match.end()):
                hits.append((match.start(), match.end(), index))
    kept = _leftmost_longest({(start, end) for start, end, _ in hits})
    spans: dict[tuple[int, int], list[int]] = {}
    for start, end, index in hits:
        if (start, end) in kept and index not in spans.get((start, end), ()):
            spans.setdefault((start, end), []).append(index)
    return spans


_FIRST_LETTERS = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=4096)
def _name_pattern(name: str) -> re.Pattern:
    """A name as a pattern: its words literally, any whitespace between them. Compiled only
    for names whose first word the body has, so a big desk costs no more than a small one."""
    return re.compile(r"\s+".join(re.escape(word) for word in name.split()))


def _stands_alone(body: str, start: int, end: int) -> bool:
    """A whole word: "Megan" in "Megan's" or "(Megan)"; not in "Megans", "MeganX", "Megan-Rose"."""
    before = body[start - 1] if start > 0 else " "
    after = body[end] if end < len(body) else " "
    if before.isalnum() or before == "_":
        return False
    if before == "-" and start > 1 and body[start - 2].isalpha():
        return False  # the second half of a double-barrelled name
    if after.isalnum() or after == "_":
        return False
    # "Megan-Rose" is someone else; "Timberlake-style" is still Timberlake.
    return not (after == "-" and body[end + 1 : end + 2].isupper())


def _leftmost_longest(spans: set[tuple[int, int]]) -> set[tuple[int, int]]:
    kept: set[tuple[int, int]] = set()
    reach = -1
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start >= reach:
            kept.add((start, end))
            reach = end
    return kept


def _attach_known(
    entities: list[_Entity],
    known: dict[tuple[int, int], list[int]],
    people: list[KnownPerson],
    phrases: list[_Phrase],
) -> None:
    """Make the entities the desk knows known, by the spans of their names on file.

    Every span of a known name is a known person's, so the mentions stay what the names on
    file say; an entity the rules built around such a span ("Mayor Mary Lowe", later
    "Lowe") becomes that person, short forms and role included. Spans of names on file
    inside someone else's phrase are taken from it.
    """
    if not known:
        return
    covering = _SpanIndex(entities)
    # A lone word that is a name on file ("Mayor Lowe" for an alias "Lowe") belongs to
    # no entity yet: what its phrase says (the title, the role) is the known person's.
    lone = {
        phrase.span: phrase
        for phrase in phrases
        if type(phrase) is _Lone or len(phrase.tokens) == 1
    }
    by_people: dict[tuple[int, ...], _Entity] = {}
    for span in sorted(known):
        indices = tuple(known[span])
        found = covering.find(span)
        entity = None if found is None else found[1]
        if entity is not None and (entity.thing or entity.known and entity.known != indices):
            entity = None  # the name on file is inside a place's name, or someone else's
        home = by_people.get(indices)
        if entity is None:
            entity = home
            if entity is None:
                entity = _Entity()
                entities.append(entity)
        elif home is not None and home is not entity:
            home.merge(entity)
            entities.remove(entity)
            covering.merged(entity, home)
            entity = home
        if found is not None and found[0] != span:
            entity.spans.discard(found[0])  # "Mayor Mary Lowe" gives way to "Mary Lowe"
        phrase = lone.get(span) if found is None else None
        if type(phrase) is _Lone:
            phrase = phrase.phrase()
        if phrase is not None:
            entity.note(phrase)
        entity.spans.add(span)
        if not entity.known:
            entity.known = list(indices)
            for index in indices:
                for name in people[index].names:
                    if _key(name):
                        entity.forms.setdefault(_key(name), " ".join(name.split()))
        by_people[indices] = entity
    # What remains of other entities may not overlap a known name.
    taken = sorted(_leftmost_longest(set(known)))
    starts = [start for start, _ in taken]
    for entity in entities:
        if not entity.known:
            entity.spans = {span for span in entity.spans if not _overlaps(span, taken, starts)}


class _SpanIndex:
    """Which entity's phrase covers a span, by bisection over the phrases' sorted spans."""

    def __init__(self, entities: list[_Entity]) -> None:
        self._owner = {span: entity for entity in entities for span in entity.spans}
        self._spans = sorted(self._owner)
        self._starts = [start for start, _ in self._spans]
        self._merged: dict[int, _Entity] = {}

    def find(self, span: tuple[int, int]) -> tuple[tuple[int, int], _Entity] | None:
        """(the covering phrase's span, its entity), or None."""
        if span in self._owner:
            return span, self._resolve(self._owner[span])
        index = bisect_right(self._starts, span[0]) - 1
        for step in range(index, max(-1, index - 3), -1):
            start, end = self._spans[step]
            if start <= span[0] and span[1] <= end:
                return (start, end), self._resolve(self._owner[(start, end)])
        return None

    def merged(self, old: _Entity, new: _Entity) -> None:
        self._merged[id(old)] = new

    def _resolve(self, entity: _Entity) -> _Entity:
        while id(entity) in self._merged:
            entity = self._merged[id(entity)]
        return entity


def _overlaps(span, taken, starts) -> bool:
    index = bisect_right(starts, span[1] - 1) - 1
    for step in range(index, max(-1, index - 3), -1):
        start, end = taken[step]
        if start < span[1] and span[0] < end:
            return True
    return False


def _attach_short_forms(body: str, phrases: list[_Phrase], entities: list[_Entity]) -> None:
    """Give each later lone short form to the most recently mentioned entity it can stand for.

    "Later" matters: a surname before any full name could belong to anyone, while after "Justin
    Timberlake", "Timberlake" is him. When two fit ("Justin" after both Justin Timberlake and
    Justin Bieber), recency decides, as a reader would. A person on file counts as mentioned
    from the first time the article writes a name of theirs in full. A word opening the name
    of a thing ("Mai" of "Mai’s Kitchen") is nobody's mention.
    """
    owner = {span: entity for entity in entities for span in entity.spans}
    latest: dict[tuple[str, ...], _Entity] = {}
    active: set[int] = set()
    for phrase in sorted(phrases, key=lambda phrase: phrase.span):
        if type(phrase) is _Lone:
            if phrase.span not in owner and phrase.key not in latest:
                continue  # nobody's short form: reading it would change nothing
            phrase = phrase.phrase()
            if phrase is None:
                continue
        entity = owner.get(phrase.span)
        if entity is not None:
            if len(phrase.tokens) > 1 or id(entity) in active:
                active.add(id(entity))
                for form in entity.short_forms():
                    latest[form] = entity
            continue
        if len(phrase.tokens) > 1 or phrase.thing or phrase.followed_by_thing:
            continue  # a heading's phrase without a home, or a thing's word
        chosen = latest.get(phrase.key)
        if chosen is None:
            continue
        span = _with_particles(body, phrase, chosen)
        chosen.spans.add(span)
        chosen.note(phrase)
        owner[phrase.span] = chosen
        for form in chosen.short_forms():
            latest[form] = chosen


_PARTICLES_BEFORE = re.compile(r"(?:\b([a-z]+)\s+)?(?:\b([a-z]+)\s+)?([a-z]+)\s+$")


def _with_particles(body: str, phrase: _Phrase, entity: _Entity) -> tuple[int, int]:
    """ "van der Berg" for the surname of Anna van der Berg: the particles are the name's."""
    start, end = phrase.span
    match = _PARTICLES_BEFORE.search(body, max(0, start - 24), start)
    if match is None:
        return start, end
    words = [word for word in match.groups() if word]
    while words and not all(is_particle(word) for word in words):
        words.pop(0)
    if not words:
        return start, end
    tail = (*words, phrase.key[0])
    for form in entity.forms:
        for size in range(len(tail), 1, -1):
            if form[-size:] == tail[-size:]:
                return start - len(" ".join(words[-(size - 1) :])) - 1, end
    return start, end
