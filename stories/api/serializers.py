"""The API's shapes. Like ``reconciliation.json`` they are a contract with
partners: fields are only ever added, never renamed or removed.

Addresses are absolute (``request.build_absolute_uri``). A claim's weighing is
``exports.claim_data``, the same dict the story's reconciliation holds for it;
the serializers here describe that dict for the OpenAPI schema.
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Article, Claim, Person, Rating, Stance, Story
from ..text import independence


def absolute(serializer, path):
    return serializer.context["request"].build_absolute_uri(path)


class AbsoluteUrlField(serializers.Field):
    """The object's page on the site (``get_absolute_url``), absolute."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return self.context["request"].build_absolute_uri(value.get_absolute_url())


extend_schema_field(OpenApiTypes.URI)(AbsoluteUrlField)


class ApiUrlField(AbsoluteUrlField):
    """The object's own address in this API."""

    def __init__(self, view_name, lookup="pk", **kwargs):
        self.view_name, self.lookup = view_name, lookup
        super().__init__(**kwargs)

    def to_representation(self, value):
        path = reverse(self.view_name, kwargs={self.lookup: getattr(value, self.lookup)})
        return self.context["request"].build_absolute_uri(path)


class SlugsField(serializers.ListField):
    """Tags (topics or people) as their slugs, from a prefetched manager."""

    child = serializers.SlugField()

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, manager):
        return [tag.slug for tag in manager.all()]


# --- People ----------------------------------------------------------------------------------


class PersonSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), source="alias_list")
    url = AbsoluteUrlField()
    api_url = ApiUrlField("api:person-detail", lookup="slug")
    feed = serializers.SerializerMethodField(help_text="Atom feed of the stories about them.")

    class Meta:
        model = Person
        fields = ["id", "slug", "name", "aliases", "description", "url", "api_url", "feed"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_feed(self, person):
        return absolute(self, reverse("stories:person_feed", kwargs={"slug": person.slug}))


# --- Claims ----------------------------------------------------------------------------------


class VerdictSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=Rating.choices)
    label = serializers.CharField()
    rating_value = serializers.IntegerField(
        allow_null=True, help_text="schema.org's scale: 5 best, 1 worst; null for unproven."
    )
    reason = serializers.CharField()
    decided_at = serializers.DateTimeField()


class OriginSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()
    kind = serializers.CharField()
    anonymous = serializers.BooleanField()
    second_hand = serializers.BooleanField()
    independent_of_others = serializers.BooleanField()
    counted_with = serializers.ListField(child=serializers.IntegerField(allow_null=True))
    how = serializers.ListField(child=serializers.CharField())
    chains = serializers.ListField(child=serializers.CharField())
    evidence = serializers.ListField(child=serializers.IntegerField(), help_text="Evidence ids.")


class SideSerializer(serializers.Serializer):
    articles = serializers.ListField(child=serializers.IntegerField(), help_text="Source ids.")
    independent_origins = serializers.IntegerField()
    origins = OriginSerializer(many=True)


class ClaimWeighingSerializer(serializers.Serializer):
    """``exports.claim_data``: a claim weighed by independent origin."""

    id = serializers.IntegerField()
    text = serializers.CharField()
    url = serializers.URLField()
    status = serializers.ChoiceField(choices=list(independence.STATUS_LABELS.items()))
    status_label = serializers.CharField()
    reason = serializers.CharField()
    verdict = VerdictSerializer(allow_null=True)
    contradicts = serializers.ListField(child=serializers.IntegerField())
    supporting = SideSerializer()
    disputing = SideSerializer()
    mentioning = SideSerializer()


class PassageSerializer(serializers.Serializer):
    """A passage of a source, by character offsets into its body."""

    id = serializers.IntegerField(source="pk")
    claim = serializers.IntegerField(source="claim_id")
    source = serializers.IntegerField(source="article_id")
    stance = serializers.ChoiceField(choices=Stance.choices)
    quote = serializers.CharField()
    start = serializers.IntegerField(help_text="Offset of the passage's first character.")
    end = serializers.IntegerField(help_text="Offset just after its last character.")
    prefix = serializers.CharField(allow_blank=True)
    suffix = serializers.CharField(allow_blank=True)
    origin = serializers.CharField(
        source="origin_words", help_text="Where the source says it comes from."
    )
    url = AbsoluteUrlField(help_text="The passage highlighted on its source's page.")
    version = serializers.SerializerMethodField(
        help_text="The version of the source the passage quotes: the offsets index its text."
    )
    latest_version = serializers.SerializerMethodField(
        help_text="The source's newest version; greater than version when it changed since."
    )

    @extend_schema_field(OpenApiTypes.INT)
    def get_version(self, evidence):
        return evidence.version_numbers()[0]

    @extend_schema_field(OpenApiTypes.INT)
    def get_latest_version(self, evidence):
        return evidence.version_numbers()[1]


class ClaimListSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    status_label = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField()
    people = SlugsField()
    topics = SlugsField()
    url = AbsoluteUrlField()
    api_url = ApiUrlField("api:claim-detail")

    class Meta:
        model = Claim
        fields = [
            "id",
            "text",
            "status",
            "status_label",
            "verdict",
            "people",
            "topics",
            "url",
            "api_url",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=list(independence.STATUS_LABELS.items())))
    def get_status(self, claim):
        return claim.assessment.status

    @extend_schema_field(OpenApiTypes.STR)
    def get_status_label(self, claim):
        return claim.assessment.status_label

    @extend_schema_field(VerdictSerializer(allow_null=True))
    def get_verdict(self, claim):
        return claim.weighing_data["verdict"]


class ClaimDetailSerializer(ClaimListSerializer):
    weighing = serializers.SerializerMethodField(
        help_text="The claim weighed by independent origin, as in a story's reconciliation."
    )
    evidence = PassageSerializer(many=True, source="evidence.all")

    class Meta(ClaimListSerializer.Meta):
        fields = [*ClaimListSerializer.Meta.fields, "weighing", "evidence"]

    @extend_schema_field(ClaimWeighingSerializer)
    def get_weighing(self, claim):
        return claim.weighing_data


# --- Sources ---------------------------------------------------------------------------------


class SourceSerializer(serializers.ModelSerializer):
    outlet = serializers.CharField(source="outlet.name", allow_null=True, default=None)
    original_url = serializers.CharField(
        source="url", help_text="The publisher's address, or empty."
    )
    label = serializers.CharField(read_only=True, help_text="How the story pages name the source.")
    length = serializers.SerializerMethodField(
        help_text="Characters in the body the offsets count."
    )
    url = AbsoluteUrlField()
    api_url = ApiUrlField("api:source-detail")

    class Meta:
        model = Article
        fields = [
            "id",
            "headline",
            "label",
            "outlet",
            "byline",
            "published_on",
            "original_url",
            "length",
            "url",
            "api_url",
        ]

    @extend_schema_field(OpenApiTypes.INT)
    def get_length(self, article):
        return len(article.body)


class SourceDetailSerializer(SourceSerializer):
    passages = PassageSerializer(many=True, source="public_passages")

    class Meta(SourceSerializer.Meta):
        fields = [*SourceSerializer.Meta.fields, "passages"]


# --- Stories ---------------------------------------------------------------------------------


class CitationSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="The marker's number on the story page.")
    evidence = PassageSerializer()


class StatementSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="statement.pk")
    position = serializers.IntegerField(source="statement.position")
    text = serializers.CharField(source="statement.text")
    people = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True)

    @extend_schema_field(serializers.ListField(child=serializers.SlugField()))
    def get_people(self, item):
        return [person.slug for person in item.statement.people]


class CorrectionSerializer(serializers.Serializer):
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class StorySerializer(serializers.ModelSerializer):
    headline = serializers.CharField(source="published_revision.headline")
    standfirst = serializers.CharField(source="published_revision.standfirst")
    revision = serializers.IntegerField(source="published_revision.number")
    updated_at = serializers.DateTimeField(
        source="published_revision.created_at", help_text="When the revision shown was published."
    )
    people = SlugsField(source="published_revision.people")
    topics = SlugsField()
    url = AbsoluteUrlField()
    api_url = ApiUrlField("api:story-detail", lookup="slug")

    class Meta:
        model = Story
        fields = [
            "id",
            "slug",
            "headline",
            "standfirst",
            "published_at",
            "updated_at",
            "revision",
            "people",
            "topics",
            "url",
            "api_url",
        ]


class StoryDetailSerializer(StorySerializer):
    statements = StatementSerializer(many=True, source="reconciliation.statements")
    corrections = CorrectionSerializer(many=True, source="corrections.all")
    reconciliation = serializers.SerializerMethodField(
        help_text="The story's reconciliation.json, embedded (schema newsroom.reconciliation/1)."
    )
    reconciliation_url = serializers.SerializerMethodField()

    class Meta(StorySerializer.Meta):
        fields = [
            *StorySerializer.Meta.fields,
            "statements",
            "corrections",
            "reconciliation",
            "reconciliation_url",
        ]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_reconciliation(self, story):
        return story.reconciliation_data

    @extend_schema_field(OpenApiTypes.URI)
    def get_reconciliation_url(self, story):
        return absolute(self, reverse("stories:reconciliation", kwargs={"slug": story.slug}))
