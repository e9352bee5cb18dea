"""Origins that are probably one and the same, for an editor to confirm.

A claim looks better supported the more independent origins it has, so counting the same origin
twice misleads: the anonymous "source close to the situation" in one article may well be ET's
"sources close to the situation" in another, and two articles relaying ET rest on one report.
Only an editor can tell, so this module proposes and never decides: each proposal names the two
origins and says in words why they look alike, and nothing is merged until someone confirms.

What is proposed, strongest first:

* ``same``: two people the desk has linked to the same person.
* ``likely``: two origins from the same outlet -- relayed reports, its posts or videos, and its
  own reporting. An outlet can report a story twice, hence only likely.
* ``possible``: two anonymous sources described alike once number ("source"/"sources"),
  articles and other small words are ignored: "a person familiar with the matter" and "people
  familiar with the matter". The description has to carry the likeness; "a source close to the
  mayor" and "sources close to the situation" are different people, and two bare "a source"
  say nothing at all.

Origins of different kinds are never proposed (a named person is not an anonymous source, a
document is not a post), except that one outlet's reporting, relayed reports and posts are all
that outlet. Documents are never proposed: their labels ("a statement", "the report") say too
little to tell one from another.

Bounded by the input: origins are bucketed by person, by outlet and by identical description,
and descriptions are only compared when they share one of their rarest words (prefix filtering
for set similarity), never every pair; only when many descriptions are each alike is the answer
itself long. A bucket is proposed as a chain from its first member, which an editor's
confirmations join just as well as every pair would. Pure: plain dataclasses in and out, no
Django, no database.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from .independence import ANONYMOUS, DOCUMENT, OUTLET, PERSON, POST, REPORTING

__all__ = [
    "KINDS",
    "LIKELIHOODS",
    "SIMILARITY_THRESHOLD",
    "OriginText",
    "SameOriginProposal",
    "description_words",
    "propose_same_origins",
]

# The origin kinds are the reconciliation's (and the Origin model's).
KINDS = (REPORTING, PERSON, ANONYMOUS, POST, DOCUMENT, OUTLET)
SAME, LIKELY, POSSIBLE = "same", "likely", "possible"
LIKELIHOODS = (SAME, LIKELY, POSSIBLE)
# Share of description words (Jaccard) two anonymous sources need. A word changed in a short
# description changes its subject ("close to the mayor" / "close to the situation", 0.5; "close
# to team 1" / "close to team 2", 0.6); a word added only qualifies it ("a senior White House
# official" / "a White House official", 0.75).
SIMILARITY_THRESHOLD = 0.7

_FROM_AN_OUTLET = (REPORTING, OUTLET, POST)


@dataclass(frozen=True)
class OriginText:
    """An origin as the desk knows it; keys are the caller's ids, opaque (and hashable) here."""

    key: Hashable
    kind: str
    label: str
    person_key: Hashable | None = None
    outlet_key: Hashable | None = None


@dataclass(frozen=True)
class SameOriginProposal:
    """``a`` and ``b`` (origin keys, ``a`` first in the input) may be one origin, and why."""

    a: Hashable
    b: Hashable
    reason: str
    score: float
    likelihood: str


def propose_same_origins(origins: Iterable[OriginText]) -> list[SameOriginProposal]:
    """Pairs of origins that look like one, strongest first (then in input order).

    Raises ValueError naming the origin when a kind is unknown or a key is given twice.
    """
    origins = list(origins)
    _check(origins)
    position = {origin.key: index for index, origin in enumerate(origins)}
    proposals: list[SameOriginProposal] = []

    # A chain's first member comes first in the input, so the pairs are already in order.
    people = [o for o in origins if o.kind == PERSON and o.person_key is not None]
    for a, b in _chains(people, key=lambda o: o.person_key):
        reason = f"both are linked to the same person, {a.label}"
        proposals.append(SameOriginProposal(a.key, b.key, reason, 1.0, SAME))

    outlets = [o for o in origins if o.kind in _FROM_AN_OUTLET and o.outlet_key is not None]
    for a, b in _chains(outlets, key=lambda o: o.outlet_key):
        proposals.append(SameOriginProposal(a.key, b.key, _outlet_reason(a, b), 0.9, LIKELY))

    for a, b, score in _alike_descriptions([o for o in origins if o.kind == ANONYMOUS]):
        if position[a.key] > position[b.key]:
            a, b = b, a
        reason = _description_reason(a, b)
        proposals.append(SameOriginProposal(a.key, b.key, reason, round(score, 2), POSSIBLE))

    return sorted(proposals, key=lambda p: (*_rank(p), position[p.a], position[p.b]))


def _check(origins: list[OriginText]) -> None:
    seen: set[Hashable] = set()
    for origin in origins:
        if origin.kind not in KINDS:
            expected = ", ".join(KINDS)
            raise ValueError(
                f"origin {origin.key!r} has kind {origin.kind!r}; expected one of {expected}"
            )
        if origin.key in seen:
            raise ValueError(f"origin {origin.key!r} is given twice")
        seen.add(origin.key)


def _rank(proposal: SameOriginProposal) -> tuple[int, float]:
    return LIKELIHOODS.index(proposal.likelihood), -proposal.score


def _chains(origins: list[OriginText], key) -> Iterable[tuple[OriginText, OriginText]]:
    """(first, other) for every other origin sharing the first one's key."""
    first_with: dict[Hashable, OriginText] = {}
    for origin in origins:
        first = first_with.setdefault(key(origin), origin)
        if first is not origin:
            yield first, origin


def _outlet_reason(a: OriginText, b: OriginText) -> str:
    kinds = {a.kind, b.kind}
    relayed = next((o for o in (a, b) if o.kind == OUTLET), None)
    if kinds == {OUTLET}:
        return f"both relay {a.label}"
    if relayed is not None and POST in kinds:
        post = b if relayed is a else a
        return f"both come from {relayed.label}: a relayed report and its post ‘{post.label}’"
    if relayed is not None:
        own = b if relayed is a else a
        return f"one relays {relayed.label}, the other is that outlet's own reporting ‘{own.label}’"
    if kinds == {POST}:
        return f"both are posts by the same outlet: ‘{a.label}’ and ‘{b.label}’"
    if kinds == {REPORTING}:
        return f"both are the same outlet's own reporting: ‘{a.label}’ and ‘{b.label}’"
    return f"both come from the same outlet: ‘{a.label}’ and ‘{b.label}’"


# --------------------------------------------------------------------------------------------
# Descriptions of anonymous sources

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words that say nothing of who the source is: articles, determiners and numbers (how many
# sources there were is not who they are), prepositions, and "anonymous" itself.
_STOPWORDS = _word_set(
    """
    a an the one two three four five six seven eight nine ten another other some several many
    multiple various both each any anonymous unnamed and or of to with for on in at by about from
    into within who whom that which this these those his her their its our said says told
    according also is are was were
    """
)
# The nouns anonymous sources are called by. Sharing one of these is not a likeness: the
# description around it has to match too.
_HEADS = _word_set(
    """
    source person official insider aide friend member staffer executive employee spokesperson
    representative observer diplomat associate confidant relative
    """
)
_IRREGULAR_PLURALS = {"people": "person", "men": "man", "women": "woman", "children": "child"}


def _singular(word: str) -> str:
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _word(word: str) -> str:
    word = word.casefold().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word  # "the mayor's office": the mayor


def description_words(label: str) -> frozenset[str]:
    """The words two descriptions are compared by: singular, without small words."""
    words = map(_word, _WORD.findall(label))
    return frozenset(_singular(word) for word in words if word not in _STOPWORDS)


def _alike_descriptions(
    origins: list[OriginText],
) -> Iterable[tuple[OriginText, OriginText, float]]:
    """Pairs of anonymous origins whose description words overlap enough, with their Jaccard."""
    classes: dict[frozenset[str], list[OriginText]] = {}
    for origin in origins:
        words = description_words(origin.label)
        if words - _HEADS:  # nothing but "a source" describes nobody
            classes.setdefault(words, []).append(origin)

    # Identical descriptions are alike without comparing: a chain from the first.
    for members in classes.values():
        for other in members[1:]:
            yield members[0], other, 1.0

    # Different descriptions meet only through their rarest words (prefix filtering, as in
    # Bayardo et al.'s All-Pairs): in an order common to all sets, rarest word first, two sets
    # with a Jaccard of at least t share a word among the first |r| - ceil(t|r|) + 1 of the
    # larger one and the first |s| - ceil(2t/(1+t)|s|) + 1 of the smaller one. Sets are taken
    # smallest first, so only the short prefixes need indexing and common words such as
    # "source" or "close" rarely get there.
    frequency = Counter(word for words in classes for word in words)
    indexed: dict[str, list[frozenset[str]]] = {}
    threshold = SIMILARITY_THRESHOLD
    for words in sorted(classes, key=len):
        ordered = sorted(words, key=lambda word: (frequency[word], word))
        probe = _prefix(ordered, threshold)
        candidates = dict.fromkeys(other for word in probe for other in indexed.get(word, []))
        for other in candidates:
            shared = words & other
            score = len(shared) / len(words | other)
            if score >= threshold and shared - _HEADS:
                yield classes[other][0], classes[words][0], score
        for word in _prefix(ordered, 2 * threshold / (1 + threshold)):
            indexed.setdefault(word, []).append(words)


def _prefix(ordered: list[str], share: float) -> list[str]:
    """The first |s| - ceil(share * |s|) + 1 words (the ceiling without float overshoot)."""
    return ordered[: len(ordered) - math.ceil(share * len(ordered) - 1e-9) + 1]


def _description_reason(a: OriginText, b: OriginText) -> str:
    head_a, rest_a = _head_and_rest(a.label)
    head_b, rest_b = _head_and_rest(b.label)
    if head_a and head_a == head_b and description_words(rest_a) == description_words(rest_b):
        return f"both describe an anonymous {head_a} as ‘{rest_a}’"
    return f"both describe an anonymous source in similar words: ‘{a.label}’ and ‘{b.label}’"


def _head_and_rest(label: str) -> tuple[str, str]:
    """("senior official", "close to the talks") for "two senior officials close to the talks";
    ("", label) when no noun for a source is found."""
    matches = list(_WORD.finditer(label))
    words = [_word(match.group()) for match in matches]
    for index, word in enumerate(words):
        if _singular(word) in _HEADS:
            first = index
            while first > 0 and words[first - 1] not in _STOPWORDS:
                first -= 1
            describing = [match.group() for match in matches[first:index]]
            head = " ".join([*describing, _singular(word)])
            rest = " ".join(label[matches[index].end() :].split())
            return head, rest
    return "", label
