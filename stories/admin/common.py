"""Pieces the desk's admins share."""

from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from ..forms import PeopleField
from ..models import Person


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


# Django 6.0's default; saying so now keeps Django 5.2 from warning on every URL field.
URL_FIELD_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}
