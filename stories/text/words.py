"""Words of news copy, as the name rules and the quote rules both read them.

Both need the same idea of a word, of a capitalised word that could belong to a name, and of
the capitalised words that never do, so they share them from here: a name found in running
text (``names``) and a name found speaking (``quotes``) are cut by one rule.

Pure: strings in, tokens and booleans out, standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "SPACES",
    "STOPWORDS",
    "WORD",
    "Token",
    "among",
    "is_capitalised",
    "is_particle",
    "tokenise",
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


@dataclass(frozen=True)
class Token:
    start: int
    end: int  # excludes a possessive 's
    text: str
    possessive: bool


def tokenise(text: str, start: int = 0, end: int | None = None) -> Iterator[Token]:
    for match in WORD.finditer(text, start, len(text) if end is None else end):
        word = match.group()
        # "Megan's", "Timberlake’s" (and contractions such as "It’s"): the name is the part
        # before the apostrophe, and nothing after a possessive continues the name.
        possessive = len(word) > 2 and word[-2] in _APOSTROPHES and word[-1] == "s"
        if possessive:
            word = word[:-2]
        yield Token(match.start(), match.start() + len(word), word, possessive)


def word_set(text: str) -> frozenset[str]:
    """A word list written as running text, which reads better than a 200-item literal."""
    return frozenset(text.split())


def is_capitalised(word: str) -> bool:
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
_PARTICLES = word_set(
    "al bin binti da das de del della der di dos du el ibn la le st ten ter thee van von"
)


def is_particle(word: str) -> bool:
    return word.casefold() in _PARTICLES


# Capitalised words that are not names: sentence openers, pronouns, prepositions, numbers,
# titles, and common nouns that start sentences or headings in news copy. A phrase loses these
# from its start ("Watch Megan" -> "Megan", "President Joe Biden" -> "Joe Biden") and is
# rejected if one remains inside it ("Choosing Collaboration Over Conflict"). Words that are
# also common first names (Will, Mark, Grace, Prince...) are deliberately absent.
STOPWORDS = word_set(
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


def among(words: frozenset[str], word: str) -> bool:
    """``word`` is in the list as written or capitalised ("however" as well as "However")."""
    return word in words or word.capitalize() in words
