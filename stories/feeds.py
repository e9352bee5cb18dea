"""Atom feeds of published stories (Django's syndication framework): the site's,
one per person and one per topic, and the site's again as RSS 2.0 for readers
that want it.

An entry's ``updated`` is its latest revision's date or its latest correction's,
whichever is later, so a feed reader shows a corrected or republished story as
changed. The author is the desk, as in the story's JSON-LD: the logins that
publish are not for the public.
"""

from django.contrib.syndication.views import Feed
from django.db.models import Max, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag

from .exports import PUBLISHER
from .models import Person, Story

FEED_LENGTH = 30


def feed_stories(where=None):
    """Published stories for a feed, newest first, with their last correction's date."""
    stories = Story.objects.published()
    if where is not None:
        stories = stories.filter(pk__in=Story.objects.published().filter(where).values("pk"))
    return (
        stories.select_related("published_revision")
        .annotate(corrected_at=Max("corrections__created_at"))
        .order_by("-published_at", "-pk")[:FEED_LENGTH]
    )


class StoriesFeed(Feed):
    feed_type = Atom1Feed
    title = "Newsroom: reconciled stories"
    subtitle = "Every statement linked to the passage of the source that says it."
    author_name = PUBLISHER["name"]

    def link(self):
        return reverse("stories:list")

    def items(self):
        return feed_stories()

    def item_title(self, story):
        return story.published_revision.headline

    def item_description(self, story):
        return story.published_revision.standfirst

    def item_link(self, story):
        return story.get_absolute_url()

    def item_pubdate(self, story):
        return story.published_at

    def item_updateddate(self, story):
        dates = [story.published_revision.created_at, story.published_at, story.corrected_at]
        return max(date for date in dates if date is not None)

    def item_author_name(self, story):
        return PUBLISHER["name"]


class StoriesRssFeed(StoriesFeed):
    feed_type = Rss201rev2Feed
    description = StoriesFeed.subtitle


class PersonFeed(StoriesFeed):
    """Stories that name a person or cite a claim about them, as their page lists them."""

    def get_object(self, request, slug):
        return get_object_or_404(Person.objects.published(), slug=slug)

    def title(self, person):
        return f"Newsroom: stories about {person.name}"

    def link(self, person):
        return person.get_absolute_url()

    def items(self, person):
        return feed_stories(
            Q(published_revision__people=person)
            | Q(published_revision__evidence__claim__people=person)
        )


class TopicFeed(StoriesFeed):
    """Stories tagged with a topic, or citing a claim tagged with it."""

    def get_object(self, request, slug):
        topic = get_object_or_404(Tag, slug=slug)
        if not feed_stories(self._where(topic)).exists():
            # A topic no published story has is not public (its name may be a draft's).
            raise Http404("No published story has this topic.")
        return topic

    @staticmethod
    def _where(topic):
        return Q(topics=topic) | Q(published_revision__evidence__claim__topics=topic)

    def title(self, topic):
        return f"Newsroom: stories on {topic.name}"

    def link(self, topic):
        # There is no topic page; its stories are on the front page.
        return reverse("stories:list")

    def items(self, topic):
        return feed_stories(self._where(topic))
