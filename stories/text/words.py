"""Words of news copy, as the name rules and the quote rules both read them.

Both need the same idea of a word, of a capitalised word that could belong to a name, and of
the capitalised words that never do, so they share them from here: a name found in running
text (``names``) and a name found speaking (``quotes``) are cut by one rule.

The word lists are data, not code: plain text files in ``data/`` (described in its README),
read once when the module is imported. They hold words of news copy in general, never words
taken from an article the rules were tried on, so that adding a word is an editorial decision
anyone can review in a diff of a text file.

Pure: strings in, tokens and booleans out, standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

__all__ = [
    "LEAD_VERBS",
    "ORGANISATION_NOUNS",
    "PARTICLES",
    "ORGANISATION_WORDS",
    "PLACE_NOUNS",
    "PLACE_OPENERS",
    "PLACE_WORDS",
    "POSTNOMINALS",
    "ROLE_NOUNS",
    "SOURCE_NOUNS",
    "SPACES",
    "SPEECH_PARTICIPLES",
    "SPEECH_VERBS",
    "STOPWORDS",
    "LONGEST_TITLE",
    "TITLES",
    "TITLE_WORDS",
    "WORD",
    "Title",
    "Token",
    "among",
    "capitalised_words",
    "is_capitalised",
    "is_particle",
    "tokenise",
    "word_list",
    "word_set",
]

# A word is a run of letters (any script: "Ødegaard", "López") that may contain apostrophes or
# hyphens between letters ("O'Brien", "Jean-Luc"). Digits end a word, so "2023 MTV" is two.

WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_APOSTROPHES = "'’"
# Only whitespace joins the words of a name: a comma, colon, slash or bracket between two
# capitalised words means they belong to different phrases ("Twitter/X", "Dicks: The"). A
# single line break is allowed because paragraphs may be hard-wrapped; a blank line is not.
SPACES = re.compile(r"[ \t\u00a0]+|[ \t\u00a0]*\n[ \t\u00a0]*")


class Token(NamedTuple):
    """A word of the body. A tuple, not a dataclass: an article has millions of them."""

    start: int
    end: int  # excludes a possessive 's
    text: str
    possessive: bool


def tokenise(text: str, start: int = 0, end: int | None = None) -> Iterator[Token]:
    # map, not a generator: the name rules cut millions of tokens.
    return map(_token, WORD.finditer(text, start, len(text) if end is None else end))


# A NamedTuple's own constructor is a Python function; tuple.__new__ builds the same tuple in C.
_new_token = tuple.__new__


def _token(match: re.Match) -> Token:
    word = match.group()
    start = match.start()
    # "Megan's", "Timberlake’s" (and contractions such as "It’s"): the name is the part
    # before the apostrophe, and nothing after a possessive continues the name.
    if len(word) > 2 and word[-1] == "s" and word[-2] in _APOSTROPHES:
        word = word[:-2]
        return _new_token(Token, (start, start + len(word), word, True))
    return _new_token(Token, (start, start + len(word), word, False))


def _upper_class() -> str:
    """A character class of the uppercase letters (of the Basic Multilingual Plane), as
    ranges: what lets a regular expression step over lowercase text in C."""
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if chr(code).isupper():
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return "".join(
        re.escape(chr(low)) + ("-" + re.escape(chr(high)) if high > low else "")
        for low, high in ranges
    )


# A word starting with a capital, as ``tokenise`` would cut it: not the "A" inside "d’Artagnan"
# or "co-Author", which are one word starting in lowercase.
CAPITALISED_WORD = re.compile(
    rf"(?<![^\W\d_])(?<![^\W\d_]['’\-])[{_upper_class()}][^\W\d_]*(?:['’\-][^\W\d_]+)*"
)


def capitalised_words(text: str, start: int = 0, end: int | None = None) -> Iterator[Token]:
    """The tokens of ``text`` that start with a capital, as :func:`tokenise` gives them."""
    return map(_token, CAPITALISED_WORD.finditer(text, start, len(text) if end is None else end))


def word_set(text: str) -> frozenset[str]:
    """A word list written as running text, which reads better than a 200-item literal."""
    return frozenset(text.split())


def is_capitalised(word: str) -> bool:
    """Shaped like a word of a name: "Megan", "McDonald", "JC", "B"; not "NSYNC" or "VMAs"."""
    if not word[0].isupper():
        return False
    if word[1:].islower():
        return True  # the common case, decided without counting
    letters = [char for char in word if char.isalpha()]
    upper = sum(char.isupper() for char in letters)
    if upper == len(letters):
        # Initials and short first names ("JC", "JT", "B") are all capitals; longer all-capital
        # words are acronyms of bands, channels and agencies.
        return len(letters) <= 3
    # Mostly-capital words with a lowercase tail are acronym plurals ("VMAs", "DJs").
    return upper < 3 or upper < len(letters) - upper


def is_particle(word: str) -> bool:
    """A connector inside names ("Del" in "Benicio Del Toro", "van"), in ``particles.txt``."""
    return word.casefold() in PARTICLES


def among(words: frozenset[str], word: str) -> bool:
    """``word`` is in the list as written or capitalised ("however" as well as "However")."""
    return word in words or word.capitalize() in words


# --------------------------------------------------------------------------------------------
# The word lists in data/


def word_list(name: str) -> list[str]:
    """The entries of ``data/<name>.txt``: whitespace-separated, ``#`` starting a comment.

    Entries holding spaces (titles such as "Chief Executive") are written one to a line and
    read by :func:`_titles`; every other list is a list of single words.
    """
    text = resources.files(__package__).joinpath("data", f"{name}.txt").read_text("utf-8")
    return [word for line in text.splitlines() for word in line.split("#", 1)[0].split()]


def _words(name: str) -> frozenset[str]:
    return frozenset(word_list(name))


@dataclass(frozen=True)
class Title:
    """A title stood before a name: its words, the role it gives, the gender it implies."""

    words: tuple[str, ...]  # as capitalised before a name, without dots: ("Det", "Insp")
    role: str = ""  # "mayor" for Mayor: what a later "the mayor" refers to
    gender: str = ""  # "male" or "female" for an honorific, else ""

    @property
    def honorific(self) -> bool:
        """Mr, Ms, Sir: says who someone is, not what they do, so it is no description."""
        return bool(self.gender) and not self.role and self.words[0] not in {"Sir", "Dame"}


def _titles() -> dict[tuple[str, ...], Title]:
    text = resources.files(__package__).joinpath("data", "titles.txt").read_text("utf-8")
    titles = {}
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        title, _, meaning = (part.strip() for part in entry.partition("="))
        gender = meaning if meaning in {"male", "female"} else ""
        words = tuple(title.split())
        titles[words] = Title(words, role="" if gender else meaning, gender=gender)
    return titles


# Capitalised words that are not names: sentence openers, pronouns, prepositions, numbers and
# the like. A phrase loses these from its start ("Watch Megan" -> "Megan") and is rejected if
# one remains inside it ("Choosing Collaboration Over Conflict").
STOPWORDS = _words("stopwords")
PARTICLES = frozenset(word.casefold() for word in word_list("particles"))
TITLES = _titles()
LONGEST_TITLE = max(map(len, TITLES))
# Words of titles, which an abbreviating dot does not end ("Dr.", "Det. Insp.").
TITLE_WORDS = frozenset(word for title in TITLES for word in title)
POSTNOMINALS = _words("postnominals")
PLACE_WORDS = _words("place_words")
ORGANISATION_WORDS = _words("organisation_words")
PLACE_OPENERS = _words("place_openers")
ORGANISATION_NOUNS = _words("organisation_nouns")
PLACE_NOUNS = _words("place_nouns")
ROLE_NOUNS = _words("role_nouns")
SOURCE_NOUNS = _words("source_nouns")
SPEECH_VERBS = _words("speech_verbs")
SPEECH_PARTICIPLES = _words("speech_participles")
LEAD_VERBS = _words("lead_verbs")
