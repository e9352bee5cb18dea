"""Writes that span several models: importing a batch of articles, publishing.

Each runs in one transaction, so a failure part-way leaves the database as it
was: an import of five files with a bad third one imports nothing, and a story
is never half-published.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from .models import (
    Article,
    ArticlePerson,
    ClaimPerson,
    Evidence,
    Outlet,
    Person,
    PersonMention,
    PersonSuggestion,
    Statement,
    StatementPerson,
    Story,
    StoryRevision,
    StoryStatus,
)


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    existing: list = field(default_factory=list)


def outlet_named(name):
    """The outlet called ``name`` (case-insensitively), created if new."""
    name, slug = name.strip(), slugify(name)
    # The slug is the outlet's natural key (fixtures use it), so "E.W." is the outlet "EW".
    same = Q(name__iexact=name) | Q(slug=slug) if slug else Q(name__iexact=name)
    outlet = Outlet.objects.filter(same).first()
    if outlet is None:
        # Outlet.save() fills in the slug, but full_clean() runs before save().
        outlet = Outlet(name=name, slug=slug)
        outlet.full_clean()
        outlet.save()
    return outlet


def build_article(parsed, outlet=None):
    """An unsaved Article for a ``ParsedArticle``; used for fixtures too."""
    return Article(
        headline=parsed.headline,
        outlet=outlet,
        byline=parsed.byline,
        body=parsed.body,
        body_sha256=parsed.sha256,
        source_name=parsed.source_name.rsplit("/", 1)[-1],
    )


@transaction.atomic
def import_articles(parsed_articles, outlet_name=""):
    """Create the articles not already stored (same body, same SHA-256).

    The articles must already be parsed, i.e. every file has been read and
    validated before this opens a transaction.
    """
    result = ImportResult()
    outlet = outlet_named(outlet_name) if outlet_name.strip() else None
    seen = {}
    for parsed in parsed_articles:
        article = (
            seen.get(parsed.sha256) or Article.objects.filter(body_sha256=parsed.sha256).first()
        )
        if article is not None:
            result.existing.append(article)
            continue
        article = build_article(parsed, outlet)
        article.full_clean()
        article.save()
        seen[parsed.sha256] = article
        result.created.append(article)
    return result


class PublishError(Exception):
    """Why a story cannot be published: one editor-facing line per problem."""

    def __init__(self, story, problems):
        self.story = story
        self.problems = problems
        super().__init__("; ".join(problems))


def publication_problems(story):
    """Everything that keeps ``story`` from being published, statement by statement."""
    statements = list(Statement.objects.filter(story=story).prefetch_related("evidence__article"))
    if not statements:
        return [f"“{story}” has no statements."]
    problems = []
    for statement in statements:
        label = f"Statement {statement.position} (“{_shorten(statement.text)}”)"
        citations = list(statement.evidence.all())
        if not citations:
            problems.append(f"{label} cites no evidence.")
        for evidence in citations:
            if not evidence.matches_article():
                problems.append(
                    f"{label} cites a passage that no longer matches its article "
                    f"“{evidence.article}”: “{_shorten(evidence.quote)}”."
                )
    return problems


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


def has_unpublished_changes(story):
    """Whether the draft differs from what readers currently see."""
    revision = story.published_revision
    if revision is None:
        return True
    return (revision.headline, revision.standfirst, revision.content) != (
        story.headline,
        story.standfirst,
        snapshot(story),
    )


@transaction.atomic
def submit_for_review(story, user):
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.status not in (StoryStatus.DRAFT, StoryStatus.UNPUBLISHED):
        raise WorkflowError(f"“{story}” is {story.get_status_display().lower()}, not a draft.")
    problems = publication_problems(story)
    if problems:
        raise PublishError(story, problems)
    story.status = StoryStatus.IN_REVIEW
    story.save(update_fields=["status", "updated_at"])
    return story


@transaction.atomic
def publish_story(story, user):
    """Publish the story as its next revision, or raise PublishError naming
    each offending statement. Readers see the new revision from now on."""
    story = Story.objects.select_for_update().get(pk=story.pk)
    problems = publication_problems(story)
    if problems:
        raise PublishError(story, problems)
    latest = story.latest_revision()
    if story.status == StoryStatus.PUBLISHED and not has_unpublished_changes(story):
        raise WorkflowError(f"“{story}” has no changes since revision {latest.number}.")
    now = timezone.now()
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

    Evidence or people deleted since the revision are left out rather than
    failing the restore; the publish check then flags any statement left
    citing nothing.
    """
    story = Story.objects.select_for_update().get(pk=revision.story_id)
    story.headline, story.standfirst = revision.headline, revision.standfirst
    story.save(update_fields=["headline", "standfirst", "updated_at"])
    story.statements.all().delete()
    existing_evidence = set(
        Evidence.objects.filter(
            pk__in=[pk for item in revision.statements for pk in item["evidence"]]
        ).values_list("pk", flat=True)
    )
    people = Person.objects.in_bulk([pk for item in revision.statements for pk in item["people"]])
    for item in revision.statements:
        statement = Statement.objects.create(
            story=story, position=item["position"], text=item["text"]
        )
        statement.evidence.set([pk for pk in item["evidence"] if pk in existing_evidence])
        statement.people.set([people[pk] for pk in item["people"] if pk in people])
    return story


@transaction.atomic
def merge_people(target, others):
    """Fold ``others`` into ``target``: every tag, mention, attribution and
    suggestion moves, their names become aliases, and nothing is lost."""
    target = Person.objects.select_for_update().get(pk=target.pk)
    aliases = target.alias_list
    for other in others:
        if other.pk == target.pk:
            continue
        for name in other.names():
            if name != target.name and name not in aliases:
                aliases.append(name)
        for through in (ArticlePerson, ClaimPerson, StatementPerson):
            tagged = set(
                through.objects.filter(tag=target).values_list("content_object", flat=True)
            )
            through.objects.filter(tag=other).exclude(content_object__in=tagged).update(tag=target)
        mentions = set(PersonMention.objects.filter(person=target).values_list("article", "start"))
        for mention in PersonMention.objects.filter(person=other):
            if (mention.article_id, mention.start) not in mentions:
                mention.person = target
                mention.save(update_fields=["person"])
        Evidence.objects.filter(attributed_person=other).update(attributed_person=target)
        PersonSuggestion.objects.filter(person=other).update(person=target)
        if other.description and not target.description:
            target.description = other.description
        other.delete()
    target.aliases = "\n".join(aliases)
    target.save(update_fields=["aliases", "description"])
    return target


def _shorten(text, limit=60):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
