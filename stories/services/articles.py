"""Importing articles: every way in (command, upload, paste) ends here, in one transaction."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from ..models import (
    Article,
    Outlet,
    PersonSuggestion,
    SuggestionStatus,
)
from ..text.importing import body_sha256
from .suggestions import suggest_people


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    existing: list = field(default_factory=list)

    def summary(self):
        """The result in the words the desk shows after an import, however it ran."""
        suggested = PersonSuggestion.objects.filter(
            article__in=self.created, status=SuggestionStatus.PENDING
        ).count()
        return (
            f"Imported {len(self.created):,} article(s); {len(self.existing):,} already imported."
            + (
                f" {suggested:,} suggested people to confirm in the reading views."
                if suggested
                else ""
            )
        )


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
        source_name=parsed.source_name,  # already importing.file_name()
    )


@transaction.atomic
def import_articles(parsed_articles, outlet_name="", user=None, progress=None):
    """Create the articles not already stored (same body, same SHA-256), and
    propose the people each new one names (``suggest_people``; ``user`` is logged).

    The articles must already be parsed, i.e. every file has been read and
    validated before this opens a transaction. ``progress`` is as for ``add_articles``.
    """
    outlet = outlet_named(outlet_name) if outlet_name.strip() else None
    built = [build_article(parsed, outlet) for parsed in parsed_articles]
    return add_articles(built, user, progress=progress)


@transaction.atomic
def add_articles(articles, user=None, progress=None):
    """Save the unsaved ``articles`` whose body is not stored yet, and propose
    the people each new one names: the write every way in ends with.

    The command and the upload reach it through ``import_articles``; the admin's
    paste form with the article it built from ``importing.parse_pasted``. An
    article whose body is stored already (or comes twice) is not saved: the
    stored one is listed in ``existing`` instead.

    ``progress(done, total)``, when given, is told how many of the articles
    are handled as their people are proposed (the slow part), for a long
    batch's job page or command line.
    """
    articles = list(articles)
    result = ImportResult()
    seen = {}
    for article in articles:
        sha256 = body_sha256(article.body)
        stored = seen.get(sha256) or Article.objects.filter(body_sha256=sha256).first()
        if stored is not None:
            result.existing.append(stored)
            continue
        article.full_clean()
        article.save()
        seen[sha256] = article
        result.created.append(article)
    for done, article in enumerate(result.created, start=len(result.existing) + 1):
        suggest_people(article, user)  # proposals for the editor to confirm; nothing is tagged
        if progress is not None:
            progress(done, len(articles))
    return result
