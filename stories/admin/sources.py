"""Outlets and articles: the sources the desk imports and reads."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from ..forms import ArticleAddForm, ImportArticlesForm
from ..models import Article, Evidence, Outlet, PersonSuggestion, SuggestionStatus
from ..services import articles, jobs, suggestions
from ..text import batches, paragraphs
from .common import (
    URL_FIELD_OVERRIDES,
    PeopleFormMixin,
    PersonListFilter,
    PublicFieldsGuardMixin,
    count_of,
)
from .compare import DraftActionMixin, draft_response, matrix_redirect
from .jobs import job_url
from .reading import ReadingViewMixin


@admin.register(Outlet)
class OutletAdmin(PublicFieldsGuardMixin, admin.ModelAdmin):
    list_display = ["name", "homepage", "article_count"]
    search_fields = ["name"]
    ordering = Outlet._meta.ordering  # Meta.ordering is dropped once counts add a GROUP BY
    formfield_overrides = URL_FIELD_OVERRIDES
    prepopulated_fields = {"slug": ["name"]}
    public_fields = ["name"]  # what a public source's page says it is from

    def is_public(self, obj):
        return Outlet.objects.published().filter(pk=obj.pk).exists()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


def import_is_large(uploads):
    """Whether an upload is imported by a job rather than within the request."""
    return (
        len(uploads) > settings.JOBS_IMPORT_INLINE_MAX_FILES
        or sum(upload.size for upload in uploads) > settings.JOBS_IMPORT_INLINE_MAX_BYTES
    )


IMPORTED_FIELDS = ["body_display", "body_sha256", "source_name", "imported_at"]


class ArticleChangeList(ChangeList):
    """The article list without the bodies it never shows: a page of long articles read
    their whole text for a headline. Actions get the full rows (``get_queryset``)."""

    def get_results(self, request):
        self.queryset = self.queryset.defer("body", "search_vector")
        super().get_results(request)


@admin.register(Article)
class ArticleAdmin(
    DraftActionMixin, ReadingViewMixin, PublicFieldsGuardMixin, PeopleFormMixin, admin.ModelAdmin
):
    list_display = [
        "headline",
        "reading_link",
        "outlet",
        "byline",
        "evidence_count",
        "pending_suggestions",
        "imported_at",
    ]
    # A date filter rather than a date hierarchy: the hierarchy truncates every article's
    # date to list the months on each view (150 ms at 10,000 articles on SQLite).
    list_filter = ["outlet", PersonListFilter, ("imported_at", admin.DateFieldListFilter)]
    list_select_related = ["outlet"]
    search_fields = ["headline", "byline", "body", "outlet__name"]
    ordering = Article._meta.ordering  # Meta.ordering is dropped once counts add a GROUP BY
    formfield_overrides = URL_FIELD_OVERRIDES
    autocomplete_fields = ["outlet"]
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
    change_form_template = "admin/stories/article/change_form.html"
    actions = ["suggest_people", "compare_sources", "draft_story", "find_derivatives"]
    public_fields = ["headline", "outlet", "byline", "url", "published_on"]  # a source's header

    def is_public(self, obj):
        return Article.objects.published().filter(pk=obj.pk).exists()

    # No COUNT(*) over every article for "N total" beside a search or filter's count.
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    def get_queryset(self, request):
        # Counted per row shown, by correlated subqueries: a GROUP BY over the join of
        # evidence and suggestions multiplies them and counts every article first.
        return (
            super()
            .get_queryset(request)
            .annotate(
                evidence_count=count_of(Evidence, "article"),
                pending_suggestions=count_of(
                    PersonSuggestion, "article", status=SuggestionStatus.PENDING
                ),
            )
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ArticleAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            # A pasted article is saved as an imported one is, people suggestions included.
            # The form refused a probable new version unless the editor said it is new.
            articles.add_articles([obj], user=request.user, as_new=True)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [
                (None, {"fields": ["headline", "outlet", "byline", "url", "published_on"]}),
                ("Text", {"fields": ["body", "topics", "as_new"]}),
            ]
        return super().get_fieldsets(request, obj)

    @admin.display(description="evidence", ordering="evidence_count")
    def evidence_count(self, obj):
        return obj.evidence_count

    @admin.display(description="people to confirm", ordering="pending_suggestions")
    def pending_suggestions(self, obj):
        return obj.pending_suggestions or ""

    @admin.display(description="reading view")
    def reading_link(self, obj):
        return format_html(
            '<a href="{}" aria-label="Read “{}”">Read</a>', self.reading_url(obj), obj.headline
        )

    @admin.action(description="Find derived articles among these (a background job)")
    def find_derivatives(self, request, queryset):
        """Run the derived-article detector over the chosen articles as a job; the
        proposals then wait in Derivations for an editor."""
        ids = list(queryset.order_by("pk").values_list("pk", flat=True))
        job = jobs.enqueue("find_derivatives", user=request.user, article_ids=ids)
        return HttpResponseRedirect(job_url(job))

    @admin.action(description="Compare in a claims × sources matrix")
    def compare_sources(self, request, queryset):
        ids = queryset.order_by("pk").values_list("pk", flat=True)
        return matrix_redirect(articles=",".join(map(str, ids)))

    @admin.action(description="Draft a reconciled story from these articles", permissions=["draft"])
    def draft_story(self, request, queryset):
        articles = list(queryset.order_by("pk"))
        return draft_response(self, request, articles, articles[0].headline if articles else "")

    @admin.action(description="Suggest people", permissions=["change"])
    def suggest_people(self, request, queryset):
        """Propose the people each selected article names, for an editor to confirm;
        over many articles as a job, whose page the editor is taken to."""
        if queryset.count() > settings.JOBS_SUGGEST_INLINE_MAX_ARTICLES:
            chosen = list(queryset.order_by("pk").values_list("pk", flat=True))
            job = jobs.enqueue("suggest_people", user=request.user, article_ids=chosen)
            return HttpResponseRedirect(job_url(job))
        pending = sum(
            len(suggestions.suggest_people(article, request.user)) for article in queryset
        )
        self.message_user(
            request,
            f"{pending} suggested people to confirm across {len(queryset)} article(s); "
            "accept or reject them in each article’s reading view.",
            messages.SUCCESS,
        )

    @admin.display(description="body")
    def body_display(self, obj):
        spans = paragraphs.paragraph_spans(obj.body) if obj.pk else []
        return format_html_join("", "<p>{}</p>", ((obj.body[a:b],) for a, b in spans))

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="stories_article_import",
            ),
            path(
                "<int:pk>/read/",
                self.admin_site.admin_view(self.reading_view),
                name="stories_article_read",
            ),
            path(
                "<int:pk>/cite/",
                self.admin_site.admin_view(self.cite_view),
                name="stories_article_cite",
            ),
            path(
                "<int:pk>/passages/<int:evidence_pk>/remove/",
                self.admin_site.admin_view(self.remove_passage_view),
                name="stories_article_remove_passage",
            ),
            path(
                "<int:pk>/suggest-people/",
                self.admin_site.admin_view(self.suggest_view),
                name="stories_article_suggest_people",
            ),
            path(
                "<int:pk>/suggestions/<int:suggestion_pk>/",
                self.admin_site.admin_view(self.decide_view),
                name="stories_article_decide_suggestion",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Upload articles in any format the command takes, zips too; all of them are
        imported, or none. The page then shows what became of each file. A large
        batch is imported by a job, whose page the editor is taken to."""
        if not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:stories_article_changelist"))
        form = ImportArticlesForm(request.POST or None, request.FILES or None)
        summary = None
        if request.method == "POST" and form.is_valid():
            uploads = form.cleaned_data["files"]
            too_big = batches.oversized(uploads)
            revises = form.cleaned_data["revises"]
            if too_big:
                form.add_error("files", f"{too_big} Nothing was imported.")
            elif import_is_large(uploads):
                job = jobs.enqueue(
                    "import",
                    user=request.user,
                    files=[jobs.stored_upload(upload) for upload in uploads],
                    outlet=form.cleaned_data["outlet"],
                    revises=revises.pk if revises else None,
                    as_new=form.cleaned_data["as_new"],
                )
                return HttpResponseRedirect(job_url(job))
            else:
                batch = batches.read_uploads(
                    (upload, upload.name, upload.size) for upload in uploads
                )
                try:
                    summary = articles.import_batch(
                        batch,
                        form.cleaned_data["outlet"],
                        user=request.user,
                        revises=revises,
                        as_new=form.cleaned_data["as_new"],
                    )
                except ValidationError as exc:  # a probable new version, or --revises misused
                    for message in exc.messages:
                        form.add_error("files", form.in_desk_words(message))
                    summary = None
                if summary is not None and summary.refused:
                    for error in refusal_messages(summary):
                        form.add_error("files", error)
                    summary = None
                elif summary is not None:
                    self.report_import(request, summary)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import articles",
            "form": form,
            "summary": summary,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/stories/article/import.html", context)

    def report_import(self, request, summary):
        """Log each new article as added by the editor, and say what the import did."""
        for article in summary.imported:
            self.log_addition(request, article, [{"added": {}}])
        counts = dict(summary.counts())
        suggested = PersonSuggestion.objects.filter(
            article__in=summary.imported, status=SuggestionStatus.PENDING
        ).count()
        messages.success(
            request,
            f"Imported {counts[articles.Outcome.IMPORTED]} article(s); "
            f"{counts[articles.Outcome.UNCHANGED]} already imported."
            + (
                f" {counts[articles.Outcome.NEW_VERSION]} new version(s) of articles on file;"
                " their passages are re-anchored (Anchors to review lists any left waiting)."
                if counts.get(articles.Outcome.NEW_VERSION)
                else ""
            )
            + (
                f" {suggested} suggested people to confirm in the reading views."
                if suggested
                else ""
            ),
        )


def refusal_messages(summary):
    """The form's errors for a refused batch: one a file, and that nothing was imported."""
    refused = [f"{row.source}: {row.reason}" for row in summary.refused]
    if len(refused) == 1:
        return [f"{refused[0]} Nothing was imported."]
    return [*refused, f"Nothing was imported: {len(refused)} files were refused."]
