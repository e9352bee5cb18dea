"""Reads that span several models: what the sources say, counted by origin.

The rules live in ``stories.text.independence``; this module only turns rows
into the plain facts those rules take — each passage with its origin, its
chain of relays and, when its article is a confirmed derivative, the original
reporting it counts with — in a fixed number of queries.
"""

from django.db.models import Prefetch, Q

from .models import (
    Derivation,
    DerivationStatus,
    Evidence,
    EvidenceRelay,
    MatchStatus,
    Origin,
    OriginKind,
    OriginMatch,
)
from .text import independence


def relays_in_order():
    """A passage's chain of relays, nearest the origin first, in one query."""
    relays = EvidenceRelay.objects.select_related("origin").order_by("position", "pk")
    return Prefetch("relays", queryset=relays)


def evidence_with_chains():
    """Evidence with everything a reader page prints about it and its chain."""
    return Evidence.objects.select_related("article__outlet", "origin").prefetch_related(
        relays_in_order()
    )


def source_of(origin):
    return independence.Source(origin.pk, origin.kind, origin.label)


class Ledger:
    """The editors' decisions the counts follow: origins judged the same (or
    possibly the same), and articles confirmed as derived from another.

    Built once per page (two queries) and shared by every claim on it.
    """

    def __init__(self):
        decided = OriginMatch.objects.filter(status__in=[MatchStatus.SAME, MatchStatus.POSSIBLY])
        self.identities = independence.Identities(
            independence.Link(
                first,
                second,
                independence.POSSIBLY if status == MatchStatus.POSSIBLY else independence.SAME,
            )
            for first, second, status in decided.values_list("first", "second", "status")
        )
        confirmed = Derivation.objects.filter(status=DerivationStatus.CONFIRMED).select_related(
            "source__outlet"
        )
        self.derived_from = {}
        for derivation in confirmed.order_by("pk"):
            self.derived_from.setdefault(derivation.derived_id, derivation.source)
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
