"""Article versions: a corrected text becomes a new version, and every passage follows it.

One transaction: the new version is stored, the article's current text becomes it, and each
passage cited from the text it replaces is re-anchored (``stories.text.reanchoring``). A
settled passage (exact, moved) is bound to the new text; any other keeps pointing at the
version it was cited from, so a passage is never bound to text it did not quote and a
published story keeps showing what it cited, until an editor settles it (``settle``).
"""

from django.db import transaction

from ..models import AnchorState, Article, ArticleVersion, Evidence
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
    bulk, ``services.articles``)."""
    return ArticleVersion(
        article=article,
        number=1,
        body=article.body,
        body_sha256=body_sha256(article.body),
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
    # Passages left waiting on an older version stay there: they wait for an editor still.
    passages = list(article.evidence.filter(article_version__isnull=True).order_by("pk"))
    results = BodyChange(article.body, body).reanchor_all(passages)
    for evidence, result in zip(passages, results, strict=True):
        if result.settled:
            found = anchoring.make_anchor(body, result.start, result.end)
            evidence.start, evidence.end = found.start, found.end
            evidence.quote, evidence.prefix, evidence.suffix = (
                found.quote,
                found.prefix,
                found.suffix,
            )
        else:
            evidence.article_version = previous
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
    for evidence in passages:
        evidence.save()
    article.body, article.url = body, version.url
    article.source_name = version.source_name
    article.save()
    if user is not None:
        record(user, article, f"Imported version {version.number}; passages re-anchored.")
    return version


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
