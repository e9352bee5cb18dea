"""Anchors to review: the passages a new version of their article left for an editor.

Re-anchoring (``services.versions``) settles exact and moved passages itself; a fuzzy,
needs-review or orphaned one keeps pointing at the version it quotes until an editor here
confirms a candidate, chooses another passage of the current text, or detaches it.

Another passage is chosen by selecting it in the article's reading view in re-anchor mode
(``?reanchor=<evidence id>``, see ``reanchoring``), or by pasting it on the review page
without JavaScript; both post to the review page, so one view decides and one rule
(``anchoring.make_anchor`` on the current text) checks what they send.
"""

from django.contrib import admin, messages
from django.contrib.admin.models import DELETION
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import Truncator

from .. import roles
from ..models import AnchorToReview
from ..services import versions
from ..services.history import record
from ..text import anchoring


@admin.register(AnchorToReview)
class AnchorsToReviewAdmin(admin.ModelAdmin):
    list_display = ["passage", "article", "cited_version", "anchor_state", "anchor_score", "found"]
    list_display_links = ["passage"]
    list_filter = ["anchor_state"]
    list_select_related = ["article__outlet", "article_version", "claim"]
    search_fields = ["quote", "article__headline", "claim__text"]

    def get_queryset(self, request):
        return super().get_queryset(request).awaiting_editor()

    # Evidence's permissions decide: the queue is a way of changing evidence.
    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("stories.view_evidence") or self.has_change_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return may_reanchor(request.user)

    def has_delete_permission(self, request, obj=None):
        if not request.user.has_perm("stories.delete_evidence"):
            return False
        # Readers see a public claim's evidence: only an editor may take it away.
        return obj is None or roles.may_change_public_claim(request.user, obj.claim)

    def has_add_permission(self, request):
        return False

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    @admin.display(description="passage")
    def passage(self, obj):
        return Truncator(obj.quote).chars(80)

    @admin.display(description="cites version")
    def cited_version(self, obj):
        return obj.article_version.number if obj.article_version_id else "current"

    @admin.display(description="candidates")
    def found(self, obj):
        return len(obj.anchor_candidates)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A passage settled since its link was shown still has a page, saying so.
        queryset = AnchorToReview.objects.select_related(
            "article", "claim", "article_version", "reanchored_in"
        )
        evidence = get_object_or_404(queryset, pk=object_id)
        if not self.has_view_permission(request, evidence):
            raise PermissionDenied
        if request.method == "POST":
            if not evidence.awaits_editor:
                messages.info(request, "This passage no longer waits for an editor.")
                return HttpResponseRedirect(reverse("admin:stories_anchortoreview_changelist"))
            return self.decide(request, evidence)
        article = evidence.article
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Re-anchor “{Truncator(evidence.quote).chars(60)}”",
            "evidence": evidence,
            "article": article,
            "version": evidence.article_version,
            "current": article.current_version_number(),
            "candidates": evidence.anchor_candidates,
            # Their offsets index this text: the confirm forms say so, and are refused once
            # a newer version has replaced it (and are not offered when it has already).
            "candidates_in": evidence.reanchored_in,
            "candidates_current": evidence.reanchored_in is not None
            and evidence.reanchored_in.body_sha256 == article.body_sha256,
            "reading_url": reverse("admin:stories_article_read", args=[article.pk]),
            "reanchor_url": reanchor_url(evidence),
            "changelist_url": reverse("admin:stories_anchortoreview_changelist"),
            "waiting": evidence.awaits_editor,
            "evidence_url": reverse("admin:stories_evidence_change", args=[evidence.pk]),
            "can_change": self.has_change_permission(request, evidence),
            "can_detach": self.has_delete_permission(request, evidence),
        }
        return TemplateResponse(request, "admin/stories/anchortoreview/review.html", context)

    def decide(self, request, evidence):
        """Confirm a candidate (``start``/``end``), bind a quote pasted from the current
        text (``quote``), or detach the evidence (``detach``).

        The reading view's form and every candidate's also send the SHA-256 of the text their
        offsets index (``body_sha256``): offsets chosen in a text a newer version has replaced
        since would select other words, so they are refused rather than bound to them
        (``versions.TextReplaced``)."""
        back = HttpResponseRedirect(reverse("admin:stories_anchortoreview_changelist"))
        # A refusal goes back to where the passage was chosen, to choose it again.
        chosen_in_reading_view = request.POST.get("chosen_in") == "reading_view"
        here = HttpResponseRedirect(
            reanchor_url(evidence) if chosen_in_reading_view else request.path
        )
        if "detach" in request.POST:
            if not self.has_delete_permission(request, evidence):
                raise PermissionDenied
            record(request.user, evidence, "Detached in Anchors to review.", DELETION)
            evidence.delete()
            messages.success(request, "The evidence was detached from its claim.")
            return back
        if not self.has_change_permission(request, evidence):
            raise PermissionDenied
        body = evidence.article.body
        # The text the offsets or the quote were chosen in: the reading view's form says
        # which; otherwise the one this request checks them against.
        text_sha256 = request.POST.get("body_sha256") or evidence.article.body_sha256
        try:
            if text_sha256 != evidence.article.body_sha256:
                raise versions.TextReplaced
            if request.POST.get("quote", "").strip():
                found = anchoring.locate(body, request.POST["quote"])
                start, end = found.start, found.end
            else:
                start, end = _offset(request.POST, "start"), _offset(request.POST, "end")
                if not anchoring.make_anchor(body, start, end).quote.strip():
                    raise anchoring.AnchorError(
                        f"The offsets {start}\u2013{end} select no words of the article."
                    )
            versions.settle(evidence, start, end, request.user, text_sha256=text_sha256)
        except anchoring.AnchorError as exc:
            messages.error(request, f"Nothing was changed: {exc}")
            return here
        messages.success(request, "The passage now points at the current version.")
        return back


def may_reanchor(user):
    """Re-pointing a passage is changing its evidence: the queue and the reading view's
    re-anchor mode ask the same permission."""
    return user.has_perm("stories.change_evidence")


def reanchor_url(evidence):
    """The reading view of the passage's article in re-anchor mode for that passage."""
    url = reverse("admin:stories_article_read", args=[evidence.article_id])
    return f"{url}?reanchor={evidence.pk}#reanchor"


def reanchoring(request, article):
    """What the reading view needs to re-point the passage ``?reanchor=<evidence id>``
    names, or None (the usual reading view) with a message saying why when the id names
    no passage of this article that waits for an editor, or the editor may not change it.
    """
    asked = request.GET.get("reanchor")
    if asked is None:
        return None
    evidence = None
    if (pk := _whole_number(asked)) is not None:
        evidence = (
            AnchorToReview.objects.filter(pk=pk, article=article)
            .select_related("claim", "article_version")
            .first()
        )
    shown = Truncator(asked).chars(20)
    if evidence is None:
        messages.error(
            request,
            f"There is no passage #{shown} of this article to re-anchor: the reading view "
            "opens as usual.",
        )
        return None
    if not may_reanchor(request.user):
        messages.error(request, "Re-pointing a passage needs permission to change evidence.")
        return None
    if not evidence.awaits_editor:
        messages.info(
            request,
            f"Passage #{evidence.pk} no longer waits for an editor: it is anchored to the "
            "current version already.",
        )
        return None
    return {
        "evidence": evidence,
        "version": evidence.article_version,
        "current": article.current_version_number(),
        "review_url": reverse("admin:stories_anchortoreview_change", args=[evidence.pk]),
        "body_sha256": article.body_sha256,
    }


# The largest id or offset taken: what every database's integer column holds.
LARGEST = 2**31 - 1


def _whole_number(value):
    """``value`` as a whole number in ASCII digits ("²" is a digit to ``str.isdigit``, and
    no integer), or None; one too large for the database is None too."""
    if not (value.isascii() and value.isdigit()) or int(value) > LARGEST:
        return None
    return int(value)


def _offset(data, name):
    value = data.get(name, "")
    number = _whole_number(value)
    if number is None:
        raise anchoring.AnchorError(f"The {name} offset {value!r} is not a whole number.")
    return number
