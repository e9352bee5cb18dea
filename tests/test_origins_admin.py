"""Origins, origin matches, derivations and verdicts in the real admin, by role."""

import pytest
from django.contrib.admin.models import LogEntry
from django.db.models import Prefetch
from django.urls import reverse

from stories.models import (
    Claim,
    Derivation,
    DerivationStatus,
    MatchStatus,
    Origin,
    OriginKind,
    OriginMatch,
    Rating,
    Verdict,
)
from stories.selectors import Ledger, evidence_with_chains
from stories.text.independence import CORROBORATED, SINGLE_ORIGIN

from .desk import client_for, desk_user, messages_of
from .factories import BODY, make_article, make_evidence

pytestmark = pytest.mark.django_db

MATCHES = reverse("admin:stories_originmatch_changelist")
DERIVATIONS = reverse("admin:stories_derivation_changelist")


def weigh(claim):
    evidence = evidence_with_chains()
    claim = Claim.objects.prefetch_related(Prefetch("evidence", queryset=evidence)).get(pk=claim.pk)
    return Ledger().weigh(claim, rivals=())


@pytest.fixture
def two_anonymous_sources():
    """Two articles each citing an unnamed source for the same claim."""
    first = make_article(headline="First", outlet="ET")
    second = make_article(body=f"{BODY}\n\nMore.", headline="Second", outlet="EW")
    a = Origin.objects.create(kind=OriginKind.ANONYMOUS, label="a source close to Megan")
    b = Origin.objects.create(kind=OriginKind.ANONYMOUS, label="sources close to Megan")
    one = make_evidence(first, "a pointed exchange", origin=a)
    make_evidence(second, "a pointed exchange", claim=one.claim, origin=b)
    match = OriginMatch.objects.create(first=a, second=b, reason="similar descriptions")
    return one.claim, match


def test_a_proposal_changes_no_count_until_an_editor_decides(
    django_user_model, two_anonymous_sources
):
    claim, match = two_anonymous_sources
    assert weigh(claim).status == CORROBORATED  # proposed only: still two origins

    editor = client_for(desk_user(django_user_model, "editor"))
    response = editor.post(
        MATCHES, {"action": "mark_possibly_same", "_selected_action": [match.pk]}, follow=True
    )

    assert messages_of(response) == ["1 marked possibly the same."]
    match.refresh_from_db()
    assert match.status == MatchStatus.POSSIBLY
    assert match.decided_by.username == "editor" and match.decided_at is not None
    weighing = weigh(claim)
    assert weighing.status == SINGLE_ORIGIN
    assert "possibly the same as sources close to Megan" in weighing.reason
    assert LogEntry.objects.get(object_id=str(match.pk)).change_message == (
        "Decided: possibly the same."
    )


def test_reporters_see_the_proposals_but_cannot_decide(django_user_model, two_anonymous_sources):
    _, match = two_anonymous_sources
    reporter = client_for(desk_user(django_user_model, "reporter"))

    changelist = reporter.get(MATCHES)
    assert changelist.status_code == 200
    assert 'value="mark_same"' not in changelist.content.decode()
    reporter.post(MATCHES, {"action": "mark_same", "_selected_action": [match.pk]})
    change = reverse("admin:stories_originmatch_change", args=[match.pk])
    reporter.post(change, {"status": MatchStatus.SAME})
    match.refresh_from_db()
    assert match.status == MatchStatus.PROPOSED


def test_a_confirmed_derivation_folds_the_copy_into_its_original(django_user_model):
    original = make_article(headline="Original", outlet="EW")
    copy = make_article(body=f"{BODY}\n\nCopied.", headline="Copy", outlet="Daily Copy")
    claim = make_evidence(original, "a pointed exchange").claim
    make_evidence(copy, "a pointed exchange", claim=claim)
    derivation = Derivation.objects.create(source=original, derived=copy, score=0.9)
    assert weigh(claim).status == CORROBORATED

    editor = client_for(desk_user(django_user_model, "editor"))
    editor.post(DERIVATIONS, {"action": "confirm", "_selected_action": [derivation.pk]})

    derivation.refresh_from_db()
    assert derivation.status == DerivationStatus.CONFIRMED
    weighing = weigh(claim)
    assert weighing.status == SINGLE_ORIGIN
    assert weighing.supporting[0].label == "EW’s own reporting"
    assert weighing.supporting_articles == [original.pk, copy.pk]


def test_verdicts_are_editors_only(django_user_model):
    claim = Claim.objects.create(text="The exchange was tense")
    add = reverse("admin:stories_verdict_add")
    data = {"claim": claim.pk, "rating": Rating.MOSTLY_ACCURATE, "reason": "The video shows it."}

    reporter = client_for(desk_user(django_user_model, "reporter"))
    assert reporter.post(add, data).status_code == 403
    assert not Verdict.objects.exists()

    editor = client_for(desk_user(django_user_model, "editor"))
    assert editor.post(add, data).status_code == 302
    verdict = Verdict.objects.get()
    assert (verdict.claim, verdict.rating, verdict.decided_by.username) == (
        claim,
        Rating.MOSTLY_ACCURATE,
        "editor",
    )
    assert verdict.rating_value == 4


def test_a_passage_saved_without_an_origin_is_its_articles_own_reporting():
    article = make_article(outlet="")
    evidence = make_evidence(article, "a pointed exchange")
    again = make_evidence(article, "Fans watching online", claim="Fans watched")

    assert evidence.origin.kind == OriginKind.REPORTING
    assert evidence.origin.article == article
    assert evidence.origin.label == "“A tense exchange”’s own reporting"
    assert again.origin == evidence.origin  # one per article, not one per passage


def test_a_public_origins_label_is_an_editors_call(django_user_model, demo_data):
    origin = Origin.objects.published().first()
    change = reverse("admin:stories_origin_change", args=[origin.pk])
    data = {"kind": origin.kind, "label": "renamed", "note": ""}

    reporter = client_for(desk_user(django_user_model, "reporter"))
    assert reporter.post(change, data).status_code == 403
    origin.refresh_from_db()
    assert origin.label != "renamed"

    draft_only = Origin.objects.create(kind=OriginKind.ANONYMOUS, label="nobody cites me")
    response = reporter.post(
        reverse("admin:stories_origin_change", args=[draft_only.pk]),
        {"kind": draft_only.kind, "label": "a source", "note": ""},
    )
    assert response.status_code == 302
    draft_only.refresh_from_db()
    assert draft_only.label == "a source"


def test_the_desk_proposes_likely_same_origins_and_keeps_decided_pairs(
    django_user_model, demo_data
):
    decided = OriginMatch.objects.get()  # the demo's "possibly the same" decision
    friendly = Claim.objects.get(text="The exchange was a friendly first meeting")
    before = weigh(friendly).reason
    editor = client_for(desk_user(django_user_model, "editor"))

    response = editor.post(
        reverse("admin:stories_origin_changelist"),
        {"action": "propose_same", "_selected_action": [decided.first_id]},
        follow=True,
    )

    assert "proposed as possibly one" in messages_of(response)[0]
    decided.refresh_from_db()
    assert decided.status == MatchStatus.POSSIBLY
    proposed = OriginMatch.objects.filter(status=MatchStatus.PROPOSED)
    assert proposed.exists() and all(match.reason for match in proposed)
    # Proposals never change a count until an editor decides them.
    assert weigh(friendly).reason == before
