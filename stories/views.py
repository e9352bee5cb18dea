from django.db.models import Prefetch, Q
from django.views.generic import DetailView, ListView

from . import anchoring, reconciling
from .models import Article, Claim, Evidence, Person, Statement, Story


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


def cited_evidence():
    """Evidence with everything a reader page prints about it, in few queries."""
    return Evidence.objects.select_related("article__outlet", "attributed_person")


def weighed_evidence():
    """Cited evidence plus its claim and what every source says about that claim."""
    rivals = Claim.objects.prefetch_related(Prefetch("evidence", queryset=cited_evidence()))
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
        return Story.objects.published().order_by("-published_at", "-pk")


class StoryDetailView(PublicQuerysetMixin, DetailView):
    model = Story
    context_object_name = "story"

    def get_queryset(self):
        statements = Statement.objects.order_by("position", "pk").prefetch_related(
            "people", Prefetch("evidence", queryset=weighed_evidence())
        )
        return (
            super()
            .get_queryset()
            .select_related("published_by")
            .prefetch_related(Prefetch("statements", queryset=statements), "topics")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        statements = list(self.object.statements.all())
        reconciliation = reconciling.reconcile(statements)
        people = {}
        for item in reconciliation.statements:
            for person in item.statement.people.all():
                people.setdefault(person.pk, person)
            for mention in item.claims:
                for person in mention.assessment.claim.people.all():
                    people.setdefault(person.pk, person)
        context.update(
            reconciliation=reconciliation,
            people=sorted(people.values(), key=lambda person: person.name),
            is_draft_preview=not self.object.is_published,
        )
        return context


class ArticleDetailView(PublicQuerysetMixin, DetailView):
    """A source: its full text, with every public passage highlighted and addressable."""

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
        by_id = {passage.pk: passage for passage in passages}
        paragraphs = [
            [
                {
                    "text": segment.text,
                    "passages": [by_id[pk] for pk in segment.marks],
                    "opens": [by_id[pk] for pk in segment.opens],
                }
                for segment in paragraph
            ]
            for paragraph in anchoring.segment_paragraphs(
                article.body, [(p.pk, p.start, p.end) for p in passages if p.matches_article()]
            )
        ]
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
            .prefetch_related(Prefetch("evidence", queryset=cited_evidence()), "contradicts")
        )
        stories = (
            self.visible(Story)
            .filter(Q(statements__people=person) | Q(statements__evidence__claim__people=person))
            .distinct()
            .order_by("-published_at", "-pk")
        )
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
        rivals = Claim.objects.prefetch_related(Prefetch("evidence", queryset=cited_evidence()))
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
            stories=self.visible(Story)
            .filter(statements__evidence__claim=self.object)
            .distinct()
            .order_by("-published_at", "-pk"),
        )
        return context
