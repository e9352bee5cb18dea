"""The review workflow: submit, publish a revision, unpublish, restore a revision."""

from django.db import transaction
from django.utils import timezone

from ..models import (
    Evidence,
    Person,
    Statement,
    Story,
    StoryRevision,
    StoryStatus,
)


class PublishError(Exception):
    """Why a story cannot be published: one editor-facing line per problem."""

    def __init__(self, story, problems):
        self.story = story
        self.problems = problems
        super().__init__("; ".join(problems))


class WorkflowError(Exception):
    """A status change the story's current state does not allow."""


def snapshot(story):
    """The story's statements as a revision stores them (JSON-ready)."""
    statements = Statement.objects.filter(story=story).prefetch_related("evidence", "people")
    return {
        "statements": [
            {
                "id": statement.pk,
                "position": statement.position,
                "text": statement.text,
                "evidence": sorted(evidence.pk for evidence in statement.evidence.all()),
                "people": sorted(person.pk for person in statement.people.all()),
            }
            for statement in statements.order_by("position", "pk")
        ]
    }


def _comparable(content):
    """A revision's content without statement ids: restoring a revision or
    re-creating a statement with the same text and citations is no change."""
    return [
        {key: value for key, value in item.items() if key != "id"}
        for item in content.get("statements", [])
    ]


def has_unpublished_changes(story):
    """Whether the draft differs from what readers currently see."""
    revision = story.published_revision
    if revision is None:
        return True
    return (revision.headline, revision.standfirst, _comparable(revision.content)) != (
        story.headline,
        story.standfirst,
        _comparable(snapshot(story)),
    )


@transaction.atomic
def submit_for_review(story, user):
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status not in (StoryStatus.DRAFT, StoryStatus.UNPUBLISHED):
        raise WorkflowError(f"“{story}” is {story.get_status_display().lower()}, not a draft.")
    problems = story.publication_problems()
    if problems:
        raise PublishError(story, problems)
    story.status = StoryStatus.IN_REVIEW
    story.save(update_fields=["status", "updated_at"])
    return story


@transaction.atomic
def publish_story(story, user):
    """Publish the story as its next revision, or raise PublishError naming
    each offending statement. Readers see the new revision from now on.

    A published story whose draft has not changed since its revision is
    refused (WorkflowError); an unpublished one is published again as the
    revision readers saw before, without a duplicate revision.
    """
    story = Story.objects.select_for_update().get(pk=story.pk)
    problems = story.publication_problems()
    if problems:
        raise PublishError(story, problems)
    current = story.published_revision
    unchanged = current is not None and not has_unpublished_changes(story)
    if unchanged and story.status == StoryStatus.PUBLISHED:
        raise WorkflowError(
            f"“{story}” has no changes since revision {current.number}: nothing to publish."
        )
    now = timezone.now()
    if unchanged:
        revision = current
    else:
        latest = story.latest_revision()
        revision = StoryRevision.objects.create(
            story=story,
            number=latest.number + 1 if latest else 1,
            headline=story.headline,
            standfirst=story.standfirst,
            content=snapshot(story),
            created_at=now,
            created_by=user,
        )
        revision.evidence.set({pk for item in revision.statements for pk in item["evidence"]})
        revision.people.set({pk for item in revision.statements for pk in item["people"]})
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
    """Replace the story's draft with the revision's text and citations.

    Statements the revision recorded that still exist keep their ids (links to
    ``#statement-<id>`` keep working); the others are created again, and
    statements added since are removed. Evidence or people deleted since the
    revision are left out rather than failing the restore; the publish check
    then flags any statement left citing nothing. Readers see no change until
    the draft is published.
    """
    story = Story.objects.select_for_update().get(pk=revision.story_id)
    story.headline, story.standfirst = revision.headline, revision.standfirst
    story.save(update_fields=["headline", "standfirst", "updated_at"])
    kept = {item["id"] for item in revision.statements}
    current = {statement.pk: statement for statement in story.statements.all()}
    story.statements.exclude(pk__in=kept).delete()
    existing_evidence = set(
        Evidence.objects.filter(
            pk__in=[pk for item in revision.statements for pk in item["evidence"]]
        ).values_list("pk", flat=True)
    )
    people = Person.objects.in_bulk([pk for item in revision.statements for pk in item["people"]])
    for item in revision.statements:
        statement = current.get(item["id"])
        if statement is None:
            statement = Statement.objects.create(
                story=story, position=item["position"], text=item["text"]
            )
        else:
            statement.position, statement.text = item["position"], item["text"]
            statement.save(update_fields=["position", "text"])
        statement.evidence.set([pk for pk in item["evidence"] if pk in existing_evidence])
        statement.people.set([people[pk] for pk in item["people"] if pk in people])
    return story
