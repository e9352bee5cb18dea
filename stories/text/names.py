"""People an article names: those the desk knows, and names it does not know yet.

When an article is imported the desk proposes, for an editor to confirm:

* mentions of people the desk already knows (:func:`find_known_people`);
* names of people it does not know yet (:func:`propose_people`).

Quoted speech and its speakers are the other half of the suggestions (``quotes``), and the
words both read are cut by ``words``.

They are *suggestions*: every one is shown to an editor, who confirms or rejects it. Nothing is
tagged silently, so the rules below prefer being simple and predictable over being clever, and
each result carries exact character offsets (``paragraphs.Paragraphs.snippet`` shows one in
context) so the editor can see where it came from.

The module is deliberately pure -- strings in, frozen dataclasses out, standard library only,
no Django and no database -- because the admin, the import command and the tests all need the
same answers. Keeping it free of models lets the heuristics be unit-tested directly on the real
seed articles, quickly and without a test database, and any caller inherits exactly the rules
pinned down there.

Offsets count Unicode code points into the body exactly as given (``"\\n"`` newlines), so for
every mention ``body[start:end] == text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from . import quotes
from .paragraphs import Paragraphs
from .words import (
    SPACES,
    STOPWORDS,
    Token,
    among,
    is_capitalised,
    is_particle,
    tokenise,
    word_set,
)

__all__ = [
    "KnownPerson",
    "Mention",
    "NameCandidate",
    "PersonMatch",
    "find_known_people",
    "propose_people",
]


@dataclass(frozen=True)
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
    key: object
    mentions: tuple[Mention, ...]


@dataclass(frozen=True)
class NameCandidate:
    """A probable person not known to the desk: the fullest form found and every mention."""

    name: str
    mentions: tuple[Mention, ...]


# --------------------------------------------------------------------------------------------
# Words that only names need

# "J. R. Smith", "J.R. Smith": the dot after an initial does not end the name.
_INITIAL_GAP = re.compile(r"\.[ \t\u00a0]*")

# Weekdays are stripped from the start of a phrase ("Tuesday Megan..."). Months only after an
# opener ("In May Justin...") because several are first names ("June Carter", "April Ryan");
# unlike stopwords, neither sinks a phrase it sits inside ("Theresa May").
_WEEKDAYS = word_set("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_MONTHS = word_set(
    "January February March April May June July August September October November December"
)


# Words that mark a phrase as an organisation, event, title, medium or place rather than a
# person. Any of them anywhere in a phrase rejects the whole phrase ("Toronto International
# Film Festival", "MTV Video Music Awards", "Entertainment Tonight"), and on their own they are
# never taken as a short form of a name. Surnames that double as such words (Hall, Park, Post,
# Day, Rock, Stone, Washington, Houston...) are deliberately absent.
_KEYWORDS = word_set(
    """
    Festival Festivals Award Awards Music Network Networks Records Recordings News Tonight
    Weekly Daily International National University College School Academy Institute Party Show
    Musical Film Films Movie Movies Pictures Studio Studios Entertainment Media Magazine Times
    Journal Press Gazette Herald Tribune Reporter Radio TV Television Channel Company
    Corporation Corp Inc Ltd LLC Group Association Council Committee Commission Department
    Ministry Agency Foundation Center Centre Club League Cup Championship Championships Games
    Olympics Olympic Tour Conference Summit Prize Prizes Grammy Grammys Oscar Oscars Emmy Emmys
    Bank Street Avenue Road City County State States Republic Kingdom Union Hospital Museum
    Gallery Theatre Theater Stadium Arena Airport Station Hotel Senate Congress Parliament
    Government Army Navy Album Song Season Episode Series Edition Week Month Year
    MTV VMA VMAs NSYNC ET EW BBC CNN NBC ABC CBS HBO NPR AP Netflix Instagram TikTok Twitter
    Facebook YouTube Spotify Snapchat Google Amazon Hulu Disney Paramount Billboard Variety
    Vogue Reuters Bloomberg Toronto London Paris Hollywood America American Canada Canadian
    British Los Las San Santa Angeles Vegas Francisco Chicago Texas California Florida Atlanta
    Miami Nashville Manhattan Europe European Africa African Asia Asian China Chinese Japan
    Japanese Mexico Mexican Australia Australian Germany German France French Italy Italian
    Spain Spanish Russia Russian Ukraine India Indian Brazil
    """
)


def _key(name: str) -> tuple[str, ...]:
    """How names are compared: word by word, ignoring case, spacing and initials' dots."""
    return tuple(token.text.casefold() for token in tokenise(name))


def _is_subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    words = iter(long)
    return all(word in words for word in short)


# --------------------------------------------------------------------------------------------
# Known people


def find_known_people(body: str, people: Iterable[KnownPerson]) -> list[PersonMatch]:
    """Every mention of each known person's names, for the editor to confirm.

    Matching is case-sensitive (news copy capitalises names, and "Swift" the singer is not
    "swift" the adjective) and on whole words; a possessive is allowed and left out of the span.
    Where names overlap, the longest wins ("Megan Thee Stallion" is one mention, not also
    "Megan"); people sharing a name each get the mention, since only the editor can tell them
    apart. People are returned in order of first mention; people never mentioned are left out.
    """
    people = list(people)
    hits: list[tuple[int, int, int]] = []
    for index, person in enumerate(people):
        for name in dict.fromkeys(" ".join(alias.split()) for alias in person.names):
            if name:
                hits.extend((start, end, index) for start, end in _occurrences(body, name))

    kept = _leftmost_longest({(start, end) for start, end, _ in hits})
    by_person: dict[int, set[tuple[int, int]]] = {}
    for start, end, index in hits:
        if (start, end) in kept:
            by_person.setdefault(index, set()).add((start, end))

    matches = [
        (min(spans), index, PersonMatch(people[index].key, _mentions(body, spans)))
        for index, spans in by_person.items()
    ]
    return [match for _, _, match in sorted(matches, key=lambda item: item[:2])]


def _occurrences(body: str, name: str) -> Iterator[tuple[int, int]]:
    # Any run of whitespace (even a line break) may separate the words of a name.
    pattern = re.compile(r"\s+".join(re.escape(word) for word in name.split()))
    for match in pattern.finditer(body):
        if _stands_alone(body, match.start(), match.end()):
            yield match.span()


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


def _mentions(body: str, spans: Iterable[tuple[int, int]]) -> tuple[Mention, ...]:
    return tuple(Mention(start, end, body[start:end]) for start, end in sorted(set(spans)))


# --------------------------------------------------------------------------------------------
# New people


@dataclass
class _Entity:
    """One probable person while grouping: the written forms seen and every mention."""

    forms: dict[tuple[str, ...], str] = field(default_factory=dict)
    spans: set[tuple[int, int]] = field(default_factory=set)

    def fullest(self) -> str:
        return max(self.forms.items(), key=lambda item: len(item[0]))[1]

    def short_forms(self) -> set[str]:
        """Single words that can stand for this person later in the text."""
        forms: set[str] = set()
        for key in self.forms:
            words = [word for word in key if not is_particle(word) and len(word) > 1]
            if words:
                forms.update((words[0], words[-1]))
            if len(words) > 1:
                # Initials are a common short form in celebrity copy ("JT").
                forms.add("".join(word[0] for word in words))
        return forms


@dataclass(frozen=True)
class _Phrase:
    tokens: tuple[Token, ...]
    text: str  # as written, with whitespace collapsed: "Justin Timberlake", "J. R. Smith"
    heading: bool

    @property
    def span(self) -> tuple[int, int]:
        return self.tokens[0].start, self.tokens[-1].end

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(token.text.casefold() for token in self.tokens)


def propose_people(
    body: str, *, known_names: Iterable[str] = (), rejected: Iterable[str] = ()
) -> list[NameCandidate]:
    """Probable names of people not yet known to the desk, each with all its mentions.

    A name is 2-4 capitalised words in a row ("Justin Timberlake", "Benicio Del Toro", "JC
    Chasez", "Cardi B"). Organisations, events, titles, places and sentence openers are
    filtered out with word lists, and a later lone first name, surname or set of initials
    ("Timberlake", "Justin", "JT") is attached to the most recently mentioned full name it fits.

    Names equal to a known name, or a shorter form of one ("Del Toro" for a known "Benicio Del
    Toro"), are left out, as are names the editor has rejected before. Candidates are sorted by
    first mention.
    """
    known = [_key(name) for name in known_names]
    refused = {_key(name) for name in rejected}
    phrases = _phrases(body, Paragraphs(body))
    entities = _group_names(phrases)
    _attach_short_forms(phrases, entities)

    candidates: list[NameCandidate] = []
    for entity in entities:
        if not entity.spans:
            continue
        name = entity.fullest()
        if _key(name) in refused or any(_is_known(key, known) for key in entity.forms):
            continue
        candidates.append(NameCandidate(name, _mentions(body, entity.spans)))
    return sorted(candidates, key=lambda candidate: candidate.mentions[0].start)


def _is_known(key: tuple[str, ...], known: list[tuple[str, ...]]) -> bool:
    return any(_is_subsequence(key, name) for name in known)


def _phrases(body: str, paragraphs: Paragraphs) -> list[_Phrase]:
    """Runs of capitalised words, cleaned of openers; each a possible name or short form."""
    titles = quotes.title_spans(body)
    lowercase = {token.text for token in tokenise(body) if token.text.islower()}
    phrases: list[_Phrase] = []
    for run in _capitalised_runs(body, titles):
        opens = _starts_sentence(body, paragraphs, run[0].start)
        tokens = _trim(run, lowercase, opens)
        if tokens and _acceptable(tokens):
            written = " ".join(body[tokens[0].start : tokens[-1].end].split())
            heading = _in_heading(body, paragraphs, tokens[0].start)
            phrases.append(_Phrase(tuple(tokens), written, heading))
    return phrases


def _capitalised_runs(body: str, titles: list[tuple[int, int]]) -> Iterator[list[Token]]:
    run: list[Token] = []
    for token in tokenise(body):
        if run and not _continues(body, run, token):
            yield run
            run = []
        inside_title = any(start <= token.start < end for start, end in titles)
        usable = is_capitalised(token.text) or (run and is_particle(token.text))
        if inside_title or not usable:
            if run:
                yield run
            run = []
            continue
        run.append(token)
        if token.possessive:
            yield run
            run = []
    if run:
        yield run


def _continues(body: str, run: list[Token], token: Token) -> bool:
    gap = body[run[-1].end : token.start]
    if SPACES.fullmatch(gap):
        return True
    if not _INITIAL_GAP.fullmatch(gap):
        return False
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


def _trim(run: list[Token], lowercase: set[str], sentence_start: bool) -> list[Token]:
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
    if sentence_start and untouched and len(run) > 2 and tokens[0].text.casefold() in lowercase:
        tokens.pop(0)
    while tokens and tokens[-1].text.islower():
        tokens.pop()  # a trailing lowercase particle ("... de")
    return tokens


def _acceptable(tokens: list[Token]) -> bool:
    words = [token.text for token in tokens]
    if len(words) > 4:
        return False  # a title or heading, not a name
    if len(words) == 1 and (among(_WEEKDAYS, words[0]) or among(_MONTHS, words[0])):
        return False  # "in May" is not Theresa May
    if any(among(STOPWORDS, word) or among(_KEYWORDS, word) for word in words):
        return False
    substantive = [word for word in words if not is_particle(word) and len(word) > 1]
    return bool(substantive)


_SENTENCE_OPENING = re.compile(r"(?:^|[.!?:;…][\"”’')\]]*)\s*[\"“‘'(\[*@]*$")


def _starts_sentence(body: str, paragraphs: Paragraphs, position: int) -> bool:
    start, _ = paragraphs.around(position)
    return bool(_SENTENCE_OPENING.search(body[start:position]))


_SENTENCE_END = re.compile(r"[.!?…:;][\"”’')\]]*$")
_SENTENCE_INSIDE = re.compile(r"[.!?…][\"”’')\]]*\s")


def _in_heading(body: str, paragraphs: Paragraphs, position: int) -> bool:
    """In a paragraph that is not a sentence: a heading such as "A Meeting of Old School".

    A paragraph of several sentences that merely lacks its final full stop is running text.
    """
    start, end = paragraphs.around(position)
    paragraph = body[start:end].strip()
    return not (_SENTENCE_END.search(paragraph) or _SENTENCE_INSIDE.search(paragraph))


def _group_names(phrases: list[_Phrase]) -> list[_Entity]:
    """Turn multi-word phrases into people; shorter forms join the longest form they fit."""
    names = [phrase for phrase in phrases if len(phrase.tokens) > 1]
    entities: list[_Entity] = []
    # Longest first, so "Benicio Del Toro" exists before "Del Toro" looks for a home. Headings
    # only ever add mentions to a name found in running text: a title-cased heading is full of
    # capitalised phrases that are not people ("Old School", "Positive Interactions").
    for phrase in sorted(names, key=lambda phrase: (phrase.heading, -len(phrase.tokens))):
        home = _home_for(phrase.key, entities)
        if home is None:
            if phrase.heading:
                continue
            home = _Entity()
            entities.append(home)
        home.forms.setdefault(phrase.key, phrase.text)
        home.spans.add(phrase.span)
    return entities


def _home_for(key: tuple[str, ...], entities: list[_Entity]) -> _Entity | None:
    for entity in sorted(entities, key=lambda entity: -max(map(len, entity.forms))):
        if any(_is_subsequence(key, form) for form in entity.forms):
            return entity
    return None


def _attach_short_forms(phrases: list[_Phrase], entities: list[_Entity]) -> None:
    """Give each later lone name word to the most recently mentioned person it can stand for.

    "Later" matters: a surname before any full name could belong to anyone, while after "Justin
    Timberlake", "Timberlake" is him. When two people fit ("Justin" after both Justin
    Timberlake and Justin Bieber), recency decides, as a reader would.
    """
    owner = {span: entity for entity in entities for span in entity.spans}
    last_seen: dict[int, int] = {}
    for phrase in sorted(phrases, key=lambda phrase: phrase.span):
        entity = owner.get(phrase.span)
        if entity is not None:
            last_seen[id(entity)] = phrase.span[0]
            continue
        if len(phrase.tokens) != 1:
            continue
        word = phrase.key[0]
        fitting = [
            entity
            for entity in entities
            if id(entity) in last_seen and word in entity.short_forms()
        ]
        if fitting:
            chosen = max(fitting, key=lambda entity: last_seen[id(entity)])
            chosen.spans.add(phrase.span)
            last_seen[id(chosen)] = phrase.span[0]
