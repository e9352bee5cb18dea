"""Machine-readable forms of what readers see: ``reconciliation.json`` and JSON-LD.

Fact-checking partners consume these, so their shape is a contract (README,
"For partners"): keys are only ever added, never renamed or removed. Both are
built from the same reconciliation the page renders, never from drafts.
"""

import json

from django.urls import reverse

from .models import RATING_VALUES, Rating
from .text import independence

SCHEMA = "newsroom.reconciliation/1"
STANCES = ("supporting", "disputing", "mentioning")
# Characters that must not appear raw inside a <script> element.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def _origin_id(key):
    return key if isinstance(key, int) else None


def _origins(groups):
    """Each origin once, saying whether the editors' decisions tie it to another."""
    origins = []
    for group in groups:
        alone = len(group.origins) == 1 and independence.DERIVED not in group.reasons
        ids = [_origin_id(origin.key) for origin in group.origins]
        for origin in group.origins:
            passages = [p for p in group.passages if p.counted == origin]
            origins.append(
                {
                    "id": _origin_id(origin.key),
                    "label": origin.label,
                    "kind": origin.kind,
                    "anonymous": origin.anonymous,
                    "second_hand": bool(passages) and all(p.second_hand for p in passages),
                    "independent_of_others": alone,
                    "counted_with": [i for i in ids if i != _origin_id(origin.key)],
                    "how": sorted(group.reasons),
                    "chains": list(dict.fromkeys(p.chain_words() for p in passages)),
                    "evidence": [p.key for p in passages],
                }
            )
    return origins


def _side(groups):
    articles = list(dict.fromkeys(p.article for group in groups for p in group.passages))
    return {"articles": articles, "independent_origins": len(groups), "origins": _origins(groups)}


def verdict_data(verdict):
    if verdict is None:
        return None
    return {
        "rating": verdict.rating,
        "label": verdict.get_rating_display(),
        "rating_value": verdict.rating_value,
        "reason": verdict.reason,
        "decided_at": verdict.decided_at.isoformat(),
    }


def _verdict(claim):
    try:
        return claim.verdict
    except claim._meta.model.verdict.RelatedObjectDoesNotExist:
        return None


def claim_data(assessment, absolute):
    claim, weighing = assessment.claim, assessment.weighing
    data = {
        "id": claim.pk,
        "text": claim.text,
        "url": absolute(claim.get_absolute_url()),
        "status": weighing.status,
        "status_label": weighing.status_label,
        "reason": weighing.reason,
        "verdict": verdict_data(_verdict(claim)),
        "contradicts": [rival.claim.pk for rival in assessment.contradicting],
    }
    data["supporting"] = _side(weighing.supporting)
    data["disputing"] = _side(weighing.disputing)
    data["mentioning"] = _side(weighing.mentioning)
    return data


def article_data(column, absolute, derivatives):
    article = column.article
    return {
        "id": article.pk,
        "headline": article.headline,
        "label": article.label,
        "outlet": article.outlet.name if article.outlet else None,
        "byline": article.byline or None,
        "published_on": article.published_on.isoformat() if article.published_on else None,
        "url": absolute(article.get_absolute_url()),
        "original_url": article.url or None,
        "derived_from": column.derived_from.pk if column.derived_from else None,
        "derivatives": derivatives.get(article.pk, []),
    }


def version_data(evidence):
    """Which version of its article a passage quotes (its offsets index that text), and
    the article's newest: a published story keeps citing the text it cited."""
    cited, latest = evidence.version_numbers()
    return {"version": cited, "latest_version": latest}


def reconciliation_data(story, revision, reconciliation, matrix, absolute):
    """The story's reconciliation as partners read it (``absolute`` makes URLs absolute)."""
    derivatives = {}
    for column in matrix.columns:
        if column.derived_from:
            derivatives.setdefault(column.derived_from.pk, []).append(column.article.pk)
    return {
        "schema": SCHEMA,
        "story": {
            "headline": revision.headline,
            "url": absolute(story.get_absolute_url()),
            "revision": revision.number,
            "published_at": story.published_at.isoformat() if story.published_at else None,
            "updated_at": revision.created_at.isoformat(),
        },
        "summary": {
            "articles": len(reconciliation.sources),
            "independent_origins": reconciliation.origin_count,
            "cited_passages": len(reconciliation.citations),
        },
        "statuses": {
            status: {"label": label, "meaning": independence.STATUS_MEANINGS[status]}
            for status, label in independence.STATUS_LABELS.items()
        },
        "claims": [claim_data(a, absolute) for a in reconciliation.assessments],
        "articles": [article_data(c, absolute, derivatives) for c in matrix.columns],
        "matrix": {
            "claims": [row.assessment.claim.pk for row in matrix.rows],
            "articles": [column.article.pk for column in matrix.columns],
            "cells": [
                [
                    {
                        "stance": cell.stance,
                        "evidence": [
                            {
                                "id": e.pk,
                                "stance": e.stance,
                                "start": e.start,
                                "end": e.end,
                                "quote": e.quote,
                                "url": absolute(e.get_absolute_url()),
                                **version_data(e),
                            }
                            for e in cell.passages
                        ],
                    }
                    for cell in row.cells
                ]
                for row in matrix.rows
            ],
        },
    }


# --- JSON-LD ---------------------------------------------------------------------------------

PUBLISHER = {"@type": "Organization", "name": "Newsroom"}


def _appearance(article, absolute):
    return {
        "@type": "CreativeWork",
        "headline": article.headline,
        "url": article.url or absolute(article.get_absolute_url()),
        **({"datePublished": article.published_on.isoformat()} if article.published_on else {}),
    }


def claim_review(assessment, absolute):
    """A schema.org ClaimReview for a claim with a verdict, or None without one."""
    verdict = _verdict(assessment.claim)
    if verdict is None:
        return None
    articles = {e.article.pk: e.article for e in assessment.supporting + assessment.disputing}
    articles.update({e.article.pk: e.article for e in assessment.mentioning})
    appearances = [_appearance(a, absolute) for a in articles.values()]
    dated = sorted(
        (a for a in articles.values() if a.published_on), key=lambda a: (a.published_on, a.pk)
    )
    first = dated[0] if dated else next(iter(articles.values()), None)
    rating = {
        "@type": "Rating",
        "alternateName": verdict.get_rating_display(),
        "bestRating": 5,
        "worstRating": 1,
        "ratingExplanation": verdict.reason,
    }
    if verdict.rating_value is not None:
        rating["ratingValue"] = verdict.rating_value
    item = {"@type": "Claim", "appearance": appearances}
    if first is not None:
        item["firstAppearance"] = _appearance(first, absolute)
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": absolute(assessment.claim.get_absolute_url()),
        "claimReviewed": assessment.claim.text,
        "datePublished": verdict.decided_at.date().isoformat(),
        "author": PUBLISHER,
        "reviewRating": rating,
        "itemReviewed": item,
    }


def news_article(story, revision, reconciliation, absolute):
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": revision.headline,
        "url": absolute(story.get_absolute_url()),
        "mainEntityOfPage": absolute(story.get_absolute_url()),
        "datePublished": story.published_at.isoformat() if story.published_at else None,
        "dateModified": revision.created_at.isoformat(),
        "author": PUBLISHER,
        "publisher": PUBLISHER,
        "citation": [_appearance(article, absolute) for article in reconciliation.sources],
    }
    if revision.standfirst:
        data["description"] = revision.standfirst
    return data


def ld_json(*items):
    """JSON-LD for a ``<script type="application/ld+json">``, safe inside HTML."""
    items = [item for item in items if item]
    payload = items[0] if len(items) == 1 else items
    return json.dumps(payload, ensure_ascii=False, indent=None).translate(_SCRIPT_ESCAPES)


RATING_SCALE = [
    {"rating": value, "label": label, "rating_value": RATING_VALUES[value]}
    for value, label in Rating.choices
]


def reconciliation_url(story):
    return reverse("stories:reconciliation", kwargs={"slug": story.slug})
