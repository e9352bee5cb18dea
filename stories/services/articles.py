"""Importing articles: every way in (command, upload, paste) ends here, in one transaction."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.text import slugify

from ..models import (
    Article,
    Outlet,
    PersonSuggestion,
    SuggestionStatus,
)
from ..text import derivation
from ..text.importing import body_sha256, one_line
from .suggestions import suggest_people
from .versions import add_version, current_version

# A text without a URL sharing this much (containment of the smaller text, see
# ``stories.text.derivation``) with an article on file is probably a version of it: a
# correction keeps nearly all of its text, while two reports of one press release or one
# template (a council vote, a match report) share about half.
RESEMBLES = 0.8


class ResemblesArticle(ValidationError):
    """A text without a URL that mostly repeats an article on file: the editor must say
    whether it is that article's new version or a new article.

    What it resembles is carried here, not only in the message, for whoever offers the
    choice (the job page's buttons): ``article_id``, ``score`` and the text's ``sha256``
    (how ``versions_of`` names the text when the editor answers).
    """

    def __init__(self, message, *, article_id, score, sha256, headline):
        super().__init__(message, code="resembles")
        self.article_id, self.score = article_id, score
        self.sha256, self.headline = sha256, headline


class Outcome(models.TextChoices):
    """What an import did with one file, in the order a summary lists them.

    The same text is unchanged; a changed text of an article on file (the same canonical
    URL, or the article given with ``--revises``) is a new version of it.
    """

    IMPORTED = "imported", "imported"
    NEW_VERSION = "new_version", "new version of an existing article"
    UNCHANGED = "unchanged", "unchanged"
    REFUSED = "refused", "refused"


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    existing: list = field(default_factory=list)
    revised: list = field(default_factory=list)  # articles given a new version
    # (Outcome, Article) for each article given, in the order given.
    outcomes: list = field(default_factory=list)

    def summary(self):
        """The result in the words the desk shows after an import, however it ran."""
        suggested = PersonSuggestion.objects.filter(
            article__in=self.created, status=SuggestionStatus.PENDING
        ).count()
        return (
            f"Imported {len(self.created):,} article(s); {len(self.existing):,} already imported."
            + (f" {len(self.revised):,} new version(s) of articles." if self.revised else "")
            + (
                f" {suggested:,} suggested people to confirm in the reading views."
                if suggested
                else ""
            )
        )


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
        """``(outcome, count)`` for every outcome, in order, zeros included but for new
        versions, which most imports never make."""
        counted = [
            (outcome, sum(row.outcome == outcome for row in self.rows)) for outcome in Outcome
        ]
        return [(o, n) for o, n in counted if n or o != Outcome.NEW_VERSION]


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
def import_articles(
    parsed_articles,
    outlet_name="",
    user=None,
    progress=None,
    *,
    revises=None,
    as_new=False,
    versions_of=None,
):
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
    return add_articles(
        articles, user, progress=progress, revises=revises, as_new=as_new, versions_of=versions_of
    )


@transaction.atomic
def add_articles(
    articles, user=None, *, progress=None, revises=None, as_new=False, versions_of=None
):
    """Save the unsaved ``articles`` whose body is not stored yet, and propose
    the people each new one names: the write every way in ends with.

    The command and the upload reach it through ``import_articles``; the admin's
    paste form with the article it built from ``importing.parse_pasted``. An
    article whose body is stored already (or comes twice) is not saved: the
    stored one is listed in ``existing`` instead. An article's outlet not saved
    yet is saved with it. ``progress(stage, done, total)``, if given, is called
    as articles are saved ("saving") and as their people are suggested
    ("suggesting").

    A changed text of an article on file becomes its new version (``versions.add_version``):
    the article ``revises`` (one text only), or the one with the same URL. A text without a
    URL that resembles an article on file strongly is refused (``ResemblesArticle``). With
    ``as_new``, every changed text is a new article (the editor's word against both rules).
    ``versions_of`` maps a text's SHA-256 to the article it is a new version of: an editor's
    answer to such a refusal, text by text, in a batch of any size.
    """
    articles = list(articles)
    if revises is not None and len(articles) != 1:
        raise ValidationError(
            f"--revises {revises.pk}: give exactly one text, the new version "
            f"({len(articles)} were given)."
        )
    result = ImportResult()
    seen = {}
    index = None
    for done, article in enumerate(articles, start=1):
        sha256 = body_sha256(article.body)
        stored = seen.get(sha256) or Article.objects.filter(body_sha256=sha256).first()
        target = revises or (versions_of or {}).get(sha256)
        if target is None and article.url and stored is None and not as_new:
            target = Article.objects.filter(url=article.url).order_by("pk").first()
        if stored is not None:
            result.existing.append(stored)
            result.outcomes.append((Outcome.UNCHANGED, stored))
        elif target is not None:
            add_version(target, article.body, url=article.url, source_name=article.source_name)
            target.refresh_from_db()
            seen[sha256] = target
            result.revised.append(target)
            result.outcomes.append((Outcome.NEW_VERSION, target))
        else:
            if not as_new and not article.url:
                if index is None:  # once, over the articles on file before this import
                    index = _index_on_file()
                _refuse_if_resembling(article, index)
            if article.outlet is not None and article.outlet.pk is None:
                article.outlet.save()  # validated when it was named
            article.full_clean()
            article.save()
            current_version(article)  # version 1
            seen[sha256] = article
            result.created.append(article)
            result.outcomes.append((Outcome.IMPORTED, article))
        _tick(progress, "saving", done, len(articles))
    for done, article in enumerate(result.created, start=1):
        suggest_people(article, user)  # proposals for the editor to confirm; nothing is tagged
        _tick(progress, "suggesting", done, len(result.created))
    return result


def import_batch(
    batch, outlet_name="", user=None, progress=None, *, revises=None, as_new=False, versions_of=None
):
    """Import a batch read by ``stories.text.batches``, or nothing if any file was refused,
    and say what became of each file.

    ``progress``, ``revises``, ``as_new`` and ``versions_of`` are ``add_articles``'s.
    """
    if batch.refused:
        rows = [
            SummaryRow(Outcome.REFUSED, one_line(error.source), reason=one_line(error.problem))
            for error in batch.refused
        ]
        return ImportSummary(rows, skipped=len(batch.skipped))
    result = import_articles(
        batch.articles,
        outlet_name,
        user,
        progress=progress,
        revises=revises,
        as_new=as_new,
        versions_of=versions_of,
    )
    rows = [
        SummaryRow(outcome, one_line(parsed.source or parsed.source_name), article)
        for parsed, (outcome, article) in zip(batch.articles, result.outcomes, strict=True)
    ]
    return ImportSummary(rows, skipped=len(batch.skipped))


def resembled(body, index=None):
    """``(article, score)``: the article on file that ``body`` mostly repeats, or None.

    ``index`` is a ``DerivationIndex`` over the articles on file, built here if not given
    (linear in their text)."""
    index = _index_on_file() if index is None else index
    relations = [r for r in index.query(derivation.ArticleText(0, body)) if r.score >= RESEMBLES]
    if not relations:
        return None
    best = max(relations, key=lambda r: r.score)
    return Article.objects.get(pk=best.source or best.derived), best.score


def _index_on_file():
    return derivation.DerivationIndex(
        derivation.ArticleText(a.pk, a.body) for a in Article.objects.only("pk", "body").iterator()
    )


def _refuse_if_resembling(article, index):
    """A text with no URL that mostly repeats an article on file is probably its corrected
    version: the editor says which (``--revises ID``) or that it is new (``--as-new``)."""
    found = resembled(article.body, index)
    if found is None:
        return
    other, score = found
    raise ResemblesArticle(
        f"“{one_line(article.headline)}” resembles article #{other.pk} “{one_line(other.headline)}”"
        f" ({score:.0%} of its text shared) but has no URL to tell: import it with "
        f"--revises {other.pk} to make it a new version of that article, or with --as-new "
        "to import it as a new article.",
        article_id=other.pk,
        score=score,
        sha256=body_sha256(article.body),
        headline=one_line(article.headline),
    )


def _tick(progress: Callable | None, stage, done, total):
    if progress is not None:
        progress(stage, done, total)
