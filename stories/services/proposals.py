"""Proposals the desk makes for an editor to decide: derived articles and likely-same origins.

The detectors are pure (``stories.text.derivation``, ``stories.text.origins``);
this module runs them over the corpus and stores what they find as proposals.
A proposal never changes a count — only an editor's decision does
(``services.decisions``) — and a pair an editor rejected is never proposed again.
"""

from django.db import transaction
from django.db.models import Q

from ..models import (
    Article,
    Derivation,
    DerivationKind,
    DerivationStatus,
    EvidenceRelay,
    MatchStatus,
    Origin,
    OriginKind,
    OriginMatch,
)
from ..text import derivation, origins


def _decided_pairs():
    """(source, derived) pairs an editor already decided, in either direction."""
    decided = Derivation.objects.exclude(status=DerivationStatus.PROPOSED)
    pairs = set()
    for source, derived in decided.values_list("source_id", "derived_id"):
        pairs.add(frozenset((source, derived)))
    return pairs


def text_relations(articles):
    """What the shingle detector finds among ``articles`` (an iterable of Article)."""
    texts = [derivation.ArticleText(a.pk, a.body, a.published_on) for a in articles]
    return derivation.find_derivatives(texts)


def shared_text(relation, bodies):
    source, derived = bodies[relation.source], bodies[relation.derived]
    return [
        {
            "source_start": passage.source_start,
            "source_end": passage.source_end,
            "derived_start": passage.derived_start,
            "derived_end": passage.derived_end,
            "text": source[passage.source_start : passage.source_end],
            "derived_text": derived[passage.derived_start : passage.derived_end],
        }
        for passage in relation.shared
    ]


def origin_relations(articles):
    """Articles crediting another article's outlet: a passage whose origin or
    relay is that outlet's report or post (``“…”, ET reported``) derives from
    the outlet's article on file. Independent reporting of the same press
    conference shares a speaker, never an outlet's report, so it is not one."""
    by_outlet = {}
    for article in articles:
        if article.outlet_id:
            by_outlet.setdefault(article.outlet_id, []).append(article)
    ids = [article.pk for article in articles]
    credited = {}  # (derived article, outlet) -> origins
    relayed = EvidenceRelay.objects.filter(evidence__article__in=ids).select_related("origin")
    for relay in relayed:
        origin = relay.origin
        if origin.outlet_id and origin.kind in (OriginKind.OUTLET, OriginKind.POST):
            credited.setdefault((relay.evidence.article_id, origin.outlet_id), set()).add(origin)
    direct = Origin.objects.filter(
        evidence__article__in=ids, kind__in=[OriginKind.OUTLET, OriginKind.POST]
    ).exclude(outlet=None)
    for origin in direct.distinct():
        for article_id in origin.evidence.filter(article__in=ids).values_list(
            "article_id", flat=True
        ):
            credited.setdefault((article_id, origin.outlet_id), set()).add(origin)
    relations = []
    for (derived_id, outlet_id), found in sorted(credited.items()):
        for source in by_outlet.get(outlet_id, []):
            if source.pk != derived_id:
                shared = [
                    {"origin": o.pk, "label": o.label, "kind": o.kind}
                    for o in sorted(found, key=lambda o: o.pk)
                ]
                relations.append((source.pk, derived_id, shared))
    return relations


@transaction.atomic
def propose_derivations(articles=None):
    """Store the derived-article proposals found among ``articles`` (default:
    all). Returns the proposals created or refreshed. Pairs an editor decided
    are left as they are."""
    articles = list(articles if articles is not None else Article.objects.order_by("pk"))
    bodies = {article.pk: article.body for article in articles}
    decided = _decided_pairs()
    found = []
    for relation in text_relations(articles):
        if frozenset((relation.source, relation.derived)) in decided:
            continue
        found.append(
            _proposal(
                relation.source,
                relation.derived,
                DerivationKind.TEXT,
                round(relation.score, 4),
                relation.decided_by,
                shared_text(relation, bodies),
            )
        )
    for source, derived, shared in origin_relations(articles):
        if frozenset((source, derived)) in decided:
            continue
        found.append(_proposal(source, derived, DerivationKind.ORIGIN, 1.0, "origin", shared))
    return found


def _proposal(source, derived, kind, score, direction, shared):
    proposal, _ = Derivation.objects.update_or_create(
        source_id=source,
        derived_id=derived,
        kind=kind,
        defaults={"score": score, "direction": direction, "shared": shared},
    )
    return proposal


@transaction.atomic
def propose_same_origins():
    """Store likely-same origin pairs for an editor to decide; decided pairs stay decided."""
    texts = [
        origins.OriginText(o.pk, o.kind, o.label, o.person_id, o.outlet_id)
        for o in Origin.objects.order_by("pk")
    ]
    decided = set(
        OriginMatch.objects.exclude(status=MatchStatus.PROPOSED).values_list("first", "second")
    )
    made = []
    for proposal in origins.propose_same_origins(texts):
        first, second = sorted((proposal.a, proposal.b))
        if (first, second) in decided:
            continue
        match, _ = OriginMatch.objects.update_or_create(
            first_id=first,
            second_id=second,
            defaults={"reason": proposal.reason[:300], "score": round(proposal.score, 4)},
        )
        made.append(match)
    return made


def relations_for(articles=None):
    """Every stored derivation among ``articles`` (default: all), as the command prints them."""
    queryset = Derivation.objects.select_related("source", "derived").order_by("pk")
    if articles is not None:
        ids = [a.pk for a in articles]
        queryset = queryset.filter(Q(source__in=ids) | Q(derived__in=ids))
    return list(queryset)
