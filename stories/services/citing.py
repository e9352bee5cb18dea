"""Citing a passage: saving a piece of evidence, and its claim when the claim is new."""

from django.contrib.admin.models import ADDITION
from django.db import transaction

from ..models import EvidenceRelay
from .history import record


@transaction.atomic
def cite_passage(evidence, claim, user, relayed_by=None):
    """Save ``evidence`` (validated, anchored, unsaved) as bearing on ``claim``.

    A new ``claim`` (validated, unsaved) is saved first, in the same
    transaction, so a claim typed for a passage is never left without it. Both
    additions are recorded in the admin log as ``user``'s. ``relayed_by`` is
    the post or outlet the article took the passage from: the first link of
    its chain. Returns the evidence.
    """
    article = evidence.article
    if claim.pk is None:
        claim.save()
        record(user, claim, f"Added while citing “{article}”.", ADDITION)
    evidence.claim = claim
    evidence.save()
    if relayed_by is not None:
        EvidenceRelay.objects.create(evidence=evidence, origin=relayed_by, position=1)
    record(user, evidence, f"Cited from the reading view of “{article}”.", ADDITION)
    return evidence
