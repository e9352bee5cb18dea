"""Suggesting people and quotes in an imported article, for an editor to confirm.

When an article is imported the desk offers three kinds of suggestion:

* mentions of people the desk already knows (:func:`find_known_people`);
* names of people it does not know yet (:func:`propose_people`);
* quoted speech with the phrase naming its speaker, as candidate claims (:func:`find_quotes`).

They are *suggestions*: every one is shown to an editor, who confirms or rejects it. Nothing is
tagged silently, so the rules below prefer being simple and predictable over being clever, and
each result carries exact character offsets (plus :func:`context` for a snippet) so the editor
can see where it came from.

The module is deliberately pure -- strings in, frozen dataclasses out, standard library only,
no Django and no database -- because the admin, the import command and the tests all need the
same answers. Keeping it free of models lets the heuristics be unit-tested directly on the real
seed articles, quickly and without a test database, and any caller inherits exactly the rules
pinned down there.

Offsets count Unicode code points into the body exactly as given (``"\\n"`` newlines), so for
every result ``body[start:end] == text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .paragraphs import Paragraphs

__all__ = [
    "KnownPerson",
    "Mention",
    "NameCandidate",
    "PersonMatch",
    "QuoteCandidate",
    "context",
    "find_known_people",
    "find_quotes",
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


@dataclass(frozen=True)
class QuoteCandidate:
    """Quoted speech (offsets inside the quote marks) and the phrase naming its speaker."""

    start: int
    end: int
    text: str
    speaker: str
    speaker_start: int
    speaker_end: int


# --------------------------------------------------------------------------------------------
# Words
#
# A word is a run of letters (any script: "Ødegaard", "López") that may contain apostrophes or
# hyphens between letters ("O'Brien", "Jean-Luc"). Digits end a word, so "2023 MTV" is two.

_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_APOSTROPHES = "'’"
# Only whitespace joins the words of a name: a comma, colon, slash or bracket between two
# capitalised words means they belong to different phrases ("Twitter/X", "Dicks: The"). A
# single line break is allowed because paragraphs may be hard-wrapped; a blank line is not.
_SPACES = re.compile(r"[ \t\u00a0]+|[ \t\u00a0]*\n[ \t\u00a0]*")
# "J. R. Smith", "J.R. Smith": the dot after an initial does not end the name.
_INITIAL_GAP = re.compile(r"\.[ \t\u00a0]*")


@dataclass(frozen=True)
class _Token:
    start: int
    end: int  # excludes a possessive 's
    text: str
    possessive: bool


def _tokens(text: str, start: int = 0, end: int | None = None) -> Iterator[_Token]:
    for match in _WORD.finditer(text, start, len(text) if end is None else end):
        word = match.group()
        # "Megan's", "Timberlake’s" (and contractions such as "It’s"): the name is the part
        # before the apostrophe, and nothing after a possessive continues the name.
        possessive = len(word) > 2 and word[-2] in _APOSTROPHES and word[-1] == "s"
        if possessive:
            word = word[:-2]
        yield _Token(match.start(), match.start() + len(word), word, possessive)


def _words(text: str) -> frozenset[str]:
    """A word list written as running text, which reads better than a 200-item literal."""
    return frozenset(text.split())


def _is_capitalised(word: str) -> bool:
    """Shaped like a word of a name: "Megan", "McDonald", "JC", "B"; not "NSYNC" or "VMAs"."""
    if not word[0].isupper():
        return False
    letters = [char for char in word if char.isalpha()]
    upper = sum(char.isupper() for char in letters)
    if upper == len(letters):
        # Initials and short first names ("JC", "JT", "B") are all capitals; longer all-capital
        # words are acronyms of bands, channels and agencies.
        return len(letters) <= 3
    # Mostly-capital words with a lowercase tail are acronym plurals ("VMAs", "DJs").
    return upper < 3 or upper < len(letters) - upper


# Lowercase or capitalised connectors that occur inside names ("Benicio Del Toro", "Ana de
# Armas", "Megan Thee Stallion") but never make a name on their own.
_PARTICLES = _words(
    "al bin binti da das de del della der di dos du el ibn la le st ten ter thee van von"
)


def _is_particle(word: str) -> bool:
    return word.casefold() in _PARTICLES


# Capitalised words that are not names: sentence openers, pronouns, prepositions, numbers,
# titles, and common nouns that start sentences or headings in news copy. A phrase loses these
# from its start ("Watch Megan" -> "Megan", "President Joe Biden" -> "Joe Biden") and is
# rejected if one remains inside it ("Choosing Collaboration Over Conflict"). Words that are
# also common first names (Will, Mark, Grace, Prince...) are deliberately absent.
_STOPWORDS = _words(
    """
    A An The And But Or Nor So Yet For If Then Than That This These Those There Here Where When
    While Whilst Why How What Which Who Whom Whose Whatever Whoever It Its He She They We You I
    Me Him Her His Hers Our Their My Your Us Them They're We're You're I'm I've I'd I'll He'd
    She'd As At By In Into On Onto Of Off Out Outside Inside Over Under Up Down To From With
    Without Within About Above Below After Before During Since Until Till Through Throughout
    Across Along Among Amid Around Behind Beyond Between Despite Except Like Unlike Near Per Via
    Upon Toward Towards According Although Though Because Unless Whether Also Instead Meanwhile
    However Moreover Furthermore Nevertheless Nonetheless Still Even Just Only Indeed Perhaps
    Maybe Now Today Yesterday Tomorrow Later Earlier Recently Finally Eventually Overall Again
    Already Always Never Often Sometimes Soon Yes No Not Both Either Neither Each Every All Any
    Some Many Much More Most Few Several Such Other Another Same One Two Three Four Five Six
    Seven Eight Nine Ten First Second Third Last Next New Old Best Top Big Great Good Please
    Thanks Thank Dear Hi Hey Hello Oh Wow Okay Watch See Read Click Follow Subscribe Share Sign
    Get Let Together Confirmation Representatives Representative Sources Source Fans Fan People
    Critics Officials Viewers Audiences Reports Empathy Understanding Are Is Was Were Be Been Do
    Does Did Have Has Had Can Could Would Should Shall Might Must Mr Mrs Ms Mx Dr Prof Professor
    President Senator Sen Rep Gov Governor Mayor Judge Chancellor Minister Prime Secretary
    Chairman Chairwoman Coach Officer Detective Sergeant Pope Rev Reverend Photo Video Image
    Images Credit Getty Advertisement Related Exclusive Breaking Update Live
    """
)

# Weekdays are stripped from the start of a phrase ("Tuesday Megan..."). Months only after an
# opener ("In May Justin...") because several are first names ("June Carter", "April Ryan");
# unlike stopwords, neither sinks a phrase it sits inside ("Theresa May").
_WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
_MONTHS = _words(
    "January February March April May June July August September October November December"
)


# Words that mark a phrase as an organisation, event, title, medium or place rather than a
# person. Any of them anywhere in a phrase rejects the whole phrase ("Toronto International
# Film Festival", "MTV Video Music Awards", "Entertainment Tonight"), and on their own they are
# never taken as a short form of a name. Surnames that double as such words (Hall, Park, Post,
# Day, Rock, Stone, Washington, Houston...) are deliberately absent.
_KEYWORDS = _words(
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


def _in(words: frozenset[str], word: str) -> bool:
    return word in words or word.capitalize() in words


def _key(name: str) -> tuple[str, ...]:
    """How names are compared: word by word, ignoring case, spacing and initials' dots."""
    return tuple(token.text.casefold() for token in _tokens(name))


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
            words = [word for word in key if not _is_particle(word) and len(word) > 1]
            if words:
                forms.update((words[0], words[-1]))
            if len(words) > 1:
                # Initials are a common short form in celebrity copy ("JT").
                forms.add("".join(word[0] for word in words))
        return forms


@dataclass(frozen=True)
class _Phrase:
    tokens: tuple[_Token, ...]
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
    titles = [(quote.start, quote.end) for quote in _quote_spans(body) if _is_title(body, quote)]
    lowercase = {token.text for token in _tokens(body) if token.text.islower()}
    phrases: list[_Phrase] = []
    for run in _capitalised_runs(body, titles):
        opens = _starts_sentence(body, paragraphs, run[0].start)
        tokens = _trim(run, lowercase, opens)
        if tokens and _acceptable(tokens):
            written = " ".join(body[tokens[0].start : tokens[-1].end].split())
            heading = _in_heading(body, paragraphs, tokens[0].start)
            phrases.append(_Phrase(tuple(tokens), written, heading))
    return phrases


def _capitalised_runs(body: str, titles: list[tuple[int, int]]) -> Iterator[list[_Token]]:
    run: list[_Token] = []
    for token in _tokens(body):
        if run and not _continues(body, run, token):
            yield run
            run = []
        inside_title = any(start <= token.start < end for start, end in titles)
        usable = _is_capitalised(token.text) or (run and _is_particle(token.text))
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


def _continues(body: str, run: list[_Token], token: _Token) -> bool:
    gap = body[run[-1].end : token.start]
    if _SPACES.fullmatch(gap):
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
    return before.isspace() and all(_in(_STOPWORDS, part.text) for part in openers)


def _trim(run: list[_Token], lowercase: set[str], sentence_start: bool) -> list[_Token]:
    tokens = list(run)
    while tokens:
        word = tokens[0].text
        opener = _in(_STOPWORDS, word) or _in(_WEEKDAYS, word)
        if not (opener or (len(tokens) < len(run) and _in(_MONTHS, word))):
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


def _acceptable(tokens: list[_Token]) -> bool:
    words = [token.text for token in tokens]
    if len(words) > 4:
        return False  # a title or heading, not a name
    if len(words) == 1 and (_in(_WEEKDAYS, words[0]) or _in(_MONTHS, words[0])):
        return False  # "in May" is not Theresa May
    if any(_in(_STOPWORDS, word) or _in(_KEYWORDS, word) for word in words):
        return False
    substantive = [word for word in words if not _is_particle(word) and len(word) > 1]
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


# --------------------------------------------------------------------------------------------
# Quotes


@dataclass(frozen=True)
class _QuoteSpan:
    open: int  # the opening mark
    start: int  # first character inside
    end: int  # just past the last character inside (the closing mark)


# Curly or straight double quotes, never across a paragraph break (an unclosed quote must not
# pair up with one paragraphs later). Single quotes are left alone: they double as apostrophes
# ("we’ve") and mostly nest inside double quotes anyway.
_QUOTE = re.compile(r"[“\"]((?:[^“”\"\n]|\n(?![ \t]*\n))+)[”\"]")


def _quote_spans(body: str) -> list[_QuoteSpan]:
    return [
        _QuoteSpan(match.start(), match.start(1), match.end(1)) for match in _QUOTE.finditer(body)
    ]


# A quote right after one of these names a work, not speech: the song "Bongos", the single
# "Bongos", set to "Do As Infinity", a film titled "...".
_TITLE_CUE = re.compile(
    r"\b(?:songs?|single|tracks?|album|film|movie|series|book|titled|entitled|called|dubbed"
    r"|set\s+to)\s*,?\s*$",
    re.IGNORECASE,
)
# So does one right after a name's possessive (Rukai Mori’s "Do As Infinity"); checked in code
# so that contractions ("it’s", "She’s") are not taken for possessives.
_POSSESSIVE_BEFORE = re.compile(r"([^\W\d_][\w'’-]*)['’]s\s*$")
_SMALL_WORDS = _words("a an and as at by for in of on or the to")
_QUOTE_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _is_title(body: str, quote: _QuoteSpan) -> bool:
    window = max(0, quote.open - 40)
    if _TITLE_CUE.search(body, window, quote.open):
        return True
    owner = _POSSESSIVE_BEFORE.search(body, window, quote.open)
    if owner and _is_capitalised(owner[1]) and not _in(_STOPWORDS, owner[1]):
        return True
    # Every word capitalised ("Do As Infinity"): a title, since speech is written in sentence
    # case. One word says too little ("Fine," is speech), so at least two are needed.
    words = _QUOTE_WORD.findall(body, quote.start, quote.end)
    return len(words) > 1 and all(word[0].isupper() or word in _SMALL_WORDS for word in words)


def find_quotes(body: str, *, min_words: int = 3) -> list[QuoteCandidate]:
    """Quoted speech with its speaker, in body order.

    Quotes of fewer than ``min_words`` words (scare quotes such as "proper") and titles of
    songs, films and the like are skipped. The speaker is looked for first right after the
    quote (``“...,” she said`` / ``“...,” said Ana María López``), then before it in the same
    sentence (``Megan playfully responded, “...”``, ``Justin Timberlake expressed ..., saying,
    “...”``, ``According to the source, “...”``). It is returned as written -- a name, a phrase
    such as "The source", or a pronoun -- because deciding who "she" is needs the editor.
    """
    spans = _quote_spans(body)
    masked = _mask_quotes(body, spans)
    paragraphs = Paragraphs(body)
    quotes: list[QuoteCandidate] = []
    for quote in spans:
        if len(_QUOTE_WORD.findall(body, quote.start, quote.end)) < min_words:
            continue
        if _is_title(body, quote):
            continue
        speaker = _speaker_after(body, paragraphs, quote) or _speaker_before(
            body, masked, paragraphs, quote
        )
        first, last = speaker or (-1, -1)
        quotes.append(
            QuoteCandidate(
                start=quote.start,
                end=quote.end,
                text=body[quote.start : quote.end],
                speaker=body[first:last] if speaker else "",
                speaker_start=first,
                speaker_end=last,
            )
        )
    return quotes


def _mask_quotes(body: str, spans: list[_QuoteSpan]) -> str:
    """The body with quoted words blanked, keeping offsets.

    Looking for "said" or a sentence end must not see inside other quotes ("She was saying"
    inside a quote names no speaker). A final . ? or ! is kept because it still ends the
    surrounding sentence.
    """
    chars = list(body)
    for quote in spans:
        inner = body[quote.start : quote.end].rstrip()
        keep = quote.start + len(inner) - 1 if inner[-1:] in (".", "?", "!", "…") else -1
        for index in range(quote.start, quote.end):
            if index != keep:
                chars[index] = " "
    return "".join(chars)


_SPEECH_VERBS = sorted(
    _words(
        "said says told tells asked asks added adds replied replies responded responds answered "
        "answers stated states wrote writes explained explains noted notes continued continues "
        "recalled recalls joked jokes quipped quips insisted insists admitted admits exclaimed "
        "exclaims tweeted tweets captioned captions posted posts shared shares remarked remarks "
        "commented comments whispered whispers shouted shouts yelled yells laughed laughs "
        "declared declares concluded concludes confirmed confirms claimed claims revealed reveals "
        "warned warns argued argues announced announces teased teases gushed gushes"
    )
)
# Verbs whose subject is the speaker even when an object stands between the verb and the quote
# ("The source described the exchange as “...”"); only used before a quote.
_LEAD_VERBS = ["described", "describes", "summed", "sums"]
# A participle's speaker is the subject of its clause, not the nearest name: in "Justin
# Timberlake expressed his delight at meeting Megan, saying, “...”" the speaker is Justin.
_PARTICIPLES = sorted(
    _words(
        "saying asking adding telling writing explaining noting responding replying answering "
        "stating captioning posting sharing tweeting joking quipping insisting admitting "
        "exclaiming declaring confirming claiming continuing recalling gushing teasing warning"
    )
)

_ATTRIBUTION_VERB = re.compile(rf"(?:{'|'.join(_SPEECH_VERBS)})\b")
_ANY_SPEECH_VERB = re.compile(rf"\b(?:{'|'.join(_SPEECH_VERBS + _LEAD_VERBS + _PARTICIPLES)})\b")
# Words that may stand between a speaker and the verb: "Megan playfully responded", "she had
# told", "the source later said".
_IN_BETWEEN = r"(?:[a-z]+ly|also|later|then|once|again|just|had|has|have|was|would|will)"
_IN_BETWEEN_THEN_VERB = re.compile(rf"(?:\s+{_IN_BETWEEN})*\s+(?:{'|'.join(_SPEECH_VERBS)})\b")
_TRAILING_IN_BETWEEN = re.compile(rf"(?:\s+{_IN_BETWEEN})+\s*$")
_TRAILING_APPOSITIVE = re.compile(r",[^,“”\"]{1,60},\s*$")  # "Justin Timberlake, 42, said"
_ACCORDING_TO = re.compile(r"\s*[Aa]ccording to ([^,“”\"]{1,80}),")

# "the source", "a longtime friend", "Megan’s rep", "another source": who else gives quotes.
_DETERMINER = r"(?:[Tt]he|[Aa]n?|[Aa]nother|[Oo]ne|[Hh]is|[Hh]er|[Tt]heir|[^\W\d_]+['’]s)"
_SPEAKER_NOUNS = sorted(
    _words(
        "sources? spokes(?:person|man|woman|people) representatives? reps? insiders? publicists? "
        "friends? officials? witness(?:es)? eyewitness(?:es)? aides? attorneys? lawyers? managers? "
        "agents? rapper singer actor actress star artist musician performer host producer "
        "director minister president senator mayor family band company team"
    )
)
_NOUN_PHRASE = re.compile(
    rf"{_DETERMINER}\s+(?:[^\W\d_][\w’'-]*\s+){{0,2}}?(?:{'|'.join(_SPEAKER_NOUNS)})(?![\w’'-])"
)
_CLOSE_TO = re.compile(r"\s+close\s+to\s+")
_CLOSE_TO_OBJECT = re.compile(r"(?:the|his|her|their)\s+[a-z]+\b")
_PRONOUN = re.compile(r"(?:[Hh]e|[Ss]he|[Tt]hey|[Ww]e|I)(?![\w’'-])")
_MAX_WORDS_FROM_VERB = 8


_COMMA_AND_SPACES = re.compile(r"\s*,?\s*")


def _speaker_after(body: str, paragraphs: Paragraphs, quote: _QuoteSpan) -> tuple[int, int] | None:
    """``“...,” Ødegaard told the chamber`` or ``“...,” said Ana María López``."""
    inner = body[quote.start : quote.end].rstrip()
    closing = quote.end + 1
    runs_on = inner.endswith((",", "?", "!", "—", "–", "-", "…"))
    if not (runs_on or body[closing : closing + 1] == ","):
        return None  # the quote ended its sentence, so what follows is a new one
    _, limit = paragraphs.around(quote.end)
    position = _COMMA_AND_SPACES.match(body, closing, limit).end()

    verb = _ATTRIBUTION_VERB.match(body, position, limit)
    if verb is not None:
        return _speaker_at(body, _skip_spaces(body, verb.end()), limit)
    speaker = _speaker_at(body, position, limit)
    if speaker is not None and _IN_BETWEEN_THEN_VERB.match(body, speaker[1], limit):
        return speaker
    return None


def _speaker_before(
    body: str, masked: str, paragraphs: Paragraphs, quote: _QuoteSpan
) -> tuple[int, int] | None:
    """The speaker named earlier in the quote's own sentence, if any."""
    start = _sentence_start(masked, paragraphs, quote.open)
    verbs = list(_ANY_SPEECH_VERB.finditer(masked, start, quote.open))
    if verbs:
        verb = verbs[-1]
        distance = len(_WORD.findall(masked, verb.end(), quote.open))
        if distance <= _MAX_WORDS_FROM_VERB:
            speaker = None
            if verb.group() not in _PARTICIPLES:
                speaker = _subject_ending_at(body, masked, start, verb.start())
            # A participle's subject, or a finite verb too far from its subject
            # ("Megan later took to Instagram and wrote, “...”").
            return speaker or _clause_subject(body, masked, start, verb.start())
    according = _ACCORDING_TO.match(masked, start, quote.open)
    if according is not None:
        return _speaker_at(body, according.start(1), according.end(1))
    return None


_SENTENCE_BREAK = re.compile(r"[.!?…][\"”’')\]]*\s+")


def _sentence_start(masked: str, paragraphs: Paragraphs, position: int) -> int:
    start, _ = paragraphs.around(position)
    for match in _SENTENCE_BREAK.finditer(masked, start, position):
        start = match.end()
    return start


def _subject_ending_at(body: str, masked: str, start: int, verb: int) -> tuple[int, int] | None:
    """The speaker phrase just before a speech verb, allowing adverbs and an appositive.

    The plain reading is tried first, so "the family said" is not read as "the" + adverb.
    """
    for pattern in (None, _TRAILING_IN_BETWEEN, _TRAILING_APPOSITIVE):
        end = verb
        if pattern is not None:
            match = pattern.search(body, start, verb)
            if match is None:
                continue
            end = match.start()
        end = len(body[start:end].rstrip()) + start
        speaker = _speaker_ending_at(body, masked, start, end)
        if speaker is not None:
            return speaker
    return None


def _speaker_ending_at(body: str, masked: str, start: int, end: int) -> tuple[int, int] | None:
    # The leftmost word from which a speaker phrase reaches exactly to ``end`` gives the
    # fullest phrase ("Ana María López", not "López"; "a source close to Megan", not "Megan").
    starts = [match.start() for match in _WORD.finditer(masked, start, end)]
    for position in starts[-12:]:
        speaker = _speaker_at(body, position, end)
        if speaker is not None and speaker[1] == end:
            return speaker
    return None


def _clause_subject(body: str, masked: str, start: int, end: int) -> tuple[int, int] | None:
    """The first speaker phrase of the sentence, after an "According to ...," opener."""
    according = _ACCORDING_TO.match(masked, start, end)
    if according is not None:
        start = according.end()
    for match in _WORD.finditer(masked, start, end):
        speaker = _speaker_at(body, match.start(), end)
        if speaker is not None:
            return speaker
    return None


def _speaker_at(body: str, position: int, limit: int) -> tuple[int, int] | None:
    """A speaker phrase starting exactly at ``position``: noun phrase, pronoun or name."""
    phrase = _NOUN_PHRASE.match(body, position, limit)
    if phrase is not None:
        end = phrase.end()
        close_to = _CLOSE_TO.match(body, end, limit)
        if close_to is not None:
            whom = _CLOSE_TO_OBJECT.match(body, close_to.end(), limit)
            name = whom.span() if whom else _name_at(body, close_to.end(), limit)
            if name is not None:
                end = name[1]
        return position, end
    pronoun = _PRONOUN.match(body, position, limit)
    if pronoun is not None:
        return pronoun.span()
    return _name_at(body, position, limit)


def _name_at(body: str, position: int, limit: int) -> tuple[int, int] | None:
    """Up to four capitalised words starting at ``position``, less any opening stopwords."""
    tokens: list[_Token] = []
    for token in _tokens(body, position, limit):
        if not tokens and token.start != position:
            return None
        if tokens and not _SPACES.fullmatch(body[tokens[-1].end : token.start]):
            break
        if not (_is_capitalised(token.text) or (tokens and _is_particle(token.text))):
            break
        tokens.append(token)
        if token.possessive:
            break
    while tokens and _in(_STOPWORDS, tokens[0].text):
        tokens.pop(0)
    while tokens and tokens[-1].text.islower():
        tokens.pop()
    if not tokens or len(tokens) > 4:
        return None
    return tokens[0].start, tokens[-1].end


def _skip_spaces(body: str, position: int) -> int:
    while position < len(body) and body[position].isspace():
        position += 1
    return position


# --------------------------------------------------------------------------------------------
# Context


def context(body: str, start: int, end: int, width: int = 60) -> str:
    """A one-line snippet showing ``body[start:end]`` in its paragraph: "…before [match] after…".

    At most ``width`` characters either side, cut at a word boundary, never running into the
    neighbouring paragraph; an ellipsis marks each side that was cut. Line breaks inside become
    spaces so the snippet fits a table cell or a form's help text.
    """
    if not 0 <= start <= end <= len(body):
        raise ValueError(f"span {start}:{end} is outside a body of {len(body)} characters")
    paragraphs = Paragraphs(body)
    para_start, _ = paragraphs.around(start)
    _, para_end = paragraphs.around(end)

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
    return (
        f"{lead}{_flatten(before).lstrip()}[{_flatten(body[start:end])}]"
        f"{_flatten(after).rstrip()}{trail}"
    )


def _first_space(text: str) -> int:
    match = re.search(r"\s", text)
    return match.start() if match else 0


def _last_space(text: str) -> int:
    spaces = [match.start() for match in re.finditer(r"\s", text)]
    return spaces[-1] if spaces else len(text)


def _flatten(text: str) -> str:
    return re.sub(r"\s+", " ", text)
