"""Counting independent origins: how many separate accounts stand behind a claim.

Articles are not evidence of independence. Two rewrites of one Instagram post
are one account told twice, and five passages of one article quoting one
anonymous source are one source, not five supporters. So every passage is
traced to its **origin** (where the article says it first comes from: its
own reporting, a named person, an anonymous source, a post, a document,
another outlet) through any **intermediaries** (the post or outlet that
relayed it), and origins are grouped by what the editors decided:

* ``same`` — the editor confirmed two origins are one (counted once);
* ``possibly`` — the editor judged them possibly the same: counted once too,
  because independence that is only possible cannot corroborate, and the
  words say "possibly the same";
* a confirmed derivation — the derived article's own reporting counts with
  the original's (``Passage.counts_with``), not as a new account.

A proposal nobody confirmed never groups anything: the desk suggests, the
editor decides. Everything here is plain data in and out, so the rule a reader
relies on is one tested function, not template logic.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

SUPPORTS, DISPUTES, MENTIONS = "supports", "disputes", "mentions"

# Origin kinds, as stored on the Origin model.
REPORTING, PERSON, ANONYMOUS, POST, DOCUMENT, OUTLET = (
    "reporting",
    "person",
    "anonymous",
    "post",
    "document",
    "outlet",
)

KIND_LABELS = {
    REPORTING: "own reporting",
    PERSON: "named person",
    ANONYMOUS: "anonymous source",
    POST: "post or video",
    DOCUMENT: "document",
    OUTLET: "another outlet",
}

# Claim statuses, as stored and published (reconciliation.json, the API).
CORROBORATED, DISPUTED, SINGLE_ORIGIN, UNSUPPORTED = (
    "corroborated",
    "disputed",
    "single_origin",
    "unsupported",
)
STATUS_LABELS = {
    CORROBORATED: "Corroborated",
    DISPUTED: "Disputed",
    SINGLE_ORIGIN: "Single origin",
    UNSUPPORTED: "Unsupported",
}
STATUS_MEANINGS = {
    CORROBORATED: "two or more independent origins support it and none disputes it",
    DISPUTED: "it is supported, and disputed directly or by a contradicting claim with support",
    SINGLE_ORIGIN: "everything that supports it comes from one origin",
    UNSUPPORTED: "no source supports it (mentions do not count)",
}

SAME, POSSIBLY, DERIVED = "same", "possibly", "derived"  # why origins count as one


@dataclass(frozen=True)
class Source:
    """An origin or an intermediary, as a reader should read it."""

    key: Hashable
    kind: str
    label: str

    @property
    def anonymous(self) -> bool:
        return self.kind == ANONYMOUS


@dataclass(frozen=True)
class Passage:
    """One evidence passage: which article, which stance, traced to which origin.

    ``via`` lists the intermediaries from the origin outwards: for "sources
    close to the situation, quoted in ET's Instagram post, as reported by
    ‘A Viral Moment’" the origin is the anonymous sources and ``via`` is
    (ET's Instagram post,).
    """

    key: Hashable
    article: Hashable
    article_label: str
    stance: str
    origin: Source
    via: tuple[Source, ...] = ()
    quote: str = ""
    # The origin this passage counts with instead of its own: the original
    # article's reporting, when its article is a confirmed derivative.
    counts_with: Source | None = None

    @property
    def counted(self) -> Source:
        return self.counts_with or self.origin

    @property
    def second_hand(self) -> bool:
        return bool(self.via) or self.origin.kind == OUTLET

    def chain_words(self) -> str:
        """The chain in words, origin first, ending with the article."""
        return chain_words(self.origin, self.via, self.article_label)


def chain_words(origin: Source, via: Sequence[Source], article_label: str) -> str:
    tail = chain_tail(origin, via, article_label)
    return f"{origin.label}, {tail}" if tail else origin.label


def chain_tail(origin: Source, via: Sequence[Source], article_label: str) -> str:
    """The chain after its origin: "quoted in ET's Instagram post, as reported by X"."""
    if origin.kind == REPORTING and not via:
        return ""
    return ", ".join([*relay_words(link.label for link in via), f"as reported by {article_label}"])


def relay_words(labels: Iterable[str]) -> list[str]:
    """["quoted in ET's Instagram post", "relayed by Billboard"], nearest the origin first."""
    return [
        f"{'quoted in' if position == 0 else 'relayed by'} {label}"
        for position, label in enumerate(labels)
    ]


@dataclass(frozen=True)
class Link:
    """An editor's decision that two origins are one account (``why``: same or
    possibly)."""

    a: Hashable
    b: Hashable
    why: str = SAME


class Identities:
    """Which origins count as one: a union-find over the editors' decisions."""

    def __init__(self, links: Iterable[Link] = ()):
        self._parent: dict = {}
        self._whys: dict = {}
        for link in links:
            self._union(link.a, link.b, link.why)

    def _find(self, key):
        parent = self._parent.setdefault(key, key)
        if parent == key:
            return key
        root = self._find(parent)
        self._parent[key] = root
        return root

    def _union(self, a, b, why):
        root_a, root_b = self._find(a), self._find(b)
        whys = self._whys.pop(root_a, set()) | self._whys.pop(root_b, set()) | {why}
        if root_a != root_b:
            # A deterministic root, whatever order the decisions came in.
            root_a, root_b = sorted((root_a, root_b), key=repr)
            self._parent[root_b] = root_a
        self._whys[root_a] = whys

    def root(self, key):
        return self._find(key)

    def reasons(self, key) -> set[str]:
        return set(self._whys.get(self._find(key), ()))


@dataclass
class IndependentOrigin:
    """One account, however many articles, passages and relays carry it."""

    root: Hashable
    origins: list[Source] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    reasons: set[str] = field(default_factory=set)

    @property
    def label(self) -> str:
        return self.origins[0].label

    @property
    def kind(self) -> str:
        return self.origins[0].kind

    @property
    def anonymous(self) -> bool:
        return all(origin.anonymous for origin in self.origins)

    @property
    def second_hand(self) -> bool:
        return all(passage.second_hand for passage in self.passages)

    @property
    def articles(self) -> list:
        return list(dict.fromkeys(passage.article for passage in self.passages))

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def chains(self) -> list[str]:
        """Each distinct chain once, in order of first appearance."""
        return [words for words, _ in self.chain_groups()]

    def chain_groups(self) -> list[tuple[str, list[Passage]]]:
        """Each distinct chain once with the passages that travel it, so a
        reader sees "quoted in ET's Instagram post, as reported by X" once, not
        per passage. A chain from the origin the group is named after is given
        from after its origin; one from an origin grouped with it, in full."""
        groups: dict[str, list[Passage]] = {}
        for passage in self.passages:
            if passage.counted == self.origins[0] and passage.counts_with is None:
                words = chain_tail(passage.origin, passage.via, passage.article_label)
            else:
                words = passage.chain_words()
            groups.setdefault(words, []).append(passage)
        return list(groups.items())

    def words(self) -> str:
        """The origin as the reason sentences name it."""
        others = [origin.label for origin in self.origins[1:]]
        if not others:
            if DERIVED in self.reasons:
                return f"{self.label} (with the articles derived from it)"
            return self.label
        joined = join_words(others)
        if POSSIBLY in self.reasons:
            return f"{self.label} (possibly the same as {joined})"
        return f"{self.label} (the same as {joined})"


def group_origins(passages: Iterable[Passage], identities: Identities) -> list[IndependentOrigin]:
    """The passages' independent origins, in order of first appearance."""
    groups: dict = {}
    for passage in passages:
        origin = passage.counted
        root = identities.root(origin.key)
        group = groups.get(root)
        if group is None:
            group = groups[root] = IndependentOrigin(root, reasons=identities.reasons(root))
        if origin not in group.origins:
            group.origins.append(origin)
        if passage.counts_with is not None:
            group.reasons.add(DERIVED)
        group.passages.append(passage)
    return list(groups.values())


@dataclass
class Weighing:
    """What the sources say about one claim, counted by independent origin."""

    status: str
    supporting: list[IndependentOrigin]
    disputing: list[IndependentOrigin]
    mentioning: list[IndependentOrigin]
    rivals: list[Weighing]
    reason: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def only_anonymous(self) -> bool:
        return bool(self.supporting) and all(origin.anonymous for origin in self.supporting)

    @property
    def supporting_articles(self) -> list:
        return _articles(self.supporting)

    @property
    def disputing_articles(self) -> list:
        return _articles(self.disputing)

    @property
    def mentioning_articles(self) -> list:
        return _articles(self.mentioning)

    @property
    def supported_rivals(self) -> list[Weighing]:
        return [rival for rival in self.rivals if rival.supporting]

    def summary(self) -> str:
        """The reason by the numbers alone, for a box that lists the origins below it."""
        parts = []
        if self.supporting:
            parts.append(f"supported by {_counted(self.supporting)}")
        else:
            parts.append("supported by no source")
        if self.disputing:
            parts.append(f"disputed by {_counted(self.disputing)}")
        for rival in self.supported_rivals:
            parts.append(f"contradicted by a claim supported by {_counted(rival.supporting)}")
        text = "; ".join(parts)
        sentence = text[:1].upper() + text[1:] + "."
        if self.only_anonymous:
            sentence += " Its support rests only on anonymous sources."
        return sentence


def weigh(
    passages: Iterable[Passage],
    identities: Identities,
    rivals: Sequence[Iterable[Passage]] = (),
    rival_names: Sequence[str] = (),
) -> Weighing:
    """Weigh one claim's passages; ``rivals`` are the passages of each claim
    that contradicts it (named by ``rival_names`` in the reason)."""
    passages = list(passages)
    supporting = group_origins((p for p in passages if p.stance == SUPPORTS), identities)
    disputing = group_origins((p for p in passages if p.stance == DISPUTES), identities)
    mentioning = group_origins(
        (p for p in passages if p.stance not in (SUPPORTS, DISPUTES)), identities
    )
    weighed_rivals = [weigh(rival, identities) for rival in rivals]
    contested = bool(disputing) or any(rival.supporting for rival in weighed_rivals)
    if supporting and contested:
        status = DISPUTED
    elif len(supporting) >= 2:
        status = CORROBORATED
    elif supporting:
        status = SINGLE_ORIGIN
    else:
        status = UNSUPPORTED
    weighing = Weighing(status, supporting, disputing, mentioning, weighed_rivals, reason="")
    names = list(rival_names) + [""] * (len(weighed_rivals) - len(rival_names))
    weighing.reason = _reason(weighing, names)
    return weighing


def tally(origins: Sequence[IndependentOrigin]) -> str:
    """ "2 articles, 1 independent origin" — the figure a skimming reader takes away."""
    articles = len(_articles(origins))
    count = len(origins)
    independent = "independent origin" if articles > 1 or count > 1 else "origin"
    return f"{plural(articles, 'article')}, {count} {independent}{'' if count == 1 else 's'}"


def _reason(weighing: Weighing, rival_names: Sequence[str]) -> str:
    supporting, disputing = weighing.supporting, weighing.disputing
    sentences = []
    if weighing.status == CORROBORATED:
        sentences.append(
            f"{tally(supporting)}: {join_words(o.words() for o in supporting)}; "
            "no source disputes it."
        )
    elif weighing.status == SINGLE_ORIGIN:
        origin = supporting[0]
        articles = len(origin.articles)
        rest = "both rest on" if articles == 2 else "all rest on" if articles > 2 else "from"
        sentences.append(f"{tally(supporting)}: {rest} {origin.words()}.")
    elif weighing.status == DISPUTED:
        sentence = f"Supported by {_resting(supporting)}"
        if disputing:
            sentence += f"; disputed by {_resting(disputing)}"
        sentences.append(sentence + ".")
    else:
        if disputing:
            sentences.append(f"No source supports it; disputed by {_resting(disputing)}.")
        elif weighing.mentioning:
            sentences.append(
                f"No source supports it; {plural(len(weighing.mentioning_articles), 'article')} "
                "only mention it."
            )
        else:
            sentences.append("No source supports it.")
    for rival, name in zip(weighing.rivals, rival_names, strict=False):
        if rival.supporting:
            what = f"the claim “{name}”" if name else "a contradicting claim"
            sentences.append(f"Contradicted by {what}, supported by {_resting(rival.supporting)}.")
    if weighing.only_anonymous:
        sentences.append("Its support rests only on anonymous sources.")
    return " ".join(sentences)


def _counted(origins: Sequence[IndependentOrigin]) -> str:
    articles = plural(len(_articles(origins)), "article")
    return f"{articles} resting on {plural(len(origins), 'origin')}"


def _resting(origins: Sequence[IndependentOrigin]) -> str:
    return f"{_counted(origins)} ({join_words(o.words() for o in origins)})"


def _articles(origins: Iterable[IndependentOrigin]) -> list:
    return list(dict.fromkeys(article for origin in origins for article in origin.articles))


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def join_words(items: Iterable[str]) -> str:
    items = list(items)
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
