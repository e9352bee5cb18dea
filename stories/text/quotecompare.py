"""Who said it? The same quotation attributed to different speakers across articles.

A rewrite that gives the coach's words to the club's chairman is a dispute of its own, and one
a reader cannot see: each article on its own looks fine. Comparing the quotations the desk has
found (:func:`.quotes.find_quotes`) across articles brings it out. The rules lean towards
saying nothing rather than something false, because a flag that cries wolf teaches editors to
ignore it:

* Quotations are compared by their words, not their typography: case, curly or straight quote
  marks and apostrophes, punctuation and spacing do not make two quotations different, while a
  changed word does. A fragment counts as the same quotation when its words run, unbroken,
  inside the longer one, because rewrites trim quotes more often than they retype them.
* Fewer than :data:`MIN_WORDS` words is not a shared quotation: "thank you" or "we are very
  happy" turn up in any two articles without one copying the other.
* A fragment is listed under each longer quotation that contains it, never used to join them:
  two different quotations that merely share a stock phrase must not become one.
* Only resolved speakers can disagree. "She said", "a source said" or no speaker at all says
  nothing about who spoke, so it never makes a conflict, and neither does a surname standing for
  the full name ("Kowalski" for "Anna Kowalski").

The work is bounded by the words in the input: quotations are indexed by their word n-grams and
a fragment is only checked against the quotations holding its rarest n-gram, never every pair.
Pure: plain dataclasses in and out, no Django, no database.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

__all__ = ["MIN_WORDS", "QuoteAppearance", "QuoteGroup", "compare_quotes"]

# Five words is where a run of words stops being a stock phrase and starts being somebody's.
MIN_WORDS = 5


@dataclass(frozen=True)
class QuoteAppearance:
    """One article's quotation and its speaker, as the quote suggestions found them.

    ``article`` is the caller's id, opaque here (it must be hashable). ``resolved`` says that
    ``speaker`` names who spoke (a name, not "she" or "the source"); it is compared by its words.
    A ``speaker_key`` (a person an editor linked) is resolved on its own and compared by key.
    """

    article: Hashable
    start: int
    end: int
    text: str
    speaker: str | None = None
    speaker_key: Hashable | None = None
    resolved: bool = False


@dataclass(frozen=True)
class QuoteGroup:
    """A quotation found in two or more articles: its longest version and every appearance."""

    text: str
    appearances: tuple[QuoteAppearance, ...]
    conflict: bool


def compare_quotes(
    appearances: Iterable[QuoteAppearance], *, min_words: int = MIN_WORDS
) -> list[QuoteGroup]:
    """Quotations found in two or more articles, with ``conflict`` set where speakers differ.

    A group is one longest quotation (a version no other contains) with every appearance of it
    or of a fragment of it, in input order; groups come in the order of their first appearance.
    Only groups spanning at least two articles are returned.
    """
    if min_words < 1:
        raise ValueError(f"min_words must be at least 1, not {min_words}")
    appearances = list(appearances)
    versions: dict[tuple[str, ...], list[int]] = {}
    for index, appearance in enumerate(appearances):
        words = quote_words(appearance.text)
        if len(words) >= min_words:
            versions.setdefault(words, []).append(index)

    containers = _containers(list(versions), min_words)
    members: dict[tuple[str, ...], list[int]] = {}
    for words, indices in versions.items():
        for longest in containers.get(words) or [words]:
            members.setdefault(longest, []).extend(indices)

    groups: list[tuple[int, QuoteGroup]] = []
    for longest, indices in members.items():
        found = tuple(appearances[index] for index in sorted(indices))
        if len({appearance.article for appearance in found}) < 2:
            continue
        text = appearances[versions[longest][0]].text
        groups.append((min(indices), QuoteGroup(text, found, _speakers_differ(found))))
    return [group for _, group in sorted(groups, key=lambda item: item[0])]


# --------------------------------------------------------------------------------------------
# Words

# Letters and digits in any script, with apostrophes inside a word ("we’ll", "don't").
_WORD = re.compile(r"[^\W_]+(?:['’‘ʼ][^\W_]+)*")
_APOSTROPHES = str.maketrans("’‘ʼ", "'''")


def quote_words(text: str) -> tuple[str, ...]:
    """The words two quotations are compared by: casefolded, apostrophes unified."""
    return tuple(word.translate(_APOSTROPHES).casefold() for word in _WORD.findall(text))


def _containers(
    versions: list[tuple[str, ...]], size: int
) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """For each version, the longest versions (contained in no other) that contain it.

    Every word run of ``size`` words is indexed once; a version is only compared with the
    longer versions holding its rarest run, so common phrases cost little.
    """
    postings: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    for number, words in enumerate(versions):
        for position in range(len(words) - size + 1):
            postings.setdefault(words[position : position + size], []).append((number, position))

    contained_in: dict[int, list[int]] = {}
    for number, words in enumerate(versions):
        runs = [words[position : position + size] for position in range(len(words) - size + 1)]
        offset, rarest = min(enumerate(runs), key=lambda item: len(postings[item[1]]))
        for other, position in postings[rarest]:
            longer = versions[other]
            begin = position - offset
            if (
                len(longer) > len(words)
                and 0 <= begin <= len(longer) - len(words)
                and longer[begin : begin + len(words)] == words
            ):
                contained_in.setdefault(number, []).append(other)

    longest = {number for number in range(len(versions)) if number not in contained_in}
    return {
        versions[number]: [versions[other] for other in dict.fromkeys(others) if other in longest]
        for number, others in contained_in.items()
    }


# --------------------------------------------------------------------------------------------
# Speakers


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that stand for a speaker without saying who: pronouns, and the indefinite or anonymous
# descriptions a reporter uses when the speaker is not named ("a source", "one official").
_PRONOUNS = _word_set("he she they we i you it him her them")
_INDEFINITE = _word_set("a an another one some several source sources insider insiders")
# Left off the front of a name before comparing: "the chairman" is "the club's chairman".
_DETERMINERS = _word_set("the his her their its our my")


def _speakers_differ(appearances: tuple[QuoteAppearance, ...]) -> bool:
    """Whether two resolved speakers in the group are different people."""
    identities = list(dict.fromkeys(filter(None, map(_identity, appearances))))
    return any(
        not _same_speaker(first, second)
        for index, first in enumerate(identities)
        for second in identities[index + 1 :]
    )


def _identity(appearance: QuoteAppearance) -> tuple[Hashable | None, tuple[str, ...]] | None:
    """(key, name words) for a resolved speaker; None for one that says nothing of who spoke.

    A person the editor linked (``speaker_key``) is resolved whatever the text calls them; their
    name words are left empty when the text is only "she" or "a source".
    """
    name = _speaker_name(appearance.speaker or "")
    if appearance.speaker_key is not None:
        return appearance.speaker_key, name
    if appearance.resolved and name:
        return None, name
    return None


def _speaker_name(speaker: str) -> tuple[str, ...]:
    words = quote_words(speaker)
    while words and words[0] in _DETERMINERS:
        words = words[1:]
    if not words or (len(words) == 1 and words[0] in _PRONOUNS) or words[0] in _INDEFINITE:
        return ()
    return words


def _same_speaker(
    first: tuple[Hashable | None, tuple[str, ...]], second: tuple[Hashable | None, tuple[str, ...]]
) -> bool:
    (first_key, first_name), (second_key, second_name) = first, second
    if first_key is not None and second_key is not None:
        return first_key == second_key
    short, long = sorted((first_name, second_name), key=len)
    if not short:
        return True  # a linked person whose name we were not given: nothing to compare
    # "Kowalski" is "Anna Kowalski", and "Anna Kowalski" is "coach Anna Kowalski".
    return long[len(long) - len(short) :] == short
