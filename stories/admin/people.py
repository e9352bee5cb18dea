"""People: tags with aliases, and where they are tagged."""

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..models import Article, Claim, Person, Story


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
