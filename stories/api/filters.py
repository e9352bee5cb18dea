"""The lists' query parameters (django-filter). Each narrows a ``published()``
QuerySet; none can widen it."""

import django_filters as filters
from django.db.models import Prefetch, Q

from ..models import Article, Claim, Evidence, Person, Rating, Story
from ..selectors import Ledger, evidence_with_chains
from ..text import independence, reconciling


def public_claims():
    """Public claims with what weighing them needs (verdict, evidence and chains)."""
    return (
        Claim.objects.filter(pk__in=Claim.objects.published().values("pk"))
        .select_related("verdict")
        .prefetch_related(Prefetch("evidence", queryset=evidence_with_chains()))
    )


class StoryFilter(filters.FilterSet):
    person = filters.CharFilter(
        method="by_person",
        help_text="A person's slug: stories naming them or citing claims about them.",
    )
    topic = filters.CharFilter(method="by_topic", help_text="A topic's slug.")
    published_after = filters.DateFilter(
        field_name="published_at", lookup_expr="date__gte", help_text="On or after this date."
    )
    published_before = filters.DateFilter(
        field_name="published_at", lookup_expr="date__lte", help_text="On or before this date."
    )

    class Meta:
        model = Story
        fields = []

    def by_person(self, queryset, name, value):
        return queryset.filter(
            pk__in=Story.objects.filter(
                Q(published_revision__people__slug=value)
                | Q(published_revision__evidence__claim__people__slug=value)
            ).values("pk")
        )

    def by_topic(self, queryset, name, value):
        return queryset.filter(
            pk__in=Story.objects.filter(
                Q(topics__slug=value) | Q(published_revision__evidence__claim__topics__slug=value)
            ).values("pk")
        )


class ClaimFilter(filters.FilterSet):
    person = filters.CharFilter(
        field_name="people__slug", distinct=True, help_text="A person's slug."
    )
    topic = filters.CharFilter(
        field_name="topics__slug", distinct=True, help_text="A topic's slug."
    )
    verdict = filters.ChoiceFilter(
        field_name="verdict__rating", choices=Rating.choices, help_text="The desk's verdict."
    )
    status = filters.ChoiceFilter(
        method="by_status",
        choices=list(independence.STATUS_LABELS.items()),
        help_text="The status counted from independent origins, as the claim's page shows it.",
    )
    updated_after = filters.DateFilter(
        field_name="updated_at", lookup_expr="date__gte", help_text="Changed on or after this date."
    )

    class Meta:
        model = Claim
        fields = []

    def by_status(self, queryset, name, value):
        # The status is counted, not stored: weigh the public claims (linear in
        # them, with their evidence in one query) and keep those that have it.
        weigh = Ledger().weigh
        keep = [
            claim.pk
            for claim in public_claims().filter(pk__in=queryset.values("pk"))
            if reconciling.assess(claim, weigh, depth=0).status == value
        ]
        return queryset.filter(pk__in=keep)


class SourceFilter(filters.FilterSet):
    person = filters.CharFilter(
        method="by_person",
        help_text="A person's slug: sources with public passages on claims about them.",
    )
    topic = filters.CharFilter(method="by_topic", help_text="A topic's slug.")
    outlet = filters.CharFilter(field_name="outlet__slug", help_text="An outlet's slug.")
    published_after = filters.DateFilter(field_name="published_on", lookup_expr="gte")
    published_before = filters.DateFilter(field_name="published_on", lookup_expr="lte")

    class Meta:
        model = Article
        fields = []

    def by_person(self, queryset, name, value):
        quoted = Evidence.objects.published().filter(claim__people__slug=value)
        return queryset.filter(pk__in=quoted.values("article"))

    def by_topic(self, queryset, name, value):
        return queryset.filter(
            pk__in=Article.objects.filter(
                Q(topics__slug=value) | Q(evidence__claim__topics__slug=value)
            ).values("pk")
        )


class PersonFilter(filters.FilterSet):
    story = filters.CharFilter(
        method="by_story", help_text="A published story's slug: the people it names."
    )

    class Meta:
        model = Person
        fields = []

    def by_story(self, queryset, name, value):
        story = Story.objects.published().filter(slug=value).first()
        if story is None:
            return queryset.none()
        return queryset.filter(revisions=story.published_revision_id)
