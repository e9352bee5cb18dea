"""Editors' decisions that change how readers count sources.

Whether two origins are one account, whether an article derives from another,
and the desk's verdict on a claim all change public pages at once, so each is
a deliberate, logged decision by an editor — never a side effect of a proposal.
"""

from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from django.utils import timezone

from ..models import Derivation, DerivationStatus, MatchStatus, OriginMatch, Verdict
from .history import record


@transaction.atomic
def decide_origin_match(match, status, user):
    """Record that two origins are the same, possibly the same, or different."""
    if status not in (MatchStatus.SAME, MatchStatus.POSSIBLY, MatchStatus.DIFFERENT):
        raise ValueError(f"Not a decision: {status!r}")
    match = OriginMatch.objects.select_for_update().get(pk=match.pk)
    match.status, match.decided_by, match.decided_at = status, user, timezone.now()
    match.save(update_fields=["status", "decided_by", "decided_at"])
    record(user, match, f"Decided: {match.get_status_display().lower()}.")
    return match


@transaction.atomic
def decide_derivation(derivation, status, user):
    """Confirm or reject a proposed derivation; a rejected pair is never proposed again."""
    if status not in (DerivationStatus.CONFIRMED, DerivationStatus.REJECTED):
        raise ValueError(f"Not a decision: {status!r}")
    derivation = Derivation.objects.select_for_update().get(pk=derivation.pk)
    derivation.status, derivation.decided_by = status, user
    derivation.decided_at = timezone.now()
    derivation.save(update_fields=["status", "decided_by", "decided_at"])
    record(user, derivation, f"{derivation.get_status_display()}.")
    return derivation


@transaction.atomic
def set_verdict(claim, rating, reason, user):
    """Give ``claim`` the desk's verdict (replacing any earlier one), dated and signed."""
    verdict, created = Verdict.objects.select_for_update().get_or_create(
        claim=claim,
        defaults={"rating": rating, "reason": reason, "decided_by": user},
    )
    if not created:
        verdict.rating, verdict.reason = rating, reason
        verdict.decided_by, verdict.decided_at = user, timezone.now()
    verdict.full_clean()
    verdict.save()
    record(
        user,
        verdict,
        f"Verdict: {verdict.get_rating_display()}.",
        flag=ADDITION if created else CHANGE,
    )
    return verdict
