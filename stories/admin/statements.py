"""A long story's statements, each edited on a page of its own.

Inline in the story's form, every statement posts its fields with every save:
past a few dozen statements the form is slow to open and Django refuses the
post (``DATA_UPLOAD_MAX_NUMBER_FIELDS``) with the editor's input lost. So a
long story (``is_long``) lists its statements, a page at a time, and each is
opened, saved, moved or deleted on its own page here, touching no other
statement. The story's rules hold: a statement's page is checked against the
story's version and moves it (``CoveredRowAdminMixin``), and who may edit it
is who may change the story.
"""

from django import forms
from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Count, Max, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.urls import reverse

from ..locking.admin import CoveredRowAdminMixin
from ..models import Statement, StatementPerson, Story
from .common import PeopleFormMixin

# A story is edited inline up to this many statements...
INLINE_STATEMENTS_MAX = 50
# ...and while its statements would post at most this many fields (each posts its
# id, story, position and text, one field per citation and per person, and the
# form keeps room for what the editor adds): half of Django's default 1,000.
INLINE_FIELDS_MAX = 500
FIELDS_PER_STATEMENT = 4
# Statements listed per page of a long story's change form.
STATEMENTS_PER_PAGE = 50
PAGE_PARAMETER = "statements_page"


def _count(model, **lookups):
    """How many ``model`` rows match ``lookups``, as a subquery."""
    rows = model.objects.filter(**lookups).order_by().values(*lookups).annotate(n=Count("*"))
    return Coalesce(Subquery(rows.values("n")), 0)


def inline_fields(story):
    """(statements, about how many fields they post as inline rows): one query."""
    counts = (
        Story.objects.filter(pk=story.pk)
        .values(
            n_statements=_count(Statement, story=story.pk),
            n_citations=_count(Statement.evidence.through, statement__story=story.pk),
            n_people=_count(StatementPerson, content_object__story=story.pk),
        )
        .get()
    )
    statements = counts["n_statements"]
    fields = statements * FIELDS_PER_STATEMENT + counts["n_citations"] + counts["n_people"]
    return statements, fields


def is_long(story):
    """Whether ``story``'s statements are edited on pages of their own; asked once
    per request (kept on the instance)."""
    if not hasattr(story, "_statements_apart"):
        statements, fields = inline_fields(story)
        story._statements_apart = statements > INLINE_STATEMENTS_MAX or fields > INLINE_FIELDS_MAX
    return story._statements_apart


def statement_page(request, story):
    """The page of the story's statements the request asks for (``?statements_page=``),
    each with its citation count: two queries, however long the story."""
    rows = (
        story.statements.order_by("position", "pk")
        .annotate(citations=Count("evidence"))
        .only("pk", "story_id", "position", "text")
    )
    page = Paginator(rows, STATEMENTS_PER_PAGE).get_page(request.GET.get(PAGE_PARAMETER))
    for offset, statement in enumerate(page.object_list):
        statement.reading_place = page.start_index() + offset
    return page


def statement_url(statement):
    """Where the story's change form lists ``statement``: its page, at its row."""
    page = (statement.place() - 1) // STATEMENTS_PER_PAGE + 1
    url = reverse("admin:stories_story_change", args=[statement.story_id])
    return f"{url}?{PAGE_PARAMETER}={page}#statement-{statement.pk}"


class StatementForm(forms.ModelForm):
    """A statement, with its place in the story instead of a raw position."""

    place = forms.IntegerField(
        label="Place in the story",
        min_value=1,
        required=False,
        help_text="1 is read first. Give another place to move the statement there: the "
        "statements from that place on move down one. Empty puts a new statement last.",
    )

    class Meta:
        model = Statement
        fields = ["story", "text", "evidence", "people"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["place"] = self.instance.place()

    def clean(self):
        cleaned = super().clean()
        story = cleaned.get("story") or (self.instance.story if self.instance.story_id else None)
        place = cleaned.get("place")
        if story is not None and place is not None:
            last = story.statements.count() + (0 if self.instance.pk else 1)
            if place > last:
                self.add_error(
                    "place",
                    f"“{story}” has {last} place{'s' if last != 1 else ''} for this statement: "
                    f"give one from 1 to {last}.",
                )
        return cleaned


@admin.register(Statement)
class StatementAdmin(CoveredRowAdminMixin, PeopleFormMixin, admin.ModelAdmin):
    """A story's statement on its own page; reached from a long story's change form
    (hidden from the admin index)."""

    form = StatementForm
    locking_parent = "story"
    autocomplete_fields = ["story", "evidence"]
    fields = ["story", "place", "text", "evidence", "people"]
    list_display = ["__str__", "story"]
    list_select_related = ["story"]
    search_fields = ["text"]
    ordering = ["story", "position", "pk"]

    def has_module_permission(self, request):
        return False  # opened from its story, not from the index

    def get_readonly_fields(self, request, obj=None):
        # A statement stays in its story (two stories' versions would both move).
        return ["story"] if obj is not None else []

    # --- Who may: as for the story ---------------------------------------------------------

    def _story_admin(self):
        return self.admin_site.get_model_admin(Story)

    def has_view_permission(self, request, obj=None):
        story = obj.story if obj else None
        return super().has_view_permission(request, obj) and (
            self._story_admin().has_view_or_change_permission(request, story)
        )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and (
            self._story_admin().has_change_permission(request)
        )

    def has_change_permission(self, request, obj=None):
        story = obj.story if obj else None
        return super().has_change_permission(request, obj) and (
            self._story_admin().has_change_permission(request, story)
        )

    def has_delete_permission(self, request, obj=None):
        story = obj.story if obj else None
        return super().has_delete_permission(request, obj) and (
            self._story_admin().has_change_permission(request, story)
        )

    # --- Saving: the statement, its place, the story's version ------------------------------

    def save_model(self, request, obj, form, change):
        """Save the statement (a new one goes last), then move it if its place
        changed: one UPDATE of the statements that make room, none of the rest."""
        if not change:
            last = Statement.objects.filter(story=obj.story).aggregate(last=Max("position"))
            obj.position = (last["last"] or 0) + 1
        place = form.cleaned_data.get("place")
        super().save_model(request, obj, form, change)
        if place is not None and place != form.initial.get("place"):
            obj.move_to(place)

    def response_change(self, request, obj):
        """*Save and add another* opens a new statement of the same story (as it
        does from the add page, which keeps its ``?story=``)."""
        response = super().response_change(request, obj)
        if "_addanother" in request.POST and response.status_code == 302:
            url = response["Location"]
            response["Location"] = f"{url}{'&' if '?' in url else '?'}story={obj.story_id}"
        return response

    def response_post_save_add(self, request, obj):
        return HttpResponseRedirect(statement_url(obj))

    def response_post_save_change(self, request, obj):
        return HttpResponseRedirect(statement_url(obj))

    def delete_model(self, request, obj):
        request.statement_story_id = obj.story_id  # where response_delete goes back to
        super().delete_model(request, obj)

    def response_delete(self, request, obj_display, obj_id):
        story_id = getattr(request, "statement_story_id", None)
        if story_id is None or "_popup" in request.POST:
            return super().response_delete(request, obj_display, obj_id)
        super().response_delete(request, obj_display, obj_id)  # its message
        return HttpResponseRedirect(reverse("admin:stories_story_change", args=[story_id]))
