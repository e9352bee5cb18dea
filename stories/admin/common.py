"""Pieces the desk's admins share."""

from django.contrib import admin
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html

from .. import roles
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


def autocomplete_source(request):
    """``(app_label, model_name, field_name)`` of the field an admin autocomplete
    request searches for, or None for any other request.

    ``AutocompleteJsonView`` asks the related admin's ``get_queryset`` and
    ``get_search_results``, which know nothing of the form doing the picking; an
    admin whose rows some pickers must not offer tells them apart by this.
    """
    match = request.resolver_match
    if match is None or match.url_name != "autocomplete":
        return None
    return tuple(request.GET.get(key, "") for key in ("app_label", "model_name", "field_name"))


# Django 6.0's default; saying so now keeps Django 5.2 from warning on every URL field.
URL_FIELD_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


def may_change_public(request, claim):
    """Whether the user may change ``claim`` or its evidence, by the rule in
    ``roles.may_change_public_claim``. No claim (an add page, a new inline
    row) means nothing public to guard yet."""
    return claim is None or roles.may_change_public_claim(request.user, claim)


class PublicClaimGuardMixin:
    """Read-only for reporters once the claim (``guarded_claim(obj)``) is public."""

    def guarded_claim(self, obj):
        return obj

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and may_change_public(request, self.guarded_claim(obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and may_change_public(request, self.guarded_claim(obj))


class PublicFieldsGuardMixin:
    """The fields readers see (``public_fields``) of an object they can see
    (``is_public(obj)``) are read-only for reporters (``roles.may_edit_public``).

    Read-only fields are left out of the form, so a posted value is ignored, not
    just hidden. Put it before the ModelAdmin, as for ``PublicClaimGuardMixin``.
    """

    public_fields = ()

    def is_public(self, obj):
        raise NotImplementedError

    def guards_public_fields(self, request, obj):
        if obj is None or obj.pk is None or roles.may_edit_public(request.user):
            return False
        if not hasattr(obj, "_shown_to_readers"):  # asked several times per page
            obj._shown_to_readers = bool(self.is_public(obj))
        return obj._shown_to_readers

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.guards_public_fields(request, obj):
            fields += [name for name in self.public_fields if name not in fields]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        """Without a slug that is read-only or follows a read-only field: the admin
        cannot prepopulate a field that is not on the form."""
        prepopulated = super().get_prepopulated_fields(request, obj)
        if not self.guards_public_fields(request, obj):
            return prepopulated
        readonly = set(self.get_readonly_fields(request, obj))
        return {
            field: sources
            for field, sources in prepopulated.items()
            if field not in readonly and not readonly.intersection(sources)
        }


def count_of(model, field, **lookups):
    """How many ``model`` rows (matching ``lookups``) point at the row, by ``field``: a
    correlated subquery, which the database runs for the rows on the page only, where
    ``Count()`` over a join would group the whole table first."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")}, **lookups)
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), 0)
