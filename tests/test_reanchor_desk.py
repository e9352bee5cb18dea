"""Passages an article's new version left waiting, in the desk's reading view (#9).

The reading view shows the article's current text; a passage waiting on an older version
indexes that older text, so it is listed, with a link to its review page, and never drawn.
"""

import pytest
from django.urls import reverse

from stories.models import AnchorState
from stories.services import versions

from .desk import client_for, desk_user
from .factories import make_article, make_evidence

V1 = (
    "The council met on Tuesday night to discuss the old bridge.\n\n"
    "Maria Lopez said the bridge would close in May for repairs. The mayor disagreed with her.\n\n"
    "The vote was postponed until the spring session."
)
CITED = "Maria Lopez said the bridge would close in May for repairs."
# The correction rewrites the cited sentence: re-anchoring finds nothing to bind it to.
NEW_SENTENCE = "Correction: Maria Lopez told reporters that repair work would start in June."
V2 = V1.replace(CITED, NEW_SENTENCE)
# What the editor points the passage at instead: part of the rewritten sentence.
CHOSEN = "Maria Lopez told reporters that repair work would start in June."


def waiting_passage(body=V1, quote=CITED, new_body=V2):
    """A passage the article's version 2 left orphaned, still citing version 1."""
    article = make_article(body=body)
    evidence = make_evidence(article, quote, claim="The bridge closes in May")
    versions.add_version(article, new_body)
    evidence.refresh_from_db()
    assert evidence.anchor_state == AnchorState.ORPHANED
    article.refresh_from_db()
    return article, evidence


def read_url(article):
    return reverse("admin:stories_article_read", args=[article.pk])


def review_url(evidence):
    return reverse("admin:stories_anchortoreview_change", args=[evidence.pk])


@pytest.fixture
def editor(django_user_model):
    return desk_user(django_user_model, "editor")


@pytest.mark.django_db
def test_the_reading_view_lists_a_waiting_passage_without_drawing_it_over_other_words(editor):
    article, evidence = waiting_passage()
    page = client_for(editor).get(read_url(article)).content.decode()
    text = page[page.index('id="desk-text"') : page.index('id="desk-status"')]
    # Its offsets index version 1: in version 2 they would mark other words.
    assert "<mark" not in text and f'id="{evidence.anchor_id}"' not in page
    assert "orphaned: cites version 1" in page and f'href="{review_url(evidence)}"' in page
    assert "no longer match" not in page  # it matches its own version: waiting, not stale
