from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views import View
from django.views.generic import DetailView, ListView, RedirectView, TemplateView
from django.views.generic.detail import SingleObjectMixin

from . import exports, roles, search
from .models import Article, Claim, Evidence, Person, PersonMention, Story
from .selectors import Ledger, evidence_with_chains, quote_conflicts, relays_in_order
from .text import fragments, reconciling, searching


class PublicQuerysetMixin:
    """The one place reader views decide what they may show.

    The public sees what the model's ``published()`` allows; the desk (a user
    with a desk role, ``roles.may_preview``) sees everything, so an editor can
    preview a draft at its real address. ``?as=reader`` shows the desk exactly
    the reader's page: the public querysets, as for anyone else.
    """

    READER_PARAMETER = ("as", "reader")

    def as_reader(self):
        name, value = self.READER_PARAMETER
        return self.request.GET.get(name) == value

    def is_preview(self):
        return roles.may_preview(self.request.user) and not self.as_reader()

    def get_context_data(self, **kwargs):
        return super().get_context_data(as_reader=self.as_reader(), **kwargs)

    def visible(self, model):
        manager = model._default_manager
        return manager.all() if self.is_preview() else manager.published()

    def get_queryset(self):
        return self.visible(self.model)

    def stories_citing(self, **lookups):
        """Stories whose published revision (or, for staff, draft) matches any lookup."""
        where = Q()
        for lookup, value in lookups.items():
            where |= Q(**{f"published_revision__{lookup}": value})
            if self.is_preview():
                where |= Q(**{f"statements__{lookup}": value})
        return (
            self.visible(Story)
            .filter(where)
            .select_related("published_revision")
            .distinct()
            .order_by("-published_at", "-pk")
        )


def cited_evidence():
    """Evidence with everything a reader page prints about it, in few queries."""
    return Evidence.objects.with_version_numbers().select_related("article__outlet", "origin")


def weighed_evidence(claims):
    """Cited evidence plus its claim, the claim's people and its rivals.

    ``claims`` are those that may be shown as contradicting it: for readers, the
    public ones (a rival only a draft cites, and its sources, stay unpublished).
    What every source says about the claims is loaded afterwards, for cited
    claims and rivals together (``with_all_evidence``), so a claim that is both
    cited and a rival is never fetched twice.
    """
    return (
        cited_evidence()
        .select_related("claim__verdict")
        .prefetch_related(Prefetch("claim__contradicts", queryset=claims), "claim__people")
    )


def with_all_evidence(statements):
    """Load every passage (with its chain) of the claims ``statements`` cite and
    of their rivals, in one query for all of them."""
    claims = [evidence.claim for statement in statements for evidence in statement.evidence]
    claims += [rival for claim in claims for rival in claim.contradicts.all()]
    prefetch_related_objects(claims, Prefetch("evidence", queryset=evidence_with_chains()))
    return statements


def quote_conflicts_by_article(articles):
    """{article pk: [(start, end, group)]} for the quotations ``articles`` give
    to different speakers. Speakers are compared by their words alone (no
    lookup of people on file), so the page spends no query on it."""
    found = {}
    for group in quote_conflicts(articles, names={}):
        for appearance in group.appearances:
            found.setdefault(appearance.article, []).append(
                (appearance.start, appearance.end, group)
            )
    return found


def who_said(evidence, conflicts):
    """The other articles' speakers for a cited passage that quotes a disputed quotation."""
    for start, end, group in conflicts.get(evidence.article_id, []):
        if start < evidence.end and evidence.start < end:
            return [
                (a.article, a.speaker)
                for a in group.appearances
                if a.article != evidence.article_id
            ]
    return []


def publisher_link(evidence):
    """The passage on the publisher's own page (a W3C Text Fragment), or ""."""
    article = evidence.article
    if not article.url or not evidence.matches_article():
        return ""
    try:
        # The text the offsets index: an older version for a passage still waiting on it.
        return fragments.text_fragment_url(article.url, evidence.text, evidence.start, evidence.end)
    except ValueError:
        return ""


class StoryListView(PublicQuerysetMixin, ListView):
    model = Story
    paginate_by = 20
    context_object_name = "stories"

    def get_queryset(self):
        # The front page lists what readers can read, even for staff.
        return (
            Story.objects.published()
            .select_related("published_revision")
            .order_by("-published_at", "-pk")
        )


class StoryViewMixin(PublicQuerysetMixin):
    """What the story page and its JSON share: the story as readers see it,
    reconciled by independent origin."""

    model = Story

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("published_revision")
            .prefetch_related("corrections")
        )

    def reconcile(self, story, revision):
        """The reconciliation and the claims x sources matrix of ``revision``
        (or of the draft, for None)."""
        evidence = weighed_evidence(self.visible(Claim))
        if revision is None:
            statements = with_all_evidence(story.cited_statements(evidence))
        else:
            statements = with_all_evidence(revision.statements(evidence))
        ledger = Ledger()
        reconciliation = reconciling.reconcile(statements, ledger.weigh)
        chains = reconciliation.chains()
        conflicts = quote_conflicts_by_article(reconciliation.sources)
        articles = {article.pk: article for article in reconciliation.sources}
        for citation in reconciliation.citations:
            citation.chain = chains.get(citation.evidence.pk, "")
            citation.fragment_url = publisher_link(citation.evidence)
            citation.who_said = [
                (articles[pk], speaker) for pk, speaker in who_said(citation.evidence, conflicts)
            ]
        matrix = reconciling.compare(
            reconciliation.assessments, reconciliation.sources, ledger.derived_from_ids
        )
        return reconciliation, matrix


class StoryDetailView(StoryViewMixin, DetailView):
    """Readers see the latest published revision; staff may preview the draft."""

    context_object_name = "story"

    def get(self, request, *args, **kwargs):
        """The story, or, at an address it had (``StorySlug``), a permanent
        redirect to its current one, if the visitor may see it."""
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            moved = self.visible(Story).filter(old_slugs__slug=kwargs.get("slug")).first()
            if moved is None:
                raise
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(
            moved.get_absolute_url() + (f"?{query}" if query else "")
        )

    def wants_draft(self):
        story = self.object
        return self.is_preview() and ("preview" in self.request.GET or not story.is_published)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        story = self.object
        if self.wants_draft():
            shown, revision = story, None
        else:
            shown = revision = story.published_revision
        reconciliation, matrix = self.reconcile(story, revision)
        people = {}
        for item in reconciliation.statements:
            for person in item.statement.people:
                people.setdefault(person.pk, person)
            for mention in item.claims:
                for person in mention.assessment.claim.people.all():
                    people.setdefault(person.pk, person)
        absolute = self.request.build_absolute_uri
        structured = ""
        if revision is not None:
            structured = exports.ld_json(
                exports.news_article(story, revision, reconciliation, absolute),
                *(exports.claim_review(a, absolute) for a in reconciliation.assessments),
            )
        context.update(
            headline=shown.headline,
            standfirst=shown.standfirst,
            revision=revision,
            corrections=list(story.corrections.all()),
            reconciliation=reconciliation,
            matrix=matrix,
            people=sorted(people.values(), key=lambda person: person.name),
            is_draft_preview=revision is None,
            structured_data=structured,
            reconciliation_url=exports.reconciliation_url(story) if revision else "",
        )
        return context


class ReconciliationView(StoryViewMixin, SingleObjectMixin, View):
    """``<story URL>reconciliation.json``: the published revision's reconciliation
    for fact-checking partners. Like the page, it never shows a draft — not
    even to staff."""

    def get_queryset(self):
        return super().get_queryset().filter(pk__in=Story.objects.published())

    def is_preview(self):
        return False  # the JSON is what readers see, whoever asks

    def get(self, request, *args, **kwargs):
        story = self.get_object()
        revision = story.published_revision
        reconciliation, matrix = self.reconcile(story, revision)
        data = exports.reconciliation_data(
            story, revision, reconciliation, matrix, request.build_absolute_uri
        )
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})


class ArticleDetailView(PublicQuerysetMixin, DetailView):
    """A source: its full text, with every public passage highlighted and addressable,
    and the names of people readers can look up linked to their pages."""

    model = Article
    context_object_name = "article"
    template_name = "stories/source_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("outlet")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        # ?version=N: an older text, as the passages cited from it quote it.
        version = self.older_version()
        passages = list(
            self.visible(Evidence)
            .filter(article=article, article_version=version)
            .select_related("claim", "origin")
            .prefetch_related(relays_in_order())
            .order_by("start", "pk")
        )
        for passage in passages:
            passage.article = article
        mentions = PersonMention.objects.filter(article=article).select_related("person")
        if not self.is_preview():
            mentions = mentions.filter(person__in=Person.objects.published())
        # The template highlights them with the {% highlighted_body %} tag; mentions were
        # found in the current text only.
        context.update(
            passages=passages,
            mentions=[] if version else list(mentions.order_by("start")),
            version=version,
            body=version.body if version else article.body,
        )
        return context

    def older_version(self):
        """The version ``?version=N`` names when it is not the current one, else None."""
        number = self.request.GET.get("version", "")
        if not number:
            return None
        version = self.object.versions.filter(number=number if number.isdigit() else -1).first()
        if version is None:
            raise Http404("This article has no such version.")
        if not self.object.versions.filter(number__gt=version.number).exists():
            return None
        return version


class PersonDetailView(PublicQuerysetMixin, DetailView):
    model = Person
    context_object_name = "person"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        claims = (
            self.visible(Claim)
            .filter(people=person)
            .select_related("verdict")
            .prefetch_related(Prefetch("evidence", queryset=evidence_with_chains()))
        )
        stories = self.stories_citing(people=person, evidence__claim__people=person)
        ledger = Ledger()
        context.update(
            assessments=[reconciling.assess(claim, ledger.weigh, depth=0) for claim in claims],
            stories=stories,
        )
        return context


class ClaimDetailView(PublicQuerysetMixin, DetailView):
    """A claim with every passage for and against it, and the stories that cite it."""

    model = Claim
    context_object_name = "claim"

    def get_queryset(self):
        rivals = self.visible(Claim).prefetch_related(
            Prefetch("evidence", queryset=evidence_with_chains())
        )
        return (
            super()
            .get_queryset()
            .select_related("verdict__decided_by")
            .prefetch_related(
                Prefetch("evidence", queryset=evidence_with_chains()),
                Prefetch("contradicts", queryset=rivals),
                "people",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment = reconciling.assess(self.object, Ledger().weigh)
        review = exports.claim_review(assessment, self.request.build_absolute_uri)
        context.update(
            assessment=assessment,
            structured_data=exports.ld_json(review) if review else "",
            sections=[
                ("Supporting", assessment.supporting),
                ("Disputing", assessment.disputing),
                ("Mentioning", assessment.mentioning),
            ],
            stories=self.stories_citing(evidence__claim=self.object),
        )
        return context


class SearchView(TemplateView):
    """``/search/?q=``: published stories, public claims, people and sources, each
    kind ranked (``stories.search``), its matching words marked.

    Without ``kind`` every kind shows its best few, with a link to all of them;
    with ``kind`` one kind is paginated. Any input gets a calm page: a query
    with nothing searchable in it lists nothing and says so. Staff see what
    readers see, as on the front page.
    """

    template_name = "stories/search.html"
    per_kind = 5
    paginate_by = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = searching.parse(self.request.GET.get("q", ""))
        chosen = search.KINDS_BY_KEY.get(self.request.GET.get("kind", ""))
        groups = []
        if not query.empty:
            for kind in [chosen] if chosen else search.KINDS:
                groups.append(self.group(kind, query, paginated=chosen is not None))
        context.update(
            query=query,
            search_query=query.text,
            kind=chosen,
            groups=groups,
            total=sum(group["count"] for group in groups),
        )
        return context

    def group(self, kind, query, paginated):
        results = kind.matching(query)
        page = None
        if paginated:
            page = Paginator(results, self.paginate_by).get_page(self.request.GET.get("page"))
            items, count = list(page), page.paginator.count
        else:
            items = list(results[: self.per_kind + 1])
            count = len(items) if len(items) <= self.per_kind else results.count()
            items = items[: self.per_kind]
        if kind.model is Story and items:
            statements = search.statement_texts(items)
            for story in items:
                revision = story.published_revision
                texts = [revision.standfirst, *statements[story.pk]]
                story.search_excerpt = searching.first_hit(texts, query.terms) or texts[0]
        return {"kind": kind, "items": items, "count": count, "page": page}


class FaviconView(RedirectView):
    """``/favicon.ico``, which browsers and crawlers ask for whatever the page says,
    is the static icon (its hashed name in production, so not a permanent redirect)."""

    def get_redirect_url(self, *args, **kwargs):
        return static("stories/favicon.ico")
