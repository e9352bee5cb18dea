"""Read-only API views: lists (paginated, filterable) and details, each from
its model's ``published()`` QuerySet and never from a draft, whoever asks.

Every response carries an ETag (Django's ``ConditionalGetMiddleware``, applied
to these views only): a client that sends it back in ``If-None-Match`` gets a
304 while nothing it would read has changed.
"""

from django.db.models import Prefetch
from django.middleware.http import ConditionalGetMiddleware
from django.utils.decorators import decorator_from_middleware
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets

from .. import exports
from ..models import Article, Evidence, Person, Story
from ..selectors import Ledger
from ..text import reconciling
from ..views import StoryViewMixin
from . import filters, serializers
from .filters import public_claims

conditional_get = decorator_from_middleware(ConditionalGetMiddleware)


class ErrorSerializer(drf_serializers.Serializer):
    detail = drf_serializers.CharField()


TOO_MANY = OpenApiResponse(ErrorSerializer, description="Too many requests: see Retry-After.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Nothing public at this address.")
BAD_FILTER = OpenApiResponse(
    OpenApiTypes.OBJECT, description="A filter's value is not valid: the messages, by parameter."
)


def documented(viewset):
    """The responses each of ``viewset``'s operations may give, errors included,
    for the schema."""
    listed = viewset.serializer_class(many=True)
    return extend_schema_view(
        list=extend_schema(responses={200: listed, 400: BAD_FILTER, 404: NOT_FOUND, 429: TOO_MANY}),
        retrieve=extend_schema(
            responses={200: viewset.detail_serializer_class, 404: NOT_FOUND, 429: TOO_MANY}
        ),
    )(viewset)


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """GET (and HEAD) only, answered with an ETag."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        return conditional_get(super().as_view(*args, **kwargs))

    def get_serializer_class(self):
        return self.detail_serializer_class if self.action == "retrieve" else self.serializer_class


class PublicReconciliation(StoryViewMixin):
    """The story page's reconciliation of the revision readers see (never a draft)."""

    def is_preview(self):
        return False


@documented
class StoryViewSet(ReadOnlyViewSet):
    """Published stories, newest first; the detail embeds the reconciliation."""

    serializer_class = serializers.StorySerializer
    detail_serializer_class = serializers.StoryDetailSerializer
    filterset_class = filters.StoryFilter
    lookup_field = "slug"

    def get_queryset(self):
        stories = Story.objects.published().select_related("published_revision")
        stories = stories.prefetch_related("topics", "published_revision__people")
        if self.action == "retrieve":
            stories = stories.prefetch_related("corrections")
        return stories.order_by("-published_at", "-pk")

    def get_object(self):
        story = super().get_object()
        revision = story.published_revision
        reconciliation, matrix = PublicReconciliation().reconcile(story, revision)
        story.reconciliation = reconciliation
        story.reconciliation_data = exports.reconciliation_data(
            story, revision, reconciliation, matrix, self.request.build_absolute_uri
        )
        return story


@documented
class ClaimViewSet(ReadOnlyViewSet):
    """Public claims: those the revision readers see of some story cites."""

    serializer_class = serializers.ClaimListSerializer
    detail_serializer_class = serializers.ClaimDetailSerializer
    filterset_class = filters.ClaimFilter

    def get_queryset(self):
        claims = public_claims().prefetch_related("people", "topics")
        if self.action == "retrieve":
            # The rivals a reader may see, with their evidence, as the claim page loads them.
            claims = claims.prefetch_related(Prefetch("contradicts", queryset=public_claims()))
        return claims.order_by("pk")

    def paginate_queryset(self, queryset):
        return self.weigh(super().paginate_queryset(queryset))

    def get_object(self):
        return self.weigh([super().get_object()], depth=1)[0]

    def weigh(self, claims, depth=0):
        """Each claim's assessment as its page makes it, and its JSON as exports has it."""
        ledger = Ledger()
        absolute = self.request.build_absolute_uri
        for claim in claims:
            claim.assessment = reconciling.assess(claim, ledger.weigh, depth=depth)
            claim.weighing_data = exports.claim_data(claim.assessment, absolute)
        return claims


@documented
class SourceViewSet(ReadOnlyViewSet):
    """Public sources: articles quoted by public evidence. Their metadata and
    passages by offset; the body itself stays on the source page."""

    serializer_class = serializers.SourceSerializer
    detail_serializer_class = serializers.SourceDetailSerializer
    filterset_class = filters.SourceFilter

    def get_queryset(self):
        articles = Article.objects.filter(pk__in=Article.objects.published().values("pk"))
        articles = articles.select_related("outlet")
        if self.action == "retrieve":
            passages = (
                Evidence.objects.published()
                .with_version_numbers()
                .select_related("origin")
                .prefetch_related("relays__origin")
                .order_by("start", "pk")
            )
            articles = articles.prefetch_related(
                Prefetch("evidence", queryset=passages, to_attr="public_passages")
            )
        return articles.order_by("pk")


@documented
class PersonViewSet(ReadOnlyViewSet):
    """People a reader can look up: named in a published revision or a public claim."""

    serializer_class = serializers.PersonSerializer
    detail_serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilter
    lookup_field = "slug"  # Unicode too, as taggit makes them

    def get_queryset(self):
        return Person.objects.filter(pk__in=Person.objects.published().values("pk")).order_by(
            "name", "pk"
        )
