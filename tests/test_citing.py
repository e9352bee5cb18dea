"""Citing a passage (services.citing): the evidence and its new claim are saved together."""

import pytest
from django.contrib.admin.models import ADDITION, LogEntry
from django.db import IntegrityError

from stories.models import Claim, Evidence
from stories.services import citing

from .factories import make_article

pytestmark = pytest.mark.django_db


def passage(article, quote):
    evidence = Evidence(article=article, quote=quote)
    evidence.anchor()
    return evidence


def test_a_new_claim_is_saved_with_its_evidence_and_both_are_logged(admin_user):
    article = make_article()
    claim = Claim(text="The exchange was tense")

    evidence = citing.cite_passage(passage(article, "a pointed exchange"), claim, admin_user)

    assert claim.pk is not None and Claim.objects.get() == claim
    assert Evidence.objects.get() == evidence and evidence.claim == claim
    entries = LogEntry.objects.filter(action_flag=ADDITION, user=admin_user).order_by("pk")
    assert [(entry.object_id, entry.change_message) for entry in entries] == [
        (str(claim.pk), f"Added while citing “{article}”."),
        (str(evidence.pk), f"Cited from the reading view of “{article}”."),
    ]


def test_an_existing_claim_is_cited_as_it_is(admin_user):
    article = make_article()
    claim = Claim.objects.create(text="The exchange was tense")

    citing.cite_passage(passage(article, "a pointed exchange"), claim, admin_user)

    assert Claim.objects.get() == claim
    assert LogEntry.objects.get().object_id == str(Evidence.objects.get().pk)


def test_a_citation_that_cannot_be_saved_leaves_no_claim_behind(admin_user):
    article = make_article()
    broken = passage(article, "a pointed exchange")
    broken.end = broken.start  # refused by the database's start < end constraint

    with pytest.raises(IntegrityError):
        citing.cite_passage(broken, Claim(text="An orphan"), admin_user)

    assert not Claim.objects.exists()
    assert not Evidence.objects.exists()
    assert not LogEntry.objects.exists()
