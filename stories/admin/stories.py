"""Stories: statements, citations, the review workflow, revisions and corrections."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from ..locking.admin import VersionedAdminMixin
from ..models import Correction, Statement, Story, StoryRevision, StoryStatus
from ..services import publishing
from ..text import diffing
from . import statements
from .common import PeopleFormMixin, PublicFieldsGuardMixin


class StatementInline(PeopleFormMixin, admin.StackedInline):
    model = Statement
    extra = 1
    autocomplete_fields = ["evidence"]
    fields = [("position", "text"), "evidence", "people"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("evidence__article__outlet")


class CorrectionFormSet(BaseInlineFormSet):
    """A post that leaves out the corrections section changes no correction
    (rather than failing the whole story form for a missing management form)."""

    def __init__(self, data=None, files=None, *args, prefix=None, **kwargs):
        prefix = prefix or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
        super().__init__(data, files, *args, prefix=prefix, **kwargs)


class CorrectionInline(admin.TabularInline):
    """Dated notes to readers. Editors (add/change_correction) write them;
    reporters see them read-only."""

    model = Correction
    formset = CorrectionFormSet
    extra = 0
    fields = ["created_at", "text", "created_by"]
    readonly_fields = ["created_by"]
    verbose_name_plural = "corrections (shown to readers under the story, with their date)"


@admin.register(Story)
class StoryAdmin(VersionedAdminMixin, PublicFieldsGuardMixin, admin.ModelAdmin):
    list_display = ["headline", "status", "is_published", "published_at", "published_by"]
    list_filter = ["status", "published_at"]
    list_select_related = ["published_by"]
    search_fields = ["headline", "standfirst", "statements__text"]
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["old_addresses", "status", "published_by"]
    fields = [
        "headline",
        "slug",
        "old_addresses",
        "standfirst",
        "topics",
        "status",
        "published_at",
        "published_by",
    ]
    inlines = [StatementInline, CorrectionInline]
    actions = ["submit", "publish", "unpublish"]
    change_form_template = "admin/stories/story/change_form.html"
    revisions_template = "admin/stories/story/revisions.html"
    # A published story's address is live: moving it is an editor's call (the old
    # one then redirects). Its headline and statements change only the draft.
    public_fields = ["slug"]

    def is_public(self, obj):
        return obj.is_published

    def get_inlines(self, request, obj):
        if obj is not None and self.statements_apart(request, obj):
            return [inline for inline in self.inlines if inline is not StatementInline]
        return self.inlines

    def statements_apart(self, request, obj):
        """Whether this page leaves ``obj``'s statements to pages of their own: a
        long story's (``statements.is_long``), unless the post comes from a form
        that had them inline (opened while the story was short)."""
        if request.method == "POST" and "statements-TOTAL_FORMS" in request.POST:
            return False
        return statements.is_long(obj)

    @admin.display(description="public", boolean=True)
    def is_published(self, obj):
        return obj.is_published

    @admin.display(description="old addresses")
    def old_addresses(self, obj):
        """The addresses the story had, each redirecting readers to the current one."""
        slugs = list(obj.old_slugs.values_list("slug", flat=True)) if obj and obj.pk else []
        if not slugs:
            return "None: the story has always been at this address."
        return format_html(
            "{} (each redirects to the current address)",
            ", ".join(reverse("stories:detail", kwargs={"slug": slug}) for slug in slugs),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            # Moving the date of a published story hides or reveals it: publishing.
            fields.append("published_at")
        return fields

    # --- Workflow: submit for review, publish, unpublish -----------------------------------
    # Each step is one service call; the change form's buttons and the
    # changelist's actions share the code below, permission checks included.

    def has_publish_permission(self, request):
        return request.user.has_perm("stories.publish_story")

    def has_submit_permission(self, request):
        return request.user.has_perm("stories.submit_story")

    @admin.action(description="Submit selected stories for review", permissions=["submit"])
    def submit(self, request, queryset):
        for story in queryset:
            self._submit(request, story)

    @admin.action(description="Publish selected stories", permissions=["publish"])
    def publish(self, request, queryset):
        for story in queryset:
            self._publish(request, story)

    @admin.action(description="Unpublish selected stories", permissions=["publish"])
    def unpublish(self, request, queryset):
        for story in queryset:
            self._unpublish(request, story)

    def _submit(self, request, story):
        try:
            publishing.submit_for_review(story, request.user)
        except publishing.NotReadyToPublish as exc:
            self._refused(request, f"“{story}” was not submitted for review:", exc.problems)
            return False
        except publishing.WorkflowError as exc:
            messages.warning(request, f"{exc} It was not submitted for review.")
            return False
        self.log_change(request, story, "Submitted for review.")
        messages.success(request, f"“{story}” is submitted for review.")
        return True

    def _publish(self, request, story):
        try:
            revision = publishing.publish_story(story, request.user)
        except publishing.NotReadyToPublish as exc:
            self._refused(request, f"“{story}” was not published:", exc.problems)
            return False
        except publishing.WorkflowError as exc:
            messages.warning(request, str(exc))
            return False
        self.log_change(request, story, f"Published revision {revision.number}.")
        messages.success(
            request, f"“{story}” is published: readers now see revision {revision.number}."
        )
        return True

    def _unpublish(self, request, story):
        try:
            publishing.unpublish_story(story)
        except publishing.WorkflowError as exc:
            messages.warning(request, str(exc))
            return False
        self.log_change(request, story, "Unpublished.")
        messages.success(request, f"“{story}” is no longer public.")
        return True

    @staticmethod
    def _refused(request, heading, problems):
        messages.error(request, heading)
        for problem in problems:
            messages.error(request, problem)

    # The change form's workflow buttons: (POST name = method, permission, what it does).
    WORKFLOW_BUTTONS = [
        ("_submit", "submit", "submit stories for review"),
        ("_publish", "publish", "publish stories"),
        ("_unpublish", "publish", "unpublish stories"),
    ]

    def _run_workflow_button(self, request, story):
        """After a save, run the step the form's button asked for; False if refused."""
        for name, permission, doing in self.WORKFLOW_BUTTONS:
            if name not in request.POST:
                continue
            if not getattr(self, f"has_{permission}_permission")(request):
                messages.error(
                    request, f"You may not {doing}. Your changes were saved; nothing else was done."
                )
                return False
            return getattr(self, name)(request, story)
        return True

    def response_change(self, request, obj):
        if not self._run_workflow_button(request, obj):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if not self._run_workflow_button(request, obj):
            return HttpResponseRedirect(reverse("admin:stories_story_change", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        may_edit = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        status = obj.status if obj else StoryStatus.DRAFT
        can_publish = may_edit and self.has_publish_permission(request)
        context.update(
            can_submit=may_edit
            and self.has_submit_permission(request)
            and status in (StoryStatus.DRAFT, StoryStatus.UNPUBLISHED),
            can_publish=can_publish,
            can_unpublish=can_publish and status == StoryStatus.PUBLISHED,
            publish_label=(
                "Publish changes" if status == StoryStatus.PUBLISHED else "Save and publish"
            ),
        )
        if obj and self.statements_apart(request, obj):
            statement_admin = self.admin_site.get_model_admin(Statement)
            if statement_admin.has_view_or_change_permission(request):
                context.update(
                    statement_page=statements.statement_page(request, obj),
                    statement_page_parameter=statements.PAGE_PARAMETER,
                )
            if statement_admin.has_add_permission(request):
                add_url = reverse("admin:stories_statement_add")
                context["statement_add_url"] = f"{add_url}?story={obj.pk}"
        if obj:
            revision = obj.published_revision
            context.update(
                preview_url=obj.get_absolute_url() + "?preview",
                revisions_url=reverse("admin:stories_story_revisions", args=[obj.pk]),
                readers_see=revision if obj.is_published else None,
                has_unpublished_changes=obj.has_unpublished_changes(),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- Corrections ---------------------------------------------------------------------

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        for correction in formset.save(commit=False):
            if correction.created_by_id is None:
                correction.created_by = request.user
            correction.save()
        for correction in formset.deleted_objects:
            correction.delete()
        formset.save_m2m()

    # --- Revision history ----------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<path:object_id>/revisions/",
                self.admin_site.admin_view(self.revisions_view),
                name="stories_story_revisions",
            ),
            *super().get_urls(),
        ]

    def revisions_view(self, request, object_id):
        """Every published revision with what it changed, and what the draft
        changes since the latest; a POST restores a revision into the draft."""
        story = self.get_object(request, unquote(object_id))
        if story is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, story):
            raise PermissionDenied
        if request.method == "POST":
            return self._restore(request, story)
        revisions = list(story.revisions.select_related("created_by").order_by("number"))
        versions = [
            _version(revision.headline, revision.standfirst, statements)
            for revision, statements in zip(
                revisions, StoryRevision.statements_of(revisions), strict=True
            )
        ]
        versions.append(_version(story.headline, story.standfirst, story.cited_statements()))
        entries, previous = [], diffing.BLANK_VERSION
        for revision, version in zip(revisions, versions, strict=False):
            entries.append(
                {
                    "revision": revision,
                    "changes": diffing.diff_versions(previous, version),
                    "is_current": story.is_published and story.published_revision_id == revision.pk,
                }
            )
            previous = version
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revisions of “{story}”",
            "opts": self.opts,
            "original": story,
            "entries": entries[::-1],
            "latest": revisions[-1] if revisions else None,
            "draft_changes": diffing.diff_versions(previous, versions[-1]),
            "can_restore": self.has_change_permission(request, story),
            "preview_url": story.get_absolute_url() + "?preview",
        }
        return TemplateResponse(request, self.revisions_template, context)

    def _restore(self, request, story):
        if not self.has_change_permission(request, story):
            raise PermissionDenied
        number = request.POST.get("revision", "")
        if not (number.isascii() and number.isdigit()):
            return HttpResponseBadRequest("Say which revision to restore.")
        revision = get_object_or_404(StoryRevision, story=story, number=int(number))
        publishing.restore_revision(revision)
        self.log_change(request, story, f"Restored revision {revision.number} into the draft.")
        readers = (
            f"Readers still see revision {story.published_revision.number} until you publish."
            if story.is_published
            else "Readers see nothing until it is published."
        )
        messages.success(
            request, f"Revision {revision.number} is restored into the draft. {readers}"
        )
        return HttpResponseRedirect(reverse("admin:stories_story_change", args=[story.pk]))


def _version(headline, standfirst, statements):
    """A ``diffing.StoryVersion`` of ``CitedStatement``s: passages and people by
    their labels, those deleted since a revision by their id."""

    def labels(ids, found, kind):
        found = {row.pk: row for row in found}
        return tuple(str(found[pk]) if pk in found else f"{kind} #{pk} (deleted)" for pk in ids)

    return diffing.StoryVersion(
        headline=headline,
        standfirst=standfirst,
        statements=tuple(
            diffing.StatementVersion(
                id=statement.pk,
                text=statement.text,
                citations=labels(statement.evidence_ids, statement.evidence, "passage"),
                people=labels(statement.people_ids, statement.people, "person"),
            )
            for statement in statements
        ),
    )
