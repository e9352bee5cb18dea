from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.views.generic import DetailView, ListView

from . import roles
from .models import Article, Claim, Evidence, Person, PersonMention, Story
from .selectors import Ledger, evidence_with_chains
from .text import anchoring, fragments, reconciling


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
    return Evidence.objects.select_related("article__outlet", "attributed_person", "origin")


def chained_evidence():
    """Evidence with its origin and chain of relays, as claims are weighed from."""
    return evidence_with_chains().select_related("attributed_person")


def weighed_evidence(claims):
    """Cited evidence plus its claim and what every source says about that claim.

    ``claims`` are those that may be shown as contradicting it: for readers, the
    public ones (a rival only a draft cites, and its sources, stay unpublished).
    """
    rivals = claims.prefetch_related(Prefetch("evidence", queryset=chained_evidence()))
    return (
        cited_evidence()
        .select_related("claim__verdict")
        .prefetch_related(
            Prefetch("claim__evidence", queryset=chained_evidence()),
            Prefetch("claim__contradicts", queryset=rivals),
            "claim__people",
        )
    )


def publisher_link(evidence):
    """The passage on the publisher's own page (a W3C Text Fragment), or ""."""
    article = evidence.article
    if not article.url or not evidence.matches_article():
        return ""
    try:
        return fragments.text_fragment_url(article.url, article.body, evidence.start, evidence.end)
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


class StoryDetailView(PublicQuerysetMixin, DetailView):
    """Readers see the latest published revision; staff may preview the draft."""

    model = Story
    context_object_name = "story"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("published_revision")
            .prefetch_related("corrections")
        )

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
        evidence = weighed_evidence(self.visible(Claim))
        if self.wants_draft():
            shown, revision = story, None
            statements = story.cited_statements(evidence)
        else:
            shown = revision = story.published_revision
            statements = revision.statements(evidence)
        ledger = Ledger()
        reconciliation = reconciling.reconcile(statements, ledger.weigh)
        chains = reconciliation.chains()
        for citation in reconciliation.citations:
            citation.chain = chains.get(citation.evidence.pk, "")
            citation.fragment_url = publisher_link(citation.evidence)
        people = {}
        for item in reconciliation.statements:
            for person in item.statement.people:
                people.setdefault(person.pk, person)
            for mention in item.claims:
                for person in mention.assessment.claim.people.all():
                    people.setdefault(person.pk, person)
        context.update(
            headline=shown.headline,
            standfirst=shown.standfirst,
            revision=revision,
            corrections=list(story.corrections.all()),
            reconciliation=reconciliation,
            matrix=reconciling.compare(
                reconciliation.assessments, reconciliation.sources, ledger.derived_from_ids
            ),
            people=sorted(people.values(), key=lambda person: person.name),
            is_draft_preview=revision is None,
        )
        return context


def highlighted_paragraphs(body, passages, mentions=()):
    """The body's paragraphs as runs of text, each with the passages covering it,
    the passages whose ``#passage-<id>`` target it holds, and the person a
    stored mention there names (or None).

    Passages and mentions are cut by one segmentation pass (ids ``("p", pk)``
    and ``("m", pk)``), so a name links to its person inside a highlighted
    passage as well as outside one. Passages or mentions that no longer match
    the body are left out rather than drawn in the wrong place.
    """
    by_id = {("p", p.pk): p for p in passages if p.matches_article()}
    by_id.update({("m", m.pk): m for m in mentions if body[m.start : m.end] == m.text})
    spans = [(key, item.start, item.end) for key, item in by_id.items()]
    return [
        [
            {
                "start": segment.start,
                "end": segment.end,
                "text": segment.text,
                "passages": [by_id[key] for key in segment.marks if key[0] == "p"],
                "opens": [by_id[key] for key in segment.opens if key[0] == "p"],
                "person": next((by_id[key].person for key in segment.marks if key[0] == "m"), None),
            }
            for segment in paragraph
        ]
        for paragraph in anchoring.segment_paragraphs(body, spans)
    ]


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
        passages = list(
            self.visible(Evidence)
            .filter(article=article)
            .select_related("claim", "attributed_person")
            .order_by("start", "pk")
        )
        for passage in passages:
            passage.article = article
        mentions = PersonMention.objects.filter(article=article).select_related("person")
        if not self.is_preview():
            mentions = mentions.filter(person__in=Person.objects.published())
        paragraphs = highlighted_paragraphs(article.body, passages, mentions.order_by("start"))
        context.update(paragraphs=paragraphs, passages=passages)
        return context


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
            .prefetch_related(Prefetch("evidence", queryset=chained_evidence()))
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
            Prefetch("evidence", queryset=chained_evidence())
        )
        return (
            super()
            .get_queryset()
            .select_related("verdict__decided_by")
            .prefetch_related(
                Prefetch("evidence", queryset=chained_evidence()),
                Prefetch("contradicts", queryset=rivals),
                "people",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment = reconciling.assess(self.object, Ledger().weigh)
        context.update(
            assessment=assessment,
            sections=[
                ("Supporting", assessment.supporting),
                ("Disputing", assessment.disputing),
                ("Mentioning", assessment.mentioning),
            ],
            stories=self.stories_citing(evidence__claim=self.object),
        )
        return context
