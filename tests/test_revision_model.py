"""A story's draft state and its revisions, as the models answer them (no admin,
no views): what readers see, whether the draft has moved on, and revisions made
from, read back into and restored into a story."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stories.models import Story, StoryStatus

from .desk import draft_story
from .factories import make_article, make_evidence, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence():
    return make_evidence(make_article(), "a pointed exchange")


def in_published(story):
    return Story.objects.published().filter(pk=story.pk).exists()


@pytest.mark.parametrize(
    ("state", "public"),
    [
        ("published", True),
        ("scheduled", False),
        ("unpublished", False),
        ("no revision", False),
        ("draft", False),
        ("in review", False),
    ],
)
def test_is_published_agrees_with_the_published_queryset(evidence, state, public):
    if state in {"no revision", "draft", "in review"}:
        story = draft_story(evidence)
        status = {
            "no revision": StoryStatus.PUBLISHED,
            "draft": StoryStatus.DRAFT,
            "in review": StoryStatus.IN_REVIEW,
        }[state]
        Story.objects.filter(pk=story.pk).update(status=status, published_at=timezone.now())
    else:
        story = make_story("Live", statements=[("Tense.", [evidence])])
        changes = {
            "published": {},
            "scheduled": {"published_at": timezone.now() + timedelta(hours=1)},
            "unpublished": {"status": StoryStatus.UNPUBLISHED},
        }[state]
        Story.objects.filter(pk=story.pk).update(**changes)
    story.refresh_from_db()

    assert story.is_published is public
    assert in_published(story) is public


def test_publication_problems_name_each_statement_on_one_shortened_line(evidence):
    assert make_story("Empty", published=False).publication_problems() == [
        "“Empty” has no statements."
    ]
    long_text = "They met\n\nbackstage,   " + "and then they talked " * 5
    story = draft_story(evidence, texts=["Fine.", long_text])
    story.statements.get(position=2).evidence.clear()

    assert story.publication_problems() == [
        "Statement 2 (“They met backstage, and then they talked and then they talk…”)"
        " cites no evidence."
    ]
    assert draft_story(evidence, slug="ready").publication_problems() == []
