"""Claims and the evidence passages that support or dispute them.

Claims and evidence are versioned (``stories.locking``): two editors saving the
same claim or passage never overwrite each other; the second is shown what the
first changed, and by whom.
"""

from django.contrib import admin

from .. import roles
from ..forms import ClaimForm, EvidenceForm
from ..locking.admin import VersionedAdminMixin, VersionedInlineMixin
from ..models import Claim, Evidence, Stance
from .common import (
    PeopleFormMixin,
    PersonListFilter,
    PublicClaimGuardMixin,
    autocomplete_source,
    count_of,
    may_change_public,
    passage_in_context,
)
from .compare import ClaimsMatrixMixin
from .origins import EvidenceRelayInline

EVIDENCE_FIELDS = [
    "article",
    "quote",
    ("start", "context"),
    "passage",
    "stance",
    "origin",
    "origin_kind",
    ("origin_label", "origin_person"),
]


class EvidenceFormMixin:
    """The evidence form as both the claim's inline and the evidence page show it."""

    form = EvidenceForm
    autocomplete_fields = ["article", "origin"]
    readonly_fields = ["passage"]
    fields = EVIDENCE_FIELDS

    @admin.display(description="passage as anchored")
    def passage(self, obj):
        return passage_in_context(obj)


class EvidenceInline(
    PublicClaimGuardMixin, EvidenceFormMixin, VersionedInlineMixin, admin.StackedInline
):
    """Rows of the claim's page; ``obj`` in the permission checks is the claim."""

    model = Evidence
    extra = 1

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and may_change_public(request, obj)


@admin.register(Claim)
class ClaimAdmin(
    ClaimsMatrixMixin, PublicClaimGuardMixin, VersionedAdminMixin, PeopleFormMixin, admin.ModelAdmin
):
    form = ClaimForm
    list_display = ["text", "supporting", "disputing", "is_disputed", "updated_at"]
    list_filter = [PersonListFilter, "evidence__stance", "evidence__article__outlet"]
    search_fields = ["text", "note"]
    ordering = Claim._meta.ordering  # Meta.ordering is dropped once counts add a GROUP BY
    autocomplete_fields = ["contradicts"]
    fields = ["text", "people", "topics", "contradicts", "note"]
    inlines = [EvidenceInline]

    show_full_result_count = False  # no second COUNT over every claim

    def get_queryset(self, request):
        # Counted per row shown (``count_of``), not by grouping the join of all evidence.
        return (
            super()
            .get_queryset(request)
            .annotate(
                supporting=count_of(Evidence, "claim", stance=Stance.SUPPORTS),
                disputing=count_of(Evidence, "claim", stance=Stance.DISPUTES),
                rivals=count_of(Claim.contradicts.through, "from_claim"),
            )
        )

    def get_search_results(self, request, queryset, search_term):
        """Picking the claim of a passage (the evidence page, the reading view's cite
        form) offers only the claims the user may add evidence to, as the forms'
        querysets allow (``roles.changeable_claims``): a reporter is not shown a
        claim a published story cites only to be refused it on saving."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if autocomplete_source(request) == ("stories", "evidence", "claim"):
            queryset = roles.changeable_claims(request.user, queryset)
        return queryset, may_have_duplicates

    @admin.display(description="supporting", ordering="supporting")
    def supporting(self, obj):
        return obj.supporting

    @admin.display(description="disputing", ordering="disputing")
    def disputing(self, obj):
        return obj.disputing

    @admin.display(description="disputed", boolean=True)
    def is_disputed(self, obj):
        return bool(obj.disputing or obj.rivals)

    def save_related(self, request, form, formsets, change):
        """*Contradicts* is symmetrical: linking or unlinking a claim changes the
        other claim's list too, so that claim's version moves (a form open on it
        would otherwise save its old list back) and its history says who did it."""
        others = form.contradicts_changed()
        super().save_related(request, form, formsets, change)
        if others:
            self.bump_and_log(
                request,
                Claim.objects.filter(pk__in=others),
                f"Changed Contradicts (through the claim “{form.instance}”).",
            )


@admin.register(Evidence)
class EvidenceAdmin(
    PublicClaimGuardMixin, EvidenceFormMixin, VersionedAdminMixin, admin.ModelAdmin
):
    list_display = ["__str__", "claim", "stance", "origin", "anchored"]
    list_filter = ["stance", "origin__kind", "article__outlet"]
    list_select_related = ["article__outlet", "claim", "origin"]
    show_full_result_count = False  # no second COUNT over every passage
    search_fields = ["quote", "claim__text", "article__headline", "article__outlet__name"]
    autocomplete_fields = ["claim", *EvidenceFormMixin.autocomplete_fields]
    fields = ["claim", *EVIDENCE_FIELDS]

    inlines = [EvidenceRelayInline]

    def guarded_claim(self, obj):
        return obj.claim if obj else None

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "claim":
            kwargs["queryset"] = roles.changeable_claims(request.user, Claim.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="matches article", boolean=True)
    def anchored(self, obj):
        return obj.matches_article()

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("article__outlet", "claim"), may_have_duplicates
