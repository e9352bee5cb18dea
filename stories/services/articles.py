"""Importing articles: every way in (command, upload, paste) ends here, in one transaction."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Q
from django.utils.text import slugify

from ..models import (
    Article,
    Outlet,
)
from ..text.importing import body_sha256, one_line
from .suggestions import suggest_people_for_new


class Outcome(models.TextChoices):
    """What an import did with one file, in the order a summary lists them.

    A re-imported article whose text changed will be one more outcome ("new version of an
    existing article") once articles keep their versions; today a changed text is a new
    article, and the same text is unchanged.
    """

    IMPORTED = "imported", "imported"
    UNCHANGED = "unchanged", "unchanged"
    REFUSED = "refused", "refused"


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    existing: list = field(default_factory=list)
    # (Outcome, Article) for each article given, in the order given.
    outcomes: list = field(default_factory=list)


@dataclass(frozen=True)
class SummaryRow:
    """One file of a batch: what became of it, the article it is (none when refused) and
    why it was refused."""

    outcome: Outcome
    source: str
    article: Article | None = None
    reason: str = ""


@dataclass
class ImportSummary:
    """What a batch import did, file by file, for the command's table and the admin's."""

    rows: list[SummaryRow] = field(default_factory=list)
    skipped: int = 0  # files in folders and zips that are not articles

    @property
    def refused(self):
        return [row for row in self.rows if row.outcome == Outcome.REFUSED]

    @property
    def imported(self):
        return [row.article for row in self.rows if row.outcome == Outcome.IMPORTED]

    def counts(self):
        """``(outcome, count)`` for every outcome, in order, zeros included."""
        return [(outcome, sum(row.outcome == outcome for row in self.rows)) for outcome in Outcome]


def outlet_named(name, *, save=True):
    """The outlet called ``name`` (case-insensitively), created if new; with ``save=False`` a
    new one is validated but left unsaved, for the first article that needs it to save."""
    name, slug = name.strip(), slugify(name)
    # The slug is the outlet's natural key (fixtures use it), so "E.W." is the outlet "EW".
    same = Q(name__iexact=name) | Q(slug=slug) if slug else Q(name__iexact=name)
    outlet = Outlet.objects.filter(same).first()
    if outlet is None:
        # Outlet.save() fills in the slug, but full_clean() runs before save().
        outlet = Outlet(name=name, slug=slug)
        outlet.full_clean()
        if save:
            outlet.save()
    return outlet


def build_article(parsed, outlet=None):
    """An unsaved Article for a ``ParsedArticle``; used for fixtures too."""
    return Article(
        headline=parsed.headline,
        outlet=outlet,
        byline=parsed.byline,
        url=parsed.url,
        published_on=parsed.published_on,
        body=parsed.body,
        body_sha256=parsed.sha256,
        source_name=parsed.source_name,  # already importing.file_name()
    )


@transaction.atomic
def import_articles(parsed_articles, outlet_name="", user=None, progress=None):
    """Create the articles not already stored (same body, same SHA-256), and
    propose the people each new one names (``suggest_people``; ``user`` is logged).

    The articles must already be parsed, i.e. every file has been read and
    validated before this opens a transaction. The outlet is ``outlet_name`` when
    given (the editor's word wins over the page's), else the one each page names;
    an outlet is only created for an article that is.
    """
    given = outlet_named(outlet_name, save=False) if outlet_name.strip() else None
    named = {}

    def outlet_of(parsed):
        if given is not None or not parsed.outlet:
            return given
        key = slugify(parsed.outlet) or parsed.outlet.casefold()
        if key not in named:
            named[key] = outlet_named(parsed.outlet, save=False)
        return named[key]

    articles = (build_article(parsed, outlet_of(parsed)) for parsed in parsed_articles)
    return add_articles(articles, user, progress=progress)


SAVE_BATCH = 500


@transaction.atomic
def add_articles(articles, user=None, *, progress=None):
    """Save the unsaved ``articles`` whose body is not stored yet, and propose
    the people each new one names: the write every way in ends with.

    The command and the upload reach it through ``import_articles``; the admin's
    paste form with the article it built from ``importing.parse_pasted``. An
    article whose body is stored already (or comes twice) is not saved: the
    stored one is listed in ``existing`` instead. An article's outlet not saved
    yet is saved with it. ``progress(stage, done, total)``, if given, is called
    as articles are checked ("checking"), saved ("saving") and as their people are
    suggested ("suggesting").

    Every article is validated before the first is written, the stored ones are
    found in a query per thousand, and the new ones are inserted in bulk: an import
    of ten thousand takes a few dozen queries, not tens of thousands. It stays one
    transaction however long, so that a failure, or a kill, at any point leaves the
    database as it was; a bulk insert writes no ``post_save``, which suits new
    articles: nothing public cites them yet (``stories.caching``).
    """
    articles = list(articles)
    result = ImportResult()
    hashes = [body_sha256(article.body) for article in articles]
    stored = {}
    for start in range(0, len(hashes), SAVE_BATCH * 2):
        chunk = set(hashes[start : start + SAVE_BATCH * 2])
        stored.update(
            (article.body_sha256, article)
            for article in Article.objects.filter(body_sha256__in=chunk)
        )
    for done, (article, sha256) in enumerate(zip(articles, hashes, strict=True), start=1):
        known = stored.get(sha256)
        if known is not None:
            result.existing.append(known)
            result.outcomes.append((Outcome.UNCHANGED, known))
        else:
            article.body_sha256 = sha256
            # Uniqueness is what ``stored`` just answered, for all of them at once.
            article.full_clean(validate_unique=False)
            stored[sha256] = article
            result.created.append(article)
            result.outcomes.append((Outcome.IMPORTED, article))
        _tick(progress, "checking", done, len(articles))
    for article in result.created:
        if article.outlet is not None and article.outlet.pk is None:
            article.outlet.save()  # validated when it was named; bulk_create takes its id
    for start in range(0, len(result.created), SAVE_BATCH):
        Article.objects.bulk_create(result.created[start : start + SAVE_BATCH])
        _tick(progress, "saving", min(start + SAVE_BATCH, len(result.created)), len(result.created))
    # Proposals for the editor to confirm; nothing is tagged.
    suggest_people_for_new(
        result.created,
        user,
        progress=lambda done, total: _tick(progress, "suggesting", done, total),
    )
    return result


def import_batch(batch, outlet_name="", user=None, progress=None):
    """Import a batch read by ``stories.text.batches``, or nothing if any file was refused,
    and say what became of each file.

    ``progress`` is ``add_articles``'s.
    """
    if batch.refused:
        rows = [
            SummaryRow(Outcome.REFUSED, one_line(error.source), reason=one_line(error.problem))
            for error in batch.refused
        ]
        return ImportSummary(rows, skipped=len(batch.skipped))
    result = import_articles(batch.articles, outlet_name, user, progress=progress)
    rows = [
        SummaryRow(outcome, one_line(parsed.source or parsed.source_name), article)
        for parsed, (outcome, article) in zip(batch.articles, result.outcomes, strict=True)
    ]
    return ImportSummary(rows, skipped=len(batch.skipped))


def _tick(progress: Callable | None, stage, done, total):
    if progress is not None:
        progress(stage, done, total)
