"""Stories: statements, citations and publishing."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from .. import services
from ..models import Statement, Story, StoryStatus
from .common import PeopleFormMixin


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
