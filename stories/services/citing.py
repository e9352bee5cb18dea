"""Citing a passage: saving a piece of evidence, and its claim when the claim is new."""

from django.contrib.admin.models import ADDITION, LogEntry
from django.db import transaction

from ..models import EvidenceRelay


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
        _log_addition(user, claim, f"Added while citing “{article}”.")
    evidence.claim = claim
    evidence.save()
    if relayed_by is not None:
        EvidenceRelay.objects.create(evidence=evidence, origin=relayed_by, position=1)
    _log_addition(user, evidence, f"Cited from the reading view of “{article}”.")
    return evidence


def _log_addition(user, obj, message):
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[obj],
        action_flag=ADDITION,
        change_message=message,
        single_object=True,
    )
