"""Topics (taggit's tags): taggit's own admin, plus comparing and drafting by topic."""

from django.contrib import admin
from taggit.admin import TagAdmin
from taggit.models import Tag

from ..models import Article
from .compare import DraftActionMixin, draft_response, matrix_redirect

admin.site.unregister(Tag)


@admin.register(Tag)
class TopicAdmin(DraftActionMixin, TagAdmin):
    actions = [*TagAdmin.actions, "compare_topic", "draft_topic"]

    @admin.action(description="Compare the topic's articles in a claims × sources matrix")
    def compare_topic(self, request, queryset):
        return matrix_redirect(topic=queryset.order_by("name").first().slug)

    @admin.action(description="Draft a reconciled story from the topic", permissions=["draft"])
    def draft_topic(self, request, queryset):
        topic = queryset.order_by("name").first()
        articles = list(Article.objects.about(topic).order_by("pk"))
        return draft_response(self, request, articles, topic.name)
