"""People: tags with aliases, where they are tagged, merging duplicates, and the names the
desk has ruled out as not people."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import get_text_list

from ..models import (
    Article,
    ArticlePerson,
    Claim,
    ClaimPerson,
    NotAPerson,
    Origin,
    Person,
    PersonMention,
    PersonSuggestion,
    StatementPerson,
    Story,
    StoryRevision,
)
from ..services import merging, suggestions
from .common import PublicFieldsGuardMixin, count_of

# What the merge page counts for each person: (column heading, model, field to the person).
USAGE = [
    ("articles", ArticlePerson, "tag"),
    ("claims", ClaimPerson, "tag"),
    ("statements", StatementPerson, "tag"),
    ("mentions", PersonMention, "person"),
    ("origins", Origin, "person"),
    ("suggestions", PersonSuggestion, "person"),
    ("published revisions", StoryRevision.people.through, "person"),
]


class MergePeopleForm(forms.Form):
    keep = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        label="Person to keep",
        error_messages={"required": "Choose the person to keep."},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].queryset = people


@admin.register(Person)
class PersonAdmin(PublicFieldsGuardMixin, admin.ModelAdmin):
    list_display = ["name", "aliases_display", "description", "article_count", "claim_count"]
    search_fields = ["name", "aliases", "description"]
    ordering = Person._meta.ordering  # Meta.ordering is dropped once counts add a GROUP BY
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["tagged_in"]
    fields = ["name", "slug", "aliases", "description", "tagged_in"]
    actions = ["merge_people"]
    merge_template = "admin/stories/person/merge.html"
    # A public person's page shows the name (its address from the slug), the
    # description and the aliases.
    public_fields = ["name", "slug", "aliases", "description"]

    def is_public(self, obj):
        return Person.objects.published().filter(pk=obj.pk).exists()

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

    def has_merge_permission(self, request):
        return request.user.has_perm("stories.merge_person")

    @admin.action(description="Merge selected people…", permissions=["merge"])
    def merge_people(self, request, queryset):
        """Ask which of the selected people to keep, then fold the others into it."""
        people = list(
            Person.objects.filter(pk__in=queryset.values("pk"))
            .annotate(
                **{
                    f"usage_{i}": count_of(model, field)
                    for i, (_, model, field) in enumerate(USAGE)
                }
            )
            .order_by("name", "pk")
        )
        if len(people) < 2:
            messages.error(request, "Select at least two people to merge.")
            return None
        for person in people:
            person.usage = [getattr(person, f"usage_{i}") for i in range(len(USAGE))]
        most_used = max(people, key=lambda person: sum(person.usage))
        form = MergePeopleForm(
            request.POST if "confirm" in request.POST else None,
            people=Person.objects.filter(pk__in=[person.pk for person in people]),
            initial={"keep": most_used.pk},
        )
        if form.is_valid():
            target = form.cleaned_data["keep"]
            others = [person for person in people if person.pk != target.pk]
            names = get_text_list([person.name for person in others], "and")
            with transaction.atomic():
                # Logged while the merged people still exist; undone if the merge fails.
                self.log_deletions(request, Person.objects.filter(pk__in=[p.pk for p in others]))
                target = merging.merge_people(target, others)
                self.log_change(request, target, f"Merged {names} into {target.name}.")
            messages.success(
                request,
                f"Merged {names} into {target.name}; their names are now aliases of {target.name}.",
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge people",
            "opts": self.opts,
            "people": people,
            "columns": [heading for heading, _, _ in USAGE],
            "form": form,
            "chosen": str(form["keep"].value() or ""),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, self.merge_template, context)


@admin.register(NotAPerson)
class NotAPersonAdmin(admin.ModelAdmin):
    """Names ruled out for the whole desk, from a reading view's "Not a person".

    Deleting one undoes the ruling: every article naming it is suggested again, so the name
    comes back wherever the rules still find it.
    """

    list_display = ["name", "kind", "decided_by", "decided_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["decided_by"]
    readonly_fields = ["decided_by", "decided_at"]
    fields = ["name", "kind", "decided_by", "decided_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.decided_by = request.user
        super().save_model(request, obj, form, change)
        withdrawn = suggestions.withdraw(obj.name)
        if withdrawn:
            messages.info(request, f"Withdrew {withdrawn} pending suggestion(s) of “{obj.name}”.")

    def delete_model(self, request, obj):
        self._forget(request, [obj])

    def delete_queryset(self, request, queryset):
        self._forget(request, list(queryset))

    def _forget(self, request, rulings):
        count = suggestions.forget_ruled_out(rulings, request.user)
        if count:
            messages.info(request, f"Suggested people again in {count} article(s) naming them.")
