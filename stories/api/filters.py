"""The lists' query parameters (django-filter). Each narrows a ``published()``
QuerySet; none can widen it."""

import functools
import operator

import django_filters as filters
from django.db.models import Prefetch, Q

from ..models import Article, Claim, Evidence, Person, Rating, Story
from ..selectors import Ledger, evidence_with_chains
from ..text import independence, reconciling


def matching_any(queryset, value, *lookups):
    """``queryset``'s rows for which any of ``lookups`` is ``value``, each row
    once (the lookups cross many-valued relations, so they go in a subquery)."""
    where = functools.reduce(operator.or_, (Q(**{lookup: value}) for lookup in lookups))
    return queryset.filter(pk__in=queryset.model.objects.filter(where).values("pk"))


def on_or_after(lookup, help_text="On or after this date (YYYY-MM-DD)."):
    return filters.DateFilter(field_name=lookup, lookup_expr="gte", help_text=help_text)


def on_or_before(lookup, help_text="On or before this date (YYYY-MM-DD)."):
    return filters.DateFilter(field_name=lookup, lookup_expr="lte", help_text=help_text)


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
    published_after = on_or_after("published_at__date")
    published_before = on_or_before("published_at__date")

    class Meta:
        model = Story
        fields = []

    def by_person(self, queryset, name, value):
        return matching_any(
            queryset,
            value,
            "published_revision__people__slug",
            "published_revision__evidence__claim__people__slug",
        )

    def by_topic(self, queryset, name, value):
        return matching_any(
            queryset, value, "topics__slug", "published_revision__evidence__claim__topics__slug"
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
    updated_after = on_or_after("updated_at__date", "Changed on or after this date.")

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
    published_after = on_or_after("published_on")
    published_before = on_or_before("published_on")

    class Meta:
        model = Article
        fields = []

    def by_person(self, queryset, name, value):
        quoted = Evidence.objects.published().filter(claim__people__slug=value)
        return queryset.filter(pk__in=quoted.values("article"))

    def by_topic(self, queryset, name, value):
        return matching_any(queryset, value, "topics__slug", "evidence__claim__topics__slug")


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
