"""Reads that span several models: what the sources say, counted by origin.

The rules live in ``stories.text.independence``; this module only turns rows
into the plain facts those rules take — each passage with its origin, its
chain of relays and, when its article is a confirmed derivative, the original
reporting it counts with — in a fixed number of queries.
"""

import functools

from django.db.models import CharField, IntegerField, Prefetch, Q, Value
from django.db.models.functions import Coalesce

from .models import (
    Article,
    Derivation,
    DerivationStatus,
    Evidence,
    EvidenceRelay,
    MatchStatus,
    Origin,
    OriginKind,
    OriginMatch,
    Outlet,
    Person,
)
from .text import independence, quotecompare, quotes


def relays_in_order():
    """A passage's chain of relays, nearest the origin first, in one query."""
    relays = EvidenceRelay.objects.select_related("origin").order_by("position", "pk")
    return Prefetch("relays", queryset=relays)


def evidence_with_chains():
    """Evidence with everything a reader page prints about it and its chain."""
    return (
        Evidence.objects.with_version_numbers()
        .select_related("article__outlet", "origin")
        .prefetch_related(relays_in_order())
    )


def _by_kind_pk(row):
    return row[0], row[4]


def _source_article(pk, headline, outlet_id, outlet_name):
    """The source of a confirmed derivation, as much of it as its label needs."""
    article = Article(pk=pk, headline=headline)
    if outlet_id is not None:
        article.outlet = Outlet(pk=outlet_id, name=outlet_name)
    return article


def source_of(origin):
    return independence.Source(origin.pk, origin.kind, origin.label)


class Ledger:
    """The editors' decisions the counts follow: origins judged the same (or
    possibly the same), and articles confirmed as derived from another.

    Built once per page (two queries) and shared by every claim on it.
    """

    def __init__(self):
        links, self.derived_from = [], {}
        for kind, first, second, status, *source in sorted(self.decisions(), key=_by_kind_pk):
            if kind == "match":
                strength = (
                    independence.POSSIBLY if status == MatchStatus.POSSIBLY else independence.SAME
                )
                links.append(independence.Link(first, second, strength))
            else:  # "derived" copies "source": the first confirmation of a derived article counts
                self.derived_from.setdefault(first, _source_article(second, *source[1:]))
        self.identities = independence.Identities(links)
        self._reporting = {}
        sources = list(self.derived_from.values())
        if sources:
            where = Q(article__in=sources) | Q(
                outlet__in=[a.outlet_id for a in sources if a.outlet_id]
            )
            for origin in Origin.objects.filter(where, kind=OriginKind.REPORTING).order_by("pk"):
                if origin.article_id:
                    self._reporting.setdefault(("article", origin.article_id), origin)
                if origin.outlet_id:
                    self._reporting.setdefault(("outlet", origin.outlet_id), origin)

    @staticmethod
    def decisions():
        """Both kinds of decision in one query (every reader page builds a ledger):
        ``(kind, first, second, status, pk, headline, outlet id, outlet name)`` rows,
        "match" for origins decided the same or possibly the same (the last three
        empty), "derived" for confirmed derivations (derived, source, and what the
        source's label needs)."""
        text, number = CharField(), IntegerField()
        matches = OriginMatch.objects.filter(
            status__in=[MatchStatus.SAME, MatchStatus.POSSIBLY]
        ).values_list(
            Value("match", text),
            "first",
            "second",
            "status",
            "pk",
            Value("", text),
            Value(None, number),
            Value("", text),
        )
        derivations = Derivation.objects.filter(status=DerivationStatus.CONFIRMED).values_list(
            Value("derived", text),
            "derived",
            "source",
            "status",
            "pk",
            "source__headline",
            "source__outlet",
            Coalesce("source__outlet__name", Value("", text)),
        )
        return matches.order_by().union(derivations.order_by(), all=True)

    @property
    def derived_from_ids(self):
        """{derived article pk: source article pk} for the confirmed derivations."""
        return {derived: source.pk for derived, source in self.derived_from.items()}

    def original_reporting(self, article):
        """The reporting a derived article's own reporting counts with, or None."""
        source = self.derived_from.get(article.pk)
        seen = set()
        while source is not None and source.pk not in seen:  # a chain A <- B <- C folds to A
            seen.add(source.pk)
            deeper = self.derived_from.get(source.pk)
            if deeper is None:
                break
            source = deeper
        if source is None:
            return None
        origin = self._reporting.get(("article", source.pk)) or self._reporting.get(
            ("outlet", source.outlet_id)
        )
        if origin is not None:
            return source_of(origin)
        return independence.Source(
            ("reporting", source.pk), OriginKind.REPORTING, f"{source.label}’s own reporting"
        )

    def passage(self, evidence):
        """The plain fact ``independence`` weighs for one evidence row."""
        article = evidence.article
        origin = evidence.origin
        own = (
            source_of(origin)
            if origin is not None
            else independence.Source(
                ("reporting", article.pk), OriginKind.REPORTING, f"{article.label}’s own reporting"
            )
        )
        counts_with = None
        if own.kind == OriginKind.REPORTING:
            counts_with = self.original_reporting(article)
        return independence.Passage(
            key=evidence.pk,
            article=article.pk,
            article_label=article.label,
            stance=evidence.stance,
            quote=evidence.quote,
            origin=own,
            via=tuple(source_of(relay.origin) for relay in evidence.relays.all()),
            counts_with=counts_with,
        )

    def weigh(self, claim, rivals=None):
        """Weigh ``claim`` from its prefetched evidence; ``rivals`` are the
        contradicting claims that may be shown (prefetched likewise)."""
        rivals = list(claim.contradicts.all()) if rivals is None else list(rivals)
        return independence.weigh(
            [self.passage(evidence) for evidence in claim.evidence.all()],
            self.identities,
            rivals=[[self.passage(e) for e in rival.evidence.all()] for rival in rivals],
            rival_names=[rival.text for rival in rivals],
        )


def people_by_name():
    """Every name and alias on file, casefolded, to the person it names."""
    names = {}
    for person in Person.objects.order_by("pk"):
        for name in person.names():
            names.setdefault(name.casefold(), person)
    return names


@functools.lru_cache(maxsize=1024)
def quotes_in(body):
    """``quotes.find_quotes(body)``, remembered per body in this process.

    The quote rules are pure (a body in, its quotations out), and the desk's
    "Who said it?" and the story page compare the same few hundred bodies on
    every view: 200 neighbours of an article took most of a second of its reading
    view. A changed article has another body, so nothing stale is ever returned.
    """
    return tuple(quotes.find_quotes(body))


@functools.lru_cache(maxsize=64)
def quotes_with_speakers(body, known):
    """``quotes.find_quotes(body, known=known)``, remembered per body and people on file.

    The reading view's quote list reads the article's people with every person on file
    (a speaker named as on file is keyed to them): about a tenth of a second for a long
    article, on every open. ``known`` (a tuple of ``KnownPerson``) is part of the key, so
    a person added, renamed or given an alias gives another key and nothing stale is
    returned; a changed article has another body.
    """
    return tuple(quotes.find_quotes(body, known=known))


def quote_appearances(articles, names=None):
    """The quoted speech of ``articles`` with each article's speaker, as the
    quote suggestions find it: a name is resolved (and keyed to the person on
    file it names); "she", "the source" or no speaker at all never are."""
    names = people_by_name() if names is None else names
    found = []
    for article in articles:
        for quote in quotes_in(article.body):
            named = quote.speaker_kind == quotes.SpeakerKind.NAME
            person = names.get(quote.speaker.casefold()) if named else None
            found.append(
                quotecompare.QuoteAppearance(
                    article=article.pk,
                    start=quote.start,
                    end=quote.end,
                    text=article.body[quote.start : quote.end],
                    speaker=quote.speaker or None,
                    speaker_key=person.pk if person else None,
                    resolved=named,
                )
            )
    return found


# How many articles the desk compares one article's quotations with: those that
# share a person, a topic or a claim with it, the most recent first.
QUOTE_NEIGHBOURS = 200


def quote_neighbours(article):
    """The article and the articles on the same subject, for comparing quotations."""
    # The articles citing its claims by a subquery: joining every passage of every
    # claim the article bears on, then DISTINCT over the lot, took a second at
    # 100,000 passages (20 ms this way).
    claims = Evidence.objects.filter(article=article).values("claim")
    related = (
        Article.objects.filter(
            Q(people__in=article.people.all())
            | Q(topics__in=article.topics.all())
            | Q(pk__in=Evidence.objects.filter(claim__in=claims).values("article"))
        )
        .exclude(pk=article.pk)
        .distinct()
        .order_by("-imported_at", "-pk")[:QUOTE_NEIGHBOURS]
    )
    return [article, *related]


def quote_conflicts(articles, about=None, names=None):
    """Quotations found in two or more of ``articles`` whose speakers differ;
    only those that appear in ``about`` (an article's pk) when it is given."""
    groups = quotecompare.compare_quotes(quote_appearances(articles, names))
    conflicts = [group for group in groups if group.conflict]
    if about is not None:
        conflicts = [g for g in conflicts if any(a.article == about for a in g.appearances)]
    return conflicts
