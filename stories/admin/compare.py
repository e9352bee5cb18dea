"""Comparing chosen articles on the desk: the claims × sources matrix and auto-drafting.

The matrix is the comparison readers get under "How the sources compare", but
over any set of articles an editor is working on (a story's, a topic's, or
selected ones), drafts included. Drafting turns the same claims into a draft
story the editor then edits and publishes.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from taggit.models import Tag

from ..models import Article, Claim, Story
from ..selectors import Ledger
from ..services import drafting
from ..services.drafting import claims_in
from ..text import reconciling

# Claims (rows) on one page of the matrix.
MATRIX_CLAIMS = 50


class ClaimsMatrixMixin:
    """``claim/matrix/?story=ID``, ``?topic=SLUG`` or ``?articles=1,2,3``."""

    def get_urls(self):
        matrix = path(
            "matrix/",
            self.admin_site.admin_view(self.matrix_view),
            name="stories_claim_matrix",
        )
        return [matrix, *super().get_urls()]

    def chosen_articles(self, request):
        """(what was chosen, in words; the articles), or raise Http404."""
        if story_id := request.GET.get("story"):
            story = get_object_or_404(Story, pk=story_id if story_id.isdigit() else 0)
            cited = Claim.objects.filter(evidence__statements__story=story)
            articles = Article.objects.filter(evidence__claim__in=cited)
            return f"the story “{story}”", articles
        if slug := request.GET.get("topic"):
            topic = get_object_or_404(Tag, slug=slug)
            return f"the topic “{topic}”", Article.objects.about(topic)
        ids = [int(i) for i in request.GET.get("articles", "").split(",") if i.strip().isdigit()]
        return f"{len(ids)} chosen article{'s' if len(ids) != 1 else ''}", Article.objects.filter(
            pk__in=ids
        )

    def matrix_view(self, request):
        """The matrix a page of claims at a time (``MATRIX_CLAIMS``, in claim order), every
        chosen article a column on each page: what a page costs stays the same however
        many claims a topic gathers."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        chosen, articles = self.chosen_articles(request)
        articles = list(articles.distinct().select_related("outlet").order_by("pk"))
        page = Paginator(claims_in(articles), MATRIX_CLAIMS).get_page(request.GET.get("page"))
        ledger = Ledger()
        assessments = [reconciling.assess(c, ledger.weigh) for c in page.object_list]
        if not assessments:
            messages.info(request, "No claim has evidence in these articles yet.")
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Claims × sources: {chosen}",
            "opts": self.model._meta,
            "matrix": reconciling.compare(assessments, articles, ledger.derived_from_ids),
            "page_obj": page,
            "page_query": query.urlencode(),
            "changelist_url": reverse("admin:stories_claim_changelist"),
        }
        return TemplateResponse(request, "admin/stories/claim/matrix.html", context)


def matrix_redirect(**query):
    return HttpResponseRedirect(f"{reverse('admin:stories_claim_matrix')}?{urlencode(query)}")


def free_slug(text):
    slug = slugify(f"draft {text}")[:180] or "draft"
    taken = set(Story.objects.filter(slug__startswith=slug).values_list("slug", flat=True))
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


class DraftActionMixin:
    """What an admin offering "draft a reconciled story" needs: drafting is adding
    a story, so the action is there for whoever may add one."""

    def has_draft_permission(self, request):
        return request.user.has_perm("stories.add_story")


def draft_response(model_admin, request, articles, name):
    """Draft a story from ``articles`` and open it, or say why not."""
    try:
        story = drafting.draft_story(articles, slug=free_slug(name), user=request.user)
    except drafting.DraftError as exc:
        model_admin.message_user(request, str(exc), messages.ERROR)
        return None
    model_admin.message_user(
        request,
        f"Drafted “{story}” with {story.statements.count()} statements — read it, edit it, "
        "then publish.",
        messages.SUCCESS,
    )
    return HttpResponseRedirect(reverse("admin:stories_story_change", args=[story.pk]))
