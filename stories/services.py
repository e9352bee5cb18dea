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

from .models import Article, Outlet, Statement, Story, StoryStatus


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


@transaction.atomic
def publish_story(story, user):
    """Publish ``story``, or raise PublishError naming each offending statement."""
    story = Story.objects.select_for_update().get(pk=story.pk)
    problems = publication_problems(story)
    if problems:
        raise PublishError(story, problems)
    story.status = StoryStatus.PUBLISHED
    # A date the editor set (a back-dated or scheduled story) is kept.
    if story.published_at is None:
        story.published_at = timezone.now()
    story.published_by = user
    story.save(update_fields=["status", "published_at", "published_by", "updated_at"])
    return story


@transaction.atomic
def unpublish_story(story):
    story.status = StoryStatus.DRAFT
    story.save(update_fields=["status", "updated_at"])
    return story


def _shorten(text, limit=60):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
