from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.views.generic import DetailView, ListView

from .models import Article, Claim, Evidence, Person, PersonMention, Story
from .text import reconciling


class PublicQuerysetMixin:
    """The one place reader views decide what they may show.

    The public sees what the model's ``published()`` allows; staff see
    everything, so an editor can preview a draft at its real address.
    """

    def is_preview(self):
        return self.request.user.is_active and self.request.user.is_staff

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
    return Evidence.objects.select_related("article__outlet", "attributed_person")


def weighed_evidence(claims):
    """Cited evidence plus its claim and what every source says about that claim.

    ``claims`` are those that may be shown as contradicting it: for readers, the
    public ones (a rival only a draft cites, and its sources, stay unpublished).
    """
    rivals = claims.prefetch_related(Prefetch("evidence", queryset=cited_evidence()))
    return (
        cited_evidence()
        .select_related("claim")
        .prefetch_related(
            Prefetch("claim__evidence", queryset=cited_evidence()),
            Prefetch("claim__contradicts", queryset=rivals),
            "claim__people",
        )
    )


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


class Listed(list):
    """A list that answers ``.all()``, as the related managers it stands in for."""

    def all(self):
        return self


@dataclass
class PublishedStatement:
    """A statement as a revision recorded it, with live evidence and people."""

    pk: int
    position: int
    text: str
    evidence: Listed
    people: Listed


def revision_statements(revision, claims):
    """Rebuild a revision's statements in a fixed number of queries."""
    items = revision.statements
    evidence = weighed_evidence(claims).in_bulk({pk for item in items for pk in item["evidence"]})
    people = Person.objects.in_bulk({pk for item in items for pk in item["people"]})
    return [
        PublishedStatement(
            pk=item["id"],
            position=item["position"],
            text=item["text"],
            evidence=Listed(evidence[pk] for pk in item["evidence"] if pk in evidence),
            people=Listed(people[pk] for pk in item["people"] if pk in people),
        )
        for item in items
    ]


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

    def wants_draft(self):
        story = self.object
        return self.is_preview() and (
            "preview" in self.request.GET
            or not story.is_published
            or story.published_revision is None
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        story = self.object
        if self.wants_draft():
            shown, revision = story, None
            statements = list(
                story.statements.order_by("position", "pk").prefetch_related(
                    "people", Prefetch("evidence", queryset=weighed_evidence(self.visible(Claim)))
                )
            )
        else:
            shown = revision = story.published_revision
            statements = revision_statements(revision, self.visible(Claim))
        reconciliation = reconciling.reconcile(statements)
        people = {}
        for item in reconciliation.statements:
            for person in item.statement.people.all():
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
            people=sorted(people.values(), key=lambda person: person.name),
            is_draft_preview=revision is None,
        )
        return context


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
        # The template highlights them with the {% highlighted_body %} tag.
        context.update(passages=passages, mentions=list(mentions.order_by("start")))
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
            .prefetch_related(Prefetch("evidence", queryset=cited_evidence()), "contradicts")
        )
        stories = self.stories_citing(people=person, evidence__claim__people=person)
        context.update(
            assessments=[reconciling.assess(claim, depth=0) for claim in claims],
            stories=stories,
        )
        return context


class ClaimDetailView(PublicQuerysetMixin, DetailView):
    """A claim with every passage for and against it, and the stories that cite it."""

    model = Claim
    context_object_name = "claim"

    def get_queryset(self):
        rivals = self.visible(Claim).prefetch_related(
            Prefetch("evidence", queryset=cited_evidence())
        )
        return (
            super()
            .get_queryset()
            .prefetch_related(
                Prefetch("evidence", queryset=cited_evidence()),
                Prefetch("contradicts", queryset=rivals),
                "people",
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assessment = reconciling.assess(self.object)
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
