"""Article versions: a corrected text becomes a new version, and every passage follows it.

One transaction: the new version is stored, the article's current text becomes it, and each
passage cited from the text it replaces is re-anchored (``stories.text.reanchoring``). A
settled passage (exact, moved) is bound to the new text; any other keeps pointing at the
version it was cited from, so a passage is never bound to text it did not quote and a
published story keeps showing what it cited, until an editor settles it (``settle``).
A passage still waiting from an earlier version is re-anchored again, from the text it
quotes, so what the desk shows for it is always about the current text; and the pending
people suggestions' mentions follow the diff where it leaves them unchanged, or are dropped.
"""

from itertools import groupby

from django.db import transaction

from ..models import (
    AnchorState,
    Article,
    ArticleVersion,
    Evidence,
    PersonSuggestion,
    SuggestionStatus,
)
from ..text import anchoring
from ..text.importing import body_sha256
from ..text.reanchoring import BodyChange
from .history import record


def current_version(article):
    """The article's latest version; articles loaded from fixtures get their version 1 here."""
    version = article.versions.order_by("-number").first()
    if version is None:
        version = first_version(article)
        version.save()
    return version


def first_version(article):
    """Version 1 of ``article``, unsaved: the text it came with (an import inserts these in
    bulk, ``services.articles``). Its hash is the article's, taken from the same body when
    the article was saved or planned; ``save()`` takes it again anyway."""
    return ArticleVersion(
        article=article,
        number=1,
        body=article.body,
        body_sha256=article.body_sha256,
        url=article.url,
        source_name=article.source_name,
        imported_at=article.imported_at,
    )


@transaction.atomic
def add_version(article, body, *, url="", source_name="", user=None):
    """Make ``body`` the article's new current version and re-anchor its passages; return
    the new version, or None when ``body`` is the current text already."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if body_sha256(body) == article.body_sha256:
        return None
    previous = current_version(article)
    version = ArticleVersion.objects.create(
        article=article,
        number=previous.number + 1,
        body=body,
        url=url or article.url,
        source_name=source_name or article.source_name,
    )
    # A passage still waiting is looked for again, from the text it quotes, in this one: its
    # state and candidates then always describe the current text, and the same rules may
    # settle it now. Left on the text before, a confirmed candidate would select other words.
    waiting = list(
        article.evidence.awaiting_editor()
        .filter(article_version__isnull=False)
        .select_related("article_version")
        .order_by("article_version__number", "pk")
    )
    change = BodyChange(article.body, body)
    current = list(article.evidence.filter(article_version__isnull=True).order_by("pk"))
    _reanchor(current, change, previous, version)
    for cited, passages in groupby(waiting, key=lambda evidence: evidence.article_version):
        reused = change if cited.pk == previous.pk else BodyChange(cited.body, body)
        _reanchor(list(passages), reused, cited, version)
    _follow_suggestions(article, change)
    article.body, article.url = body, version.url
    article.source_name = version.source_name
    article.save()
    if user is not None:
        record(user, article, f"Imported version {version.number}; passages re-anchored.")
    return version


def _reanchor(passages, change, cited, version):
    """Record where ``change`` takes each passage quoted from ``cited``: a settled one is
    bound to ``version``, any other keeps citing ``cited`` and waits with fresh candidates."""
    results = change.reanchor_all(passages)
    for evidence, result in zip(passages, results, strict=True):
        if result.settled:
            found = anchoring.make_anchor(version.body, result.start, result.end)
            evidence.start, evidence.end = found.start, found.end
            evidence.quote, evidence.prefix, evidence.suffix = (
                found.quote,
                found.prefix,
                found.suffix,
            )
            evidence.article_version = None
        else:
            evidence.article_version = cited
        evidence.anchor_state = result.state
        evidence.anchor_score = result.score
        evidence.anchor_candidates = [
            {
                "start": c.start,
                "end": c.end,
                "text": c.text,
                "score": c.score,
                "context": c.context,
            }
            for c in result.candidates
        ]
        evidence.reanchored_in = version
        evidence.save()


def _follow_suggestions(article, change):
    """Carry the pending person suggestions' mentions into the new text.

    A mention follows only where the diff carries it over unchanged, its neighbours too
    (``BodyChange.carry_unchanged``); any other is dropped, never guessed, so a snippet marks
    the words suggested or none. A suggestion left with none waits for *Suggest people* to
    look again; its decision, and the names rejected, are untouched.
    """
    pending = PersonSuggestion.objects.filter(article=article, status=SuggestionStatus.PENDING)
    for suggestion in pending:
        carried = [change.carry_unchanged(start, end) for start, end in suggestion.mentions]
        mentions = [list(span) for span in carried if span is not None]
        if mentions != suggestion.mentions:
            suggestion.mentions = mentions
            suggestion.save(update_fields=["mentions"])


class TextReplaced(anchoring.AnchorError):
    """Offsets chosen in a text of the article that a newer version has replaced since."""

    def __init__(self):
        super().__init__(
            "the article has a newer version than the text the passage was chosen in. "
            "Choose it again in the current text."
        )


@transaction.atomic
def settle(evidence, start, end, user=None, *, text_sha256=None):
    """An editor binds a waiting passage to ``body[start:end]`` of the current text (a
    candidate confirmed, or another passage chosen in the reading view).

    ``text_sha256`` is the SHA-256 of the text the editor chose the offsets in: when it is
    no longer the current text, ``TextReplaced`` and nothing changes, since the offsets
    would select other words. The article is locked as ``add_version`` locks it, so no new
    version lands between the check and the write."""
    article = Article.objects.select_for_update().get(pk=evidence.article_id)
    if text_sha256 is not None and text_sha256 != article.body_sha256:
        raise TextReplaced
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    if not evidence.awaits_editor:  # settled by another editor meanwhile: theirs stands
        raise anchoring.AnchorError("this passage no longer waits for an editor.")
    evidence.article = article
    found = anchoring.make_anchor(article.body, start, end)
    evidence.start, evidence.end = found.start, found.end
    evidence.quote, evidence.prefix, evidence.suffix = found.quote, found.prefix, found.suffix
    evidence.article_version = None
    evidence.anchor_state = AnchorState.CITED
    evidence.anchor_score, evidence.anchor_candidates = None, []
    evidence.reanchored_in = None
    evidence.save()
    if user is not None:
        record(user, evidence, f"Re-anchored to “{found.quote[:60]}” in the current version.")
    return evidence


def anchor_rows(evidence):
    """``check_anchors``'s report: one dict per passage, with the version it points at."""
    rows, numbers = [], {}
    for item in evidence.select_related("article", "article_version").order_by("article_id", "pk"):
        version = item.article_version
        if version is None and item.article_id not in numbers:
            numbers[item.article_id] = item.article.current_version_number()
        number = version.number if version else numbers[item.article_id]
        rows.append(
            {
                "evidence": item.pk,
                "article": item.article_id,
                "version": number,
                "state": item.anchor_state or AnchorState.EXACT.value,
                "start": item.start,
                "end": item.end,
                "quote": item.quote,
                "score": item.anchor_score,
                "candidates": item.anchor_candidates,
            }
        )
    return rows
