"""The editor's desk: the Django admin, configured for sources, claims and stories."""

from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from . import anchoring, importing, services
from .forms import ArticleAddForm, EvidenceForm, ImportArticlesForm, PeopleField
from .models import Article, Claim, Evidence, Outlet, Person, Statement, Story, StoryStatus

# Django 6.0's default; saying so now keeps Django 5.2 from warning on every URL field.
URL_FIELD_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


class PeopleFormMixin:
    """Tag people through an autocomplete instead of taggit's free-text box."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "people":
            return PeopleField(db_field.model, label="People")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class PersonListFilter(admin.SimpleListFilter):
    title = "person"
    parameter_name = "person"

    def lookups(self, request, model_admin):
        return [(person.slug, person.name) for person in Person.objects.order_by("name")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(people__slug=self.value())
        return queryset


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ["name", "homepage", "article_count"]
    search_fields = ["name"]
    ordering = Outlet._meta.ordering  # Meta.ordering is dropped once counts add a GROUP BY
    formfield_overrides = URL_FIELD_OVERRIDES
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "aliases_display", "description", "article_count", "claim_count"]
    search_fields = ["name", "aliases", "description"]
    ordering = Person._meta.ordering  # Meta.ordering is dropped once counts add a GROUP BY
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["tagged_in"]
    fields = ["name", "slug", "aliases", "description", "tagged_in"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                article_count=Count("stories_articleperson_items", distinct=True),
                claim_count=Count("stories_claimperson_items", distinct=True),
            )
        )

    @admin.display(description="aliases")
    def aliases_display(self, obj):
        return ", ".join(obj.alias_list)

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count

    @admin.display(description="tagged in")
    def tagged_in(self, obj):
        if not obj.pk:
            return "—"
        groups = [
            ("Articles", Article.objects.filter(people=obj), "admin:stories_article_change"),
            ("Claims", Claim.objects.filter(people=obj), "admin:stories_claim_change"),
            (
                "Stories",
                Story.objects.filter(
                    Q(statements__people=obj) | Q(statements__evidence__claim__people=obj)
                ).distinct(),
                "admin:stories_story_change",
            ),
        ]
        parts = []
        for title, queryset, url_name in groups:
            items = format_html_join(
                "",
                '<li><a href="{}">{}</a></li>',
                ((reverse(url_name, args=[item.pk]), str(item)) for item in queryset),
            )
            parts.append(format_html("<h4>{}</h4><ul>{}</ul>", title, items or "none"))
        return format_html_join("", "{}", ((part,) for part in parts))


IMPORTED_FIELDS = ["body_display", "body_sha256", "source_name", "imported_at"]


@admin.register(Article)
class ArticleAdmin(PeopleFormMixin, admin.ModelAdmin):
    list_display = ["headline", "outlet", "byline", "evidence_count", "imported_at"]
    list_filter = ["outlet", PersonListFilter]
    list_select_related = ["outlet"]
    search_fields = ["headline", "byline", "body", "outlet__name"]
    ordering = Article._meta.ordering  # Meta.ordering is dropped once counts add a GROUP BY
    formfield_overrides = URL_FIELD_OVERRIDES
    autocomplete_fields = ["outlet"]
    date_hierarchy = "imported_at"
    readonly_fields = IMPORTED_FIELDS
    fieldsets = [
        (None, {"fields": ["headline", "outlet", "byline", "url", "published_on"]}),
        ("Tags", {"fields": ["people", "topics"]}),
        (
            "Text as imported",
            {"fields": ["body_display", "body_sha256", "source_name", "imported_at"]},
        ),
    ]
    change_list_template = "admin/stories/article/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(evidence_count=Count("evidence"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ArticleAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["headline", "outlet", "byline", "url", "published_on"]}),
                ("Text", {"fields": ["body", "topics"]}),
            ]
        return super().get_fieldsets(request, obj)

    @admin.display(description="evidence", ordering="evidence_count")
    def evidence_count(self, obj):
        return obj.evidence_count

    @admin.display(description="body")
    def body_display(self, obj):
        spans = anchoring.paragraph_spans(obj.body) if obj.pk else []
        return format_html_join("", "<p>{}</p>", ((obj.body[a:b],) for a, b in spans))

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="stories_article_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload text files; all of them are imported, or none."""
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:stories_article_changelist"))
        form = ImportArticlesForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                parsed = [
                    importing.parse_article(
                        importing.decode_article(upload.read(), upload.name), upload.name
                    )
                    for upload in form.cleaned_data["files"]
                ]
            except importing.ArticleFileError as exc:
                form.add_error("files", f"{exc} Nothing was imported.")
            else:
                result = services.import_articles(parsed, form.cleaned_data["outlet"])
                for article in result.created:
                    self.log_addition(request, article, [{"added": {}}])
                messages.success(
                    request,
                    f"Imported {len(result.created)} article(s); "
                    f"{len(result.existing)} already imported.",
                )
                return HttpResponseRedirect(reverse("admin:stories_article_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import articles",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/stories/article/import.html", context)


class EvidenceInline(admin.StackedInline):
    model = Evidence
    form = EvidenceForm
    extra = 1
    autocomplete_fields = ["article", "attributed_person"]
    readonly_fields = ["passage"]
    fields = [
        "article",
        "quote",
        ("start", "context"),
        "passage",
        ("stance", "attribution"),
        ("attributed_to", "attributed_person"),
    ]

    @admin.display(description="passage as anchored")
    def passage(self, obj):
        return passage_in_context(obj)


def passage_in_context(evidence):
    if not evidence.pk:
        return "Found in the article when you save."
    state = "" if evidence.matches_article() else " — no longer matches the article!"
    return format_html(
        "…{}<mark>{}</mark>{}… (characters {}–{}){}",
        evidence.prefix,
        evidence.quote,
        evidence.suffix,
        evidence.start,
        evidence.end,
        state,
    )


@admin.register(Claim)
class ClaimAdmin(PeopleFormMixin, admin.ModelAdmin):
    list_display = ["text", "supporting", "disputing", "is_disputed", "updated_at"]
    list_filter = [PersonListFilter, "evidence__stance", "evidence__article__outlet"]
    search_fields = ["text", "note"]
    ordering = Claim._meta.ordering  # Meta.ordering is dropped once counts add a GROUP BY
    autocomplete_fields = ["contradicts"]
    fields = ["text", "people", "topics", "contradicts", "note"]
    inlines = [EvidenceInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                supporting=Count("evidence", filter=Q(evidence__stance="supports"), distinct=True),
                disputing=Count("evidence", filter=Q(evidence__stance="disputes"), distinct=True),
                rivals=Count("contradicts", distinct=True),
            )
        )

    @admin.display(description="supporting", ordering="supporting")
    def supporting(self, obj):
        return obj.supporting

    @admin.display(description="disputing", ordering="disputing")
    def disputing(self, obj):
        return obj.disputing

    @admin.display(description="disputed", boolean=True)
    def is_disputed(self, obj):
        return bool(obj.disputing or obj.rivals)


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    form = EvidenceForm
    list_display = ["__str__", "claim", "stance", "attribution", "anchored"]
    list_filter = ["stance", "attribution", "article__outlet"]
    list_select_related = ["article__outlet", "claim"]
    search_fields = ["quote", "claim__text", "article__headline", "article__outlet__name"]
    autocomplete_fields = ["claim", "article", "attributed_person"]
    readonly_fields = ["passage"]
    fields = [
        "claim",
        "article",
        "quote",
        ("start", "context"),
        "passage",
        ("stance", "attribution"),
        ("attributed_to", "attributed_person"),
    ]

    @admin.display(description="passage as anchored")
    def passage(self, obj):
        return passage_in_context(obj)

    @admin.display(description="matches article", boolean=True)
    def anchored(self, obj):
        return obj.matches_article()

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.select_related("article__outlet", "claim"), may_have_duplicates


class StatementInline(PeopleFormMixin, admin.StackedInline):
    model = Statement
    extra = 1
    autocomplete_fields = ["evidence"]
    fields = [("position", "text"), "evidence", "people"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("evidence__article__outlet")


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["headline", "status", "is_published", "published_at", "published_by"]
    list_filter = ["status", "published_at"]
    list_select_related = ["published_by"]
    search_fields = ["headline", "standfirst", "statements__text"]
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["status", "published_by"]
    fields = ["headline", "slug", "standfirst", "topics", "status", "published_at", "published_by"]
    inlines = [StatementInline]
    actions = ["publish", "unpublish"]
    change_form_template = "admin/stories/story/change_form.html"

    @admin.display(description="public", boolean=True)
    def is_published(self, obj):
        return obj.is_published

    def has_publish_permission(self, request):
        return request.user.has_perm("stories.publish_story")

    @admin.action(description="Publish selected stories", permissions=["publish"])
    def publish(self, request, queryset):
        for story in queryset:
            if story.is_published:
                messages.info(request, f"“{story}” was already published.")
            else:
                self._publish(request, story)

    @admin.action(description="Unpublish selected stories", permissions=["publish"])
    def unpublish(self, request, queryset):
        for story in queryset.filter(status=StoryStatus.PUBLISHED):
            services.unpublish_story(story)
            self.log_change(request, story, "Unpublished.")
            messages.success(request, f"“{story}” is no longer public.")

    def _publish(self, request, story):
        try:
            services.publish_story(story, request.user)
        except services.PublishError as exc:
            messages.error(request, f"“{story}” was not published:")
            for problem in exc.problems:
                messages.error(request, problem)
            return False
        self.log_change(request, story, "Published.")
        messages.success(request, f"“{story}” is published.")
        return True

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_publish"] = self.has_publish_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_post_save_change(self, request, obj):
        if self._wants_publish(request) and not self._publish(request, obj):
            return HttpResponseRedirect(request.path)
        return super().response_post_save_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if self._wants_publish(request) and not self._publish(request, obj):
            return HttpResponseRedirect(reverse("admin:stories_story_change", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def _wants_publish(self, request):
        return "_publish" in request.POST and self.has_publish_permission(request)
