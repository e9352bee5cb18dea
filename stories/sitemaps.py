"""The sitemap (``django.contrib.sitemaps``): every page a reader can open.

Each section lists its model's ``published()`` rows, so the sitemap and the
pages agree on what is public. A story's ``lastmod`` is its published
revision's date: a new revision is a new page for a crawler.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article, Claim, Person, Story


class HomeSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["stories:list"]

    def location(self, item):
        return reverse(item)


class StorySitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Story.objects.published().select_related("published_revision").order_by("pk")

    def lastmod(self, story):
        return story.published_revision.created_at


class ClaimSitemap(Sitemap):
    def items(self):
        return Claim.objects.published().order_by("pk")

    def lastmod(self, claim):
        return claim.updated_at


class SourceSitemap(Sitemap):
    def items(self):
        return Article.objects.published().order_by("pk")

    def lastmod(self, article):
        return article.imported_at


class PersonSitemap(Sitemap):
    def items(self):
        return Person.objects.published().order_by("pk")


SITEMAPS = {
    "home": HomeSitemap,
    "stories": StorySitemap,
    "claims": ClaimSitemap,
    "sources": SourceSitemap,
    "people": PersonSitemap,
}
