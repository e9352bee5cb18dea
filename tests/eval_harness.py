"""How well the desk's people and quote suggestions do on the labelled evaluation set.

Issue #10 asks for assists an editor can trust, measured on a labelled set kept with the tests:
news articles on invented events of several kinds (``tests/data/eval/``, described in its
README) plus the three seeds, and ``labels.json`` saying, for each article, who it names
(canonical name, the forms that refer to them), what only looks like a name, and who says
every quotation. This module loads that set, runs the current rules on it as the desk would,
and scores them. It is not a test module (pytest collects ``test_*.py`` only):
``tests/test_eval_set.py`` keeps the set consistent, an accuracy test holds the rules to the
issue's thresholds through :func:`evaluate`, and ``python tests/eval_harness.py`` prints the
figures (``--details`` lists every error).

Scoring, and why:

* **People.** An article's proposals are what ``stories.services.suggestions.suggest_people``
  would store: people on file found by name, then new names. A proposal is correct only if
  its name *equals* a labelled canonical name: "Councillor Aoife Ní Bhriain", "Okonkwo’s" or
  "Hiroshi Tanaka" points at the right person, but accepting it would file her under the wrong
  name. Precision is correct / proposed, recall is labelled people proposed / labelled people,
  and every wrong proposal gets a reason (a title or possessive kept, part of a name, a
  labelled place or organisation, or unlabelled).
* **Mentions.** Every occurrence of a labelled name form ("Brennan" as well as "Zoë Brennan")
  should be among the mentions of that person's proposal, since those become the links on the
  source page. This is where the second pass matters: with the people of earlier articles on
  file, a later "Brennan" must still be found.
* **Quotes.** A labelled quotation is matched to the found quote that overlaps it most. It is
  *right* when the speaker given names the labelled person (the canonical name, or one of the
  name forms the article uses for them only), or equals the labelled description ("a source
  close to the mayor", compared ignoring case); when the label has no speaker, giving none is
  right. It is *missing* when no speaker is given, and *wrong* when one is given that is not
  the label: a pronoun ("she"), an unlinked role ("the mayor"), a title kept ("Sir Anthony"), a
  description cut short ("an official"), someone else, or any speaker where the label has
  none. *Exact* counts the right ones given as the canonical name itself. A labelled quotation
  the rules do not find at all is *undetected*; a found quote matching no labelled one is
  *extra* (a title or a scare quote taken for speech).

Two passes: a fresh desk with nobody on file, and the same articles in label order where, before
each, the desk knows everyone the earlier articles name, filed under the canonical name as an
editor accepting them would (no aliases).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = Path(__file__).resolve().parent / "data" / "eval"
LABELS = EVAL_DIR / "labels.json"

KINDS = ("politics", "courts", "sport", "business", "culture", "seed")
PRONOUNS = frozenset({"he", "she", "they", "we", "i", "it", "him", "her", "them"})


# --------------------------------------------------------------------------------------------
# The rules under evaluation


@dataclass(frozen=True)
class Rules:
    """The suggestion functions the desk calls, as the harness needs them."""

    known_person: Callable  # KnownPerson(key, names)
    find_known_people: Callable  # (body, known people) -> [PersonMatch]
    propose_people: Callable  # (body, *, known_names) -> [NameCandidate]
    find_quotes: Callable  # (body) -> [QuoteCandidate]


def suggestion_rules() -> Rules:
    """The rules as they stand, imported in this one place.

    A quote's speaker, for scoring, is who the rules say says it (``said_by``: "Zoë Brennan"
    for "she said" when she is the one in view), not the words attributing it ("she"), which
    the rules keep beside it as ``speaker``.
    """
    from stories.text import names, quotes

    def find_quotes(body):
        return [
            FoundQuote(quote.start, quote.end, quote.text, quote.said_by)
            for quote in quotes.find_quotes(body)
        ]

    return Rules(
        known_person=names.KnownPerson,
        find_known_people=names.find_known_people,
        propose_people=names.propose_people,
        find_quotes=find_quotes,
    )


@dataclass(frozen=True)
class FoundQuote:
    """A quote as the harness scores it: where it is and who the rules say said it."""

    start: int
    end: int
    text: str
    speaker: str


# --------------------------------------------------------------------------------------------
# The labelled set


class LabelError(ValueError):
    """``labels.json`` or an article file it names is unusable; the message says where."""


@dataclass(frozen=True)
class Person:
    name: str  # canonical: as the article writes it in full, without titles or possessives
    forms: tuple[str, ...]  # name forms referring to this person only, in this article
    roles: tuple[str, ...] = ()  # "the mayor", where the article links the role to them
    description: str = ""
    family_name_first: bool = False


@dataclass(frozen=True)
class Quote:
    text: str  # exactly as between the quotation marks, occurring once in the body
    speaker: str | None  # a labelled person's canonical name, a description, or None
    features: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Article:
    path: str  # relative to the repository root
    kind: str
    body: str  # as the importer stores it: headline and byline removed
    byline: str  # as the importer reads it
    expected_byline: str
    people: tuple[Person, ...]
    not_people: tuple[str, ...]
    quotes: tuple[Quote, ...]
    not_quotes: tuple[str, ...]

    def person(self, name: str | None) -> Person | None:
        return next((person for person in self.people if person.name == name), None)

    def quote_span(self, quote: Quote) -> tuple[int, int]:
        start = self.body.find(quote.text)
        return start, start + len(quote.text)


def load_set(labels: Path = LABELS) -> list[Article]:
    """Every labelled article, in label order, each body read as the importer reads it."""
    from stories.text.importing import ArticleFileError, read_article

    try:
        data = json.loads(labels.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LabelError(f"{labels}: {exc}") from None
    entries = _field(data, "articles", list, str(labels))
    articles = []
    for index, entry in enumerate(entries):
        where = f"{labels}: articles[{index}]"
        path = _field(entry, "path", str, where)
        where = f"{where} ({path})"
        try:
            parsed = read_article(REPO_ROOT / path)
        except ArticleFileError as exc:
            raise LabelError(f"{where}: {exc}") from None
        articles.append(
            Article(
                path=path,
                kind=_field(entry, "kind", str, where),
                body=parsed.body,
                byline=parsed.byline,
                expected_byline=entry.get("byline", ""),
                people=tuple(
                    _person(item, f"{where}: people[{number}]")
                    for number, item in enumerate(_field(entry, "people", list, where))
                ),
                not_people=tuple(_strings(entry, "not_people", where)),
                quotes=tuple(
                    _quote(item, f"{where}: quotes[{number}]")
                    for number, item in enumerate(_field(entry, "quotes", list, where))
                ),
                not_quotes=tuple(_strings(entry, "not_quotes", where)),
            )
        )
    return articles


def _field(entry, key, kind, where, default=None):
    if not isinstance(entry, dict):
        raise LabelError(f"{where}: expected an object")
    value = entry.get(key, default)
    if not isinstance(value, kind):
        raise LabelError(f"{where}: '{key}' must be a {kind.__name__}, not {value!r}")
    return value


def _strings(entry, key, where) -> list[str]:
    values = _field(entry, key, list, where, default=[])
    if not all(isinstance(value, str) and value for value in values):
        raise LabelError(f"{where}: '{key}' must be a list of non-empty strings")
    return values


def _person(item, where) -> Person:
    return Person(
        name=_field(item, "name", str, where),
        forms=tuple(_strings(item, "forms", where)),
        roles=tuple(_strings(item, "roles", where)),
        description=_field(item, "description", str, where, default=""),
        family_name_first=_field(item, "family_name_first", bool, where, default=False),
    )


def _quote(item, where) -> Quote:
    if not isinstance(item, dict) or "speaker" not in item:
        raise LabelError(f"{where}: 'speaker' is required (null when the article gives none)")
    speaker = item["speaker"]
    if speaker is not None and not (isinstance(speaker, str) and speaker):
        raise LabelError(f"{where}: 'speaker' must be a non-empty string or null")
    return Quote(
        text=_field(item, "text", str, where),
        speaker=speaker,
        features=tuple(_strings(item, "features", where)),
        note=_field(item, "note", str, where, default=""),
    )


# --------------------------------------------------------------------------------------------
# Text helpers shared with tests/test_eval_set.py


def words(text: str) -> tuple[str, ...]:
    """How names are compared: casefolded words, less initials' dots and possessive endings."""
    bare = (re.sub(r"['’]s?$", "", word.strip(".")).casefold() for word in text.split())
    return tuple(word for word in bare if word)


def occurrences(body: str, phrase: str) -> list[tuple[int, int]]:
    """Where ``phrase`` stands as whole words in ``body`` (any whitespace between words)."""
    pattern = r"\s+".join(re.escape(word) for word in phrase.split())
    return [match.span() for match in re.finditer(rf"(?<!\w){pattern}(?!\w)", body)]


def labelled_mentions(article: Article) -> dict[tuple[int, int], str]:
    """Each occurrence of a person's name form -> that person's canonical name.

    Leftmost-longest over every labelled name, people and not_people alike, so "Brennan"
    inside "Zoë Brennan" is not counted twice and "Jonas" in "Jonas Brothers Construction" is
    not Carl Jonas.
    """
    spans = [
        (span, person.name)
        for person in article.people
        for form in person.forms
        for span in occurrences(article.body, form)
    ]
    spans += [
        (span, None) for thing in article.not_people for span in occurrences(article.body, thing)
    ]
    mentions: dict[tuple[int, int], str] = {}
    reach = -1
    for (start, end), name in sorted(spans, key=lambda item: (item[0][0], -item[0][1])):
        if start >= reach:
            reach = end
            if name is not None:
                mentions[start, end] = name
    return mentions


# --------------------------------------------------------------------------------------------
# Running the rules as the desk does


def people_suggested(rules: Rules, body: str, on_file: Sequence[str]) -> dict[str, set]:
    """Proposed name -> mention spans, as ``suggest_people`` would store them for ``body``.

    ``on_file`` holds the canonical names of the people the desk already knows; nobody has
    been rejected for this article.
    """
    known = [rules.known_person(name, (name,)) for name in on_file]
    proposals: dict[str, set] = {}
    for match in rules.find_known_people(body, known):
        spans = {(mention.start, mention.end) for mention in match.mentions}
        if spans:
            proposals[match.key] = spans
    for candidate in rules.propose_people(body, known_names=list(on_file)):
        spans = {(mention.start, mention.end) for mention in candidate.mentions}
        if spans and candidate.name not in proposals:
            proposals[candidate.name] = spans
    return proposals


# --------------------------------------------------------------------------------------------
# Scores


@dataclass
class Tally:
    """Counts that add up across articles; the ratios are worked out from them."""

    articles: int = 0
    people: int = 0
    proposed: int = 0
    correct: int = 0
    titled: int = 0  # wrong proposals keeping a title or a possessive
    mentions: int = 0
    mentions_linked: int = 0
    quotes: int = 0
    right: int = 0
    exact: int = 0
    wrong: int = 0
    missing: int = 0
    undetected: int = 0
    with_speaker: int = 0
    extra_quotes: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def precision(self) -> float | None:
        return _ratio(self.correct, self.proposed)

    @property
    def recall(self) -> float | None:
        return _ratio(self.correct, self.people)

    @property
    def mention_recall(self) -> float | None:
        return _ratio(self.mentions_linked, self.mentions)

    @property
    def speaker_share(self) -> float | None:
        """Share of labelled quotations given a speaker, right or wrong."""
        return _ratio(self.with_speaker, self.quotes)

    @property
    def quote_accuracy(self) -> float | None:
        return _ratio(self.right, self.quotes)


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class QuoteResult:
    quote: Quote
    given: str | None  # None: the quote was not found at all
    outcome: str  # right, wrong, missing or undetected
    reason: str


@dataclass
class ArticleResult:
    article: Article
    tally: Tally
    proposals: dict[str, set]
    false_positives: list[tuple[str, str]] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)  # "Brennan at 1234"
    quotes: list[QuoteResult] = field(default_factory=list)
    extra_quotes: list[str] = field(default_factory=list)


@dataclass
class Report:
    title: str
    results: list[ArticleResult]

    def by_kind(self) -> dict[str, Tally]:
        kinds: dict[str, Tally] = {}
        for result in self.results:
            kinds[result.article.kind] = kinds.get(result.article.kind, Tally()) + result.tally
        return {kind: kinds[kind] for kind in sorted(kinds, key=_kind_order)}

    def total(self, *, seeds: bool = True) -> Tally:
        tallies = [r.tally for r in self.results if seeds or r.article.kind != "seed"]
        return sum(tallies, Tally())


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)


def evaluate(
    articles: Iterable[Article] | None = None,
    *,
    people_on_file: bool = False,
    rules: Rules | None = None,
) -> Report:
    """Score the rules on every article; ``people_on_file`` runs the second pass."""
    articles = load_set() if articles is None else list(articles)
    rules = suggestion_rules() if rules is None else rules
    on_file: dict[str, None] = {}
    results = []
    for article in articles:
        results.append(score_article(article, rules, list(on_file) if people_on_file else []))
        on_file.update(dict.fromkeys(person.name for person in article.people))
    title = "People of earlier articles on file" if people_on_file else "Fresh desk"
    return Report(title, results)


def score_article(article: Article, rules: Rules, on_file: Sequence[str]) -> ArticleResult:
    proposals = people_suggested(rules, article.body, on_file)
    return score_proposals(article, proposals, rules.find_quotes(article.body))


def score_proposals(article: Article, proposals: dict[str, set], found: list) -> ArticleResult:
    """Score proposals however they were made (the desk's service on a database, say).

    ``proposals`` maps each proposed name to its mention spans; ``found`` are the quotes, each
    with ``start``, ``end``, ``text`` and ``speaker``.
    """
    result = ArticleResult(article, Tally(articles=1), proposals)
    _score_people(result)
    _score_quotes(result, found)
    return result


def _score_people(result: ArticleResult) -> None:
    article, tally, proposals = result.article, result.tally, result.proposals
    names = {person.name for person in article.people}
    tally.people, tally.proposed = len(names), len(proposals)
    tally.correct = len(names & proposals.keys())
    result.missed = [person.name for person in article.people if person.name not in proposals]
    for name in proposals:
        if name not in names:
            reason = why_not_a_person(name, article)
            result.false_positives.append((name, reason))
            tally.titled += reason.startswith(("title", "possessive"))
    for (start, end), name in sorted(labelled_mentions(article).items()):
        tally.mentions += 1
        if (start, end) in proposals.get(name, ()):
            tally.mentions_linked += 1
        else:
            result.unlinked.append(f"{article.body[start:end]} at {start} ({name})")


def why_not_a_person(name: str, article: Article) -> str:
    """Why a proposal matches no labelled canonical name, for the report."""
    proposed = words(name)
    for thing in article.not_people:
        if _contains(words(thing), proposed):
            return f"not a person: {thing}"
    if re.search(r"['’]s$", name):
        return "possessive"
    for person in article.people:
        if set(proposed) <= set(words(person.name)):
            return f"part or reordering of: {person.name}"
        for form in map(words, person.forms):
            at = _find(proposed, form)
            if at > 0:  # words before the name: "Councillor", "Sir", "Chief Executive"
                return f"title: {person.name}"
            if at == 0 and len(proposed) > len(form):
                return f"overlong: {person.name}"
    for thing in article.not_people:
        if set(proposed) & set(words(thing)):
            return f"overlaps a non-person: {thing}"
    return "unlabelled"


_DETERMINERS = frozenset({"a", "an", "the", "one", "another", "some"})


def _cut_short(given: tuple[str, ...], expected: tuple[str, ...]) -> bool:
    """Whether ``given`` keeps the head of ``expected`` only ("the source" for "a source close
    to the mayor"), whatever determiner either starts with."""
    given, expected = (w[1:] if w[:1] and w[0] in _DETERMINERS else w for w in (given, expected))
    return 0 < len(given) < len(expected) and expected[: len(given)] == given


def _find(longer: tuple[str, ...], shorter: tuple[str, ...]) -> int:
    """Where the words ``shorter`` start inside ``longer``, or -1."""
    size = len(shorter)
    return next((i for i in range(len(longer) - size + 1) if longer[i : i + size] == shorter), -1)


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    return _find(longer, shorter) >= 0


def _score_quotes(result: ArticleResult, found: list) -> None:
    article, tally = result.article, result.tally
    used: set[int] = set()
    for quote in article.quotes:
        start, end = article.quote_span(quote)
        overlaps = [
            (min(end, item.end) - max(start, item.start), index)
            for index, item in enumerate(found)
            if index not in used and item.start < end and start < item.end
        ]
        tally.quotes += 1
        if not overlaps:
            result.quotes.append(QuoteResult(quote, None, "undetected", ""))
            tally.undetected += 1
            continue
        _, index = max(overlaps)
        used.add(index)
        given = " ".join(found[index].speaker.split())
        outcome, reason = judge_speaker(given, quote, article)
        result.quotes.append(QuoteResult(quote, given, outcome, reason))
        setattr(tally, outcome, getattr(tally, outcome) + 1)
        tally.exact += outcome == "right" and reason == "exact"
        tally.with_speaker += bool(given)
    result.extra_quotes = [item.text for index, item in enumerate(found) if index not in used]
    tally.extra_quotes = len(result.extra_quotes)


def judge_speaker(given: str, quote: Quote, article: Article) -> tuple[str, str]:
    """(outcome, reason) for the speaker the rules gave a labelled quotation."""
    expected = quote.speaker
    if not given:
        return ("right", "no speaker, as labelled") if expected is None else ("missing", "")
    folded = given.casefold()
    if expected is None:
        return "wrong", "pronoun" if folded in PRONOUNS else "the label has no speaker"
    person = article.person(expected)
    if person is None:  # a description: "a source close to the mayor", "Møller Berg"
        if folded == expected.casefold():
            return "right", "exact"
        if folded in expected.casefold() or _cut_short(words(given), words(expected)):
            return "wrong", "description cut short"
        return "wrong", "other"
    if given == person.name:
        return "right", "exact"
    if given in person.forms:
        return "right", "name form"
    if folded in PRONOUNS:
        return "wrong", "pronoun"
    if folded in {role.casefold() for role in person.roles}:
        return "wrong", "role not linked"
    given_words = words(given)
    if any(_find(given_words, form) > 0 for form in map(words, person.forms)):
        return "wrong", "title kept"
    for other in article.people:
        if given == other.name or given in other.forms:
            return "wrong", f"another person: {other.name}"
    return "wrong", "other"


# --------------------------------------------------------------------------------------------
# The table


COLUMNS = (
    ("kind", 10),
    ("art.", 4),
    ("people", 6),
    ("prop.", 5),
    ("prec.", 6),
    ("recall", 6),
    ("title/'s", 8),
    ("mentions", 8),
    ("quotes", 6),
    ("right", 5),
    ("exact", 5),
    ("wrong", 5),
    ("miss.", 5),
    ("undet.", 6),
    ("speaker", 7),
    ("extra", 5),
)


def format_report(report: Report) -> str:
    rows = [(kind, tally) for kind, tally in report.by_kind().items()]
    rows += [("invented", report.total(seeds=False)), ("all", report.total())]
    header = "  ".join(name.rjust(width) for name, width in COLUMNS)
    lines = [report.title, header, "-" * len(header)]
    for label, tally in rows:
        values = (
            label,
            tally.articles,
            tally.people,
            tally.proposed,
            _percent(tally.precision),
            _percent(tally.recall),
            tally.titled,
            _percent(tally.mention_recall),
            tally.quotes,
            tally.right,
            tally.exact,
            tally.wrong,
            tally.missing,
            tally.undetected,
            _percent(tally.speaker_share),
            tally.extra_quotes,
        )
        lines.append("  ".join(str(v).rjust(w) for v, (_, w) in zip(values, COLUMNS, strict=True)))
    return "\n".join(lines)


def format_details(report: Report) -> str:
    lines = [f"{report.title}: every error"]
    for result in report.results:
        lines.append(f"\n{result.article.path} ({result.article.kind})")
        lines += [
            f"  wrong proposal  {name!r}: {reason}" for name, reason in result.false_positives
        ]
        lines += [f"  missed person   {name!r}" for name in result.missed]
        lines += [f"  unlinked        {mention}" for mention in result.unlinked]
        for item in result.quotes:
            if item.outcome != "right":
                expected = item.quote.speaker
                lines.append(
                    f"  quote {item.outcome:<10} “{_short(item.quote.text)}” "
                    f"expected {expected!r}, given {item.given!r} {item.reason}".rstrip()
                )
        lines += [f"  extra quote     “{_short(text)}”" for text in result.extra_quotes]
    return "\n".join(lines)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def main(argv: Sequence[str] = ()) -> int:
    articles = load_set()
    reports = [evaluate(articles), evaluate(articles, people_on_file=True)]
    print("\n\n".join(format_report(report) for report in reports))
    if "--details" in argv:
        print("\n\n" + "\n\n".join(format_details(report) for report in reports))
    return 0


if __name__ == "__main__":
    # Run as a script from anywhere: the rules are imported from the repository root.
    sys.path.insert(0, str(REPO_ROOT))
    sys.exit(main(sys.argv[1:]))
