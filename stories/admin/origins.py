"""Origins, the editors' decisions on them, derived articles and verdicts.

Proposals (likely-same origins, derived articles) are made by the desk and
only ever decided here, by an editor; the reader's counts follow decisions,
never proposals.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone

from ..models import (
    Derivation,
    DerivationStatus,
    EvidenceRelay,
    MatchStatus,
    Origin,
    OriginMatch,
    Verdict,
)
from ..services import decisions, proposals
from ..text import anchoring
from .common import autocomplete_source


def may_decide(request):
    """Decisions change what readers count: editors only."""
    return request.user.has_perm("stories.publish_story")


@admin.register(Origin)
class OriginAdmin(admin.ModelAdmin):
    list_display = ["label", "kind", "person", "outlet", "article", "passages"]
    list_filter = ["kind", "outlet"]
    list_select_related = ["person", "outlet", "article__outlet"]
    search_fields = ["label", "person__name", "outlet__name", "article__headline"]
    autocomplete_fields = ["person", "outlet", "article"]
    fields = ["kind", "label", "person", "outlet", "article", "note"]
    actions = ["propose_same"]

    @admin.action(description="Propose likely-same origins (among all) for an editor to decide")
    def propose_same(self, request, queryset):
        found = proposals.propose_same_origins()
        self.message_user(
            request,
            f"{len(found)} pair(s) of origins proposed as possibly one; decide them under "
            "Origin matches.",
            messages.SUCCESS,
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if autocomplete_source(request):
            return queryset  # a picker shows labels: no count over every passage
        return queryset.annotate(passage_count=Count("evidence"))

    def get_search_results(self, request, queryset, search_term):
        """A picker may ask for some kinds only (``?kind=post&kind=outlet``: the cite
        form's *Relayed by*, whose field accepts no other)."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        kinds = request.GET.getlist("kind")
        if kinds and autocomplete_source(request):
            queryset = queryset.filter(kind__in=kinds)
        return queryset, may_have_duplicates

    @admin.display(description="passages", ordering="passage_count")
    def passages(self, obj):
        return obj.passage_count

    def has_change_permission(self, request, obj=None):
        # A public origin's label is on readers' pages: changing it is an editor's call.
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed or may_decide(request):
            return allowed
        return not Origin.objects.published().filter(pk=obj.pk).exists()

    has_delete_permission = has_change_permission


class EvidenceRelayInline(admin.TabularInline):
    """A passage's chain between its origin and the article, nearest the origin first."""

    model = EvidenceRelay
    extra = 1
    autocomplete_fields = ["origin"]
    fields = ["position", "origin"]
    verbose_name = "relay"
    verbose_name_plural = "chain: relayed by (1 = nearest the origin)"


class DecisionAdmin(admin.ModelAdmin):
    """Shared by the two proposal queues: editors decide, everyone else reads."""

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and may_decide(request)

    def has_add_permission(self, request):
        return False  # proposals come from the desk, not typed in

    def save_model(self, request, obj, form, change):
        # The admin logs the change itself; the decision is signed and dated here.
        obj.decided_by, obj.decided_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)

    def _decide(self, request, queryset, decide, status, done):
        count = 0
        for obj in queryset:
            decide(obj, status, request.user)
            count += 1
        self.message_user(request, f"{count} {done}.", messages.SUCCESS)


@admin.register(OriginMatch)
class OriginMatchAdmin(DecisionAdmin):
    list_display = ["first", "second", "status", "reason", "score", "decided_by", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["first", "second", "decided_by"]
    search_fields = ["first__label", "second__label", "reason"]
    readonly_fields = ["first", "second", "reason", "score", "decided_by", "decided_at"]
    fields = ["first", "second", "reason", "score", "status", "decided_by", "decided_at"]
    actions = ["mark_same", "mark_possibly_same", "mark_different"]

    @admin.action(description="The same origin (count once)", permissions=["change"])
    def mark_same(self, request, queryset):
        self._decide(
            request, queryset, decisions.decide_origin_match, MatchStatus.SAME, "marked the same"
        )

    @admin.action(description="Possibly the same (count once, say so)", permissions=["change"])
    def mark_possibly_same(self, request, queryset):
        self._decide(
            request,
            queryset,
            decisions.decide_origin_match,
            MatchStatus.POSSIBLY,
            "marked possibly the same",
        )

    @admin.action(description="Different origins (never propose again)", permissions=["change"])
    def mark_different(self, request, queryset):
        self._decide(
            request,
            queryset,
            decisions.decide_origin_match,
            MatchStatus.DIFFERENT,
            "marked different",
        )


@admin.register(Derivation)
class DerivationAdmin(DecisionAdmin):
    list_display = ["derived", "source", "kind", "score", "status", "direction", "decided_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["source__outlet", "derived__outlet", "decided_by"]
    search_fields = ["source__headline", "derived__headline"]
    readonly_fields = [
        "source",
        "derived",
        "kind",
        "score",
        "direction",
        "shared",
        "decided_by",
        "decided_at",
    ]
    fields = [*readonly_fields[:5], "status", "shared", "decided_by", "decided_at"]
    actions = ["confirm", "reject"]
    change_form_template = "admin/stories/derivation/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        derivation = self.get_object(request, object_id)
        extra = {}
        if derivation is not None:
            extra["sides"] = [
                (derivation.source, "source", side_by_side(derivation, "source")),
                (derivation.derived, "derived", side_by_side(derivation, "derived")),
            ]
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    @admin.action(description="Confirm: the second copies the first", permissions=["change"])
    def confirm(self, request, queryset):
        self._decide(
            request,
            queryset,
            decisions.decide_derivation,
            DerivationStatus.CONFIRMED,
            "derivation(s) confirmed",
        )

    @admin.action(description="Reject (never propose this pair again)", permissions=["change"])
    def reject(self, request, queryset):
        self._decide(
            request,
            queryset,
            decisions.decide_derivation,
            DerivationStatus.REJECTED,
            "derivation(s) rejected",
        )


def side_by_side(derivation, side):
    """One article's paragraphs with the passages it shares with the other marked."""
    article = getattr(derivation, side)
    spans = [
        (i, shared[f"{side}_start"], shared[f"{side}_end"])
        for i, shared in enumerate(derivation.shared)
        if f"{side}_start" in shared
    ]
    return [
        [(segment.text, bool(segment.marks)) for segment in paragraph]
        for paragraph in anchoring.segment_paragraphs(article.body, spans)
    ]


@admin.register(Verdict)
class VerdictAdmin(admin.ModelAdmin):
    list_display = ["claim", "rating", "decided_by", "decided_at"]
    list_filter = ["rating"]
    list_select_related = ["claim", "decided_by"]
    search_fields = ["claim__text", "reason"]
    autocomplete_fields = ["claim"]
    fields = ["claim", "rating", "reason", "decided_by", "decided_at"]
    readonly_fields = ["decided_by", "decided_at"]

    def save_model(self, request, obj, form, change):
        obj.decided_by, obj.decided_at = request.user, timezone.now()
        super().save_model(request, obj, form, change)
