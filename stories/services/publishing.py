"""The review workflow: submit, publish a revision, unpublish, restore a revision.

What a revision holds and how it is made, read and restored is the model's
(``StoryRevision``); here are the status changes, each in one transaction on a
locked story.
"""

from django.db import transaction
from django.utils import timezone

from ..models import Story, StoryRevision, StoryStatus


class NotReadyToPublish(Exception):
    """The story may be neither published nor submitted for review yet:
    ``problems`` holds one editor-facing line per problem
    (``Story.publication_problems()``)."""

    def __init__(self, story, problems):
        self.story = story
        self.problems = problems
        super().__init__("; ".join(problems))


class WorkflowError(Exception):
    """A status change the story's current state does not allow."""


@transaction.atomic
def submit_for_review(story, user):
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status not in (StoryStatus.DRAFT, StoryStatus.UNPUBLISHED):
        raise WorkflowError(f"“{story}” is {story.get_status_display().lower()}, not a draft.")
    problems = story.publication_problems()
    if problems:
        raise NotReadyToPublish(story, problems)
    story.status = StoryStatus.IN_REVIEW
    story.save(update_fields=["status", "updated_at"])
    return story


@transaction.atomic
def publish_story(story, user):
    """Publish the story as its next revision, or raise NotReadyToPublish naming
    each offending statement. Readers see the new revision from now on.

    A published story whose draft has not changed since its revision is
    refused (WorkflowError); an unpublished one is published again as the
    revision readers saw before, without a duplicate revision.
    """
    story = Story.objects.select_for_update().get(pk=story.pk)
    problems = story.publication_problems()
    if problems:
        raise NotReadyToPublish(story, problems)
    current = story.published_revision
    unchanged = current is not None and not story.has_unpublished_changes()
    if unchanged and story.status == StoryStatus.PUBLISHED:
        raise WorkflowError(
            f"“{story}” has no changes since revision {current.number}: nothing to publish."
        )
    now = timezone.now()
    revision = current if unchanged else StoryRevision.create_from(story, user, created_at=now)
    story.published_revision = revision
    story.status = StoryStatus.PUBLISHED
    # A date the editor set (a back-dated or scheduled story) is kept.
    if story.published_at is None:
        story.published_at = now
    story.published_by = user
    story.save(
        update_fields=["status", "published_at", "published_by", "published_revision", "updated_at"]
    )
    return revision


@transaction.atomic
def unpublish_story(story):
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status != StoryStatus.PUBLISHED:
        raise WorkflowError(f"“{story}” is not published.")
    story.status = StoryStatus.UNPUBLISHED
    story.save(update_fields=["status", "updated_at"])
    return story


@transaction.atomic
def restore_revision(revision):
    """Replace the story's draft with the revision's text and citations
    (``StoryRevision.restore_into``), the story locked while it happens."""
    story = Story.objects.select_for_update().get(pk=revision.story_id)
    return revision.restore_into(story)
