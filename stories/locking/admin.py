"""The admin layer of optimistic locking: versioned change pages and inlines.

``VersionedAdminMixin`` makes a ModelAdmin's form a ``VersionedModelForm``
with the hidden locking fields, compares read-only fields too, covers the rows
of unversioned inlines with the object's version, skips saves that change
nothing, and logs versioned inline rows in their own history.
``VersionedInlineMixin`` does the same for the rows of a versioned inline.

Every logged change that moves a version also records which version it made
(``LoggedVersion``): that is how a conflict tells exactly who made the
version an editor ran into, or that no change in the admin did.
"""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.admin.utils import construct_change_message, flatten_fieldsets

from .forms import (
    LOCKING_FIELDS,
    CoveredRowForm,
    VersionedInlineFormSet,
    VersionedModelForm,
    compared_field,
)
from .models import LoggedVersion, VersionConflict, VersionedModel, bump_version


def _with_locking_fields(fieldsets):
    """The fieldsets with the hidden locking fields added to the first one."""
    fieldsets = [(name, dict(options)) for name, options in fieldsets]
    if not fieldsets:
        return [(None, {"fields": list(LOCKING_FIELDS)})]
    present = set(flatten_fieldsets(fieldsets))
    name, options = fieldsets[0]
    options["fields"] = [
        *options.get("fields", ()),
        *(field for field in LOCKING_FIELDS if field not in present),
    ]
    return fieldsets


def _without_locking_fields(fields):
    return None if fields is None else [field for field in fields if field not in LOCKING_FIELDS]


def _differs_from_stored(obj, form):
    """Whether saving ``obj`` would write anything: its values against the row
    (as locked by the form's check), the version and ``auto_now`` stamps aside."""
    stored = getattr(form, "locking_current", None)
    if stored is None or stored.pk != obj.pk:
        stored = type(obj)._base_manager.filter(pk=obj.pk).first()
    if stored is None:
        return True
    return any(
        field.value_from_object(obj) != field.value_from_object(stored)
        for field in obj._meta.concrete_fields
        if field.name != "version" and not getattr(field, "auto_now", False)
    )


def _link_to_parent(inline, parent_model):
    """The inline model's foreign key to ``parent_model``: the one named by
    ``fk_name``, or else the only one (the admin's checks refuse an inline with
    none, or with several and no ``fk_name``)."""
    model = inline.model
    if inline.fk_name:
        return model._meta.get_field(inline.fk_name)
    return next(
        field
        for field in model._meta.get_fields()
        if field.many_to_one and field.related_model is parent_model
    )


def _with_base(base, form_class):
    """``form_class`` with the locking form ``base`` mixed in first."""
    if issubclass(form_class, base):
        return form_class
    return type(form_class.__name__, (base, form_class), {})


class _LockingFieldsMixin:
    """The hidden locking fields on a change page the user may change, and the
    form class of ``locking_form`` (the fields' form), for every admin below."""

    locking_form = VersionedModelForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        return _with_locking_fields(fieldsets)

    def _locking_form_kwargs(self, request, obj, kwargs):
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = _without_locking_fields(kwargs["fields"])
        kwargs["form"] = _with_base(self.locking_form, kwargs.get("form", self.form))
        return kwargs


class _RetryLostRaceMixin:
    """A save whose guarded UPDATE lost a race is shown as the conflict it is."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except VersionConflict:
            if request.method != "POST":
                raise
            # The guarded UPDATE lost a race the form's check could not see (a
            # database without row locks, e.g. SQLite); everything was rolled back.
            # Run the view again: its check now finds the new version and shows it.
            return super().changeform_view(request, object_id, form_url, extra_context)


class VersionedAdminMixin(_LockingFieldsMixin, _RetryLostRaceMixin):
    """Optimistic locking for a ModelAdmin of a ``VersionedModel``.

    Put it first: ``class ClaimAdmin(VersionedAdminMixin, admin.ModelAdmin)``.
    Its form becomes a ``VersionedModelForm``; read-only model fields are
    compared too; inlines of unversioned models are covered by this object's
    version; versioned inline rows get their own LogEntry as well as the
    parent's, so each row's history (and a conflict's "who") is complete.
    """

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs = self._locking_form_kwargs(request, obj, kwargs)
        form_class = super().get_form(request, obj, change=change, **kwargs)
        form_class.locking_extra_fields = tuple(
            name
            for name in self.get_readonly_fields(request, obj)
            if isinstance(name, str) and compared_field(self.model, name) is not None
        )
        form_class.locking_covered_relations = tuple(self._covered_relations(request, obj))
        return form_class

    def _covered_relations(self, request, obj):
        """The reverse relations (by accessor name) whose rows the inlines of
        unversioned models edit on this page (``get_inlines``: a long story's
        statements are edited on pages of their own): this object's version
        covers them."""
        for inline in self.get_inlines(request, obj):
            if not issubclass(inline.model, VersionedModel):
                yield _link_to_parent(inline, self.model).remote_field.get_accessor_name()

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed() and not _differs_from_stored(obj, form):
            # Nothing to write (e.g. only a versioned inline row changed): the
            # version stays, so forms opened elsewhere on this object stay valid.
            form._locking_saved = False
            return
        before = obj.__dict__.get("version")
        super().save_model(request, obj, form, change)
        form._locking_saved = change and obj.__dict__.get("version") != before
        if form._locking_saved:
            obj._locking_made = obj.version  # recorded with the change's LogEntry

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        covered = set(getattr(form, "locking_covered_relations", ()))
        if (
            change
            and not getattr(form, "_locking_saved", False)
            and any(
                formset.has_changed()
                for formset in formsets
                if formset.fk.remote_field.get_accessor_name() in covered
            )
        ):
            # A change only to covered inline rows is a change to this object.
            obj.save()
            obj._locking_made = obj.version

    def log_change(self, request, obj, message):
        """Log the change as Django does, recording which version of ``obj`` it made."""
        entry = super().log_change(request, obj, message)
        made = _version_made(obj)
        if made is not None:
            LoggedVersion.objects.create(entry=entry, version=made)
        return entry

    def bump_and_log(self, request, queryset, message):
        """Move the version of ``queryset``'s rows, changed by this request without
        ``save()`` (the other side of a symmetrical many-to-many, say), and log the
        change in each row's history with the version it made: forms opened on
        them before are refused, and name who did it."""
        bump_version(queryset)
        for obj in queryset.all():
            _log(request, obj, CHANGE, message, made=obj.version)

    def save_formset(self, request, form, formset, change):
        if not issubclass(formset.model, VersionedModel):
            return super().save_formset(request, form, formset, change)
        deleted_rows = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        if deleted_rows:  # logged while the rows still exist; rolled back with them
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=deleted_rows,
                action_flag=DELETION,
                change_message=(
                    f"Deleted from the {form.instance._meta.verbose_name} “{form.instance}”."
                ),
            )
        result = super().save_formset(request, form, formset, change)
        changed = {obj.pk for obj, _ in formset.changed_objects}
        new = {obj.pk for obj in formset.new_objects}
        for inline_form in formset.forms:
            obj = inline_form.instance
            if obj.pk in new:
                _log(request, obj, ADDITION, [{"added": {}}])
            elif obj.pk in changed:
                message = construct_change_message(inline_form, [], False)
                _log(request, obj, CHANGE, message, made=obj.version)
        return result


def _log(request, obj, action_flag, message, made=None):
    """One LogEntry for ``obj``, with the version the change ``made`` if any."""
    entry = LogEntry.objects.log_actions(
        user_id=request.user.pk,
        queryset=[obj],
        action_flag=action_flag,
        change_message=message,
        single_object=True,
    )
    if made is not None:
        LoggedVersion.objects.create(entry=entry, version=made)
    return entry


def _version_made(obj):
    """The version of ``obj`` that the change being logged made, or None.

    A save by the mixin says so itself. Otherwise a workflow step (submit,
    publish, restore…) saved its own copy of the row, as services reload
    what they change: the step made the stored version if that is the only one
    since this copy was read (more than one, and another writer came between:
    nothing is claimed). A change form that saved nothing reads the row in the
    transaction of its check (which locks it on PostgreSQL), so finds it at
    the version it checked: nothing is claimed either.
    """
    made = obj.__dict__.pop("_locking_made", None)
    if made is not None or not isinstance(obj, VersionedModel):
        return made
    loaded = getattr(obj, "_loaded_version", None)
    stored = type(obj)._base_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
    return stored if loaded is not None and stored == loaded + 1 else None


class VersionedInlineMixin(_LockingFieldsMixin):
    """Optimistic locking for the rows of an inline of a ``VersionedModel``."""

    formset = VersionedInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        kwargs = self._locking_form_kwargs(request, obj, kwargs)
        return super().get_formset(request, obj, **kwargs)


class CoveredRowAdminMixin(_LockingFieldsMixin, _RetryLostRaceMixin):
    """A ModelAdmin for rows a versioned parent's version covers, edited on pages of
    their own (a long story's statements) rather than inline in the parent's form.

    ``locking_parent`` names the foreign key to the parent. The form is a
    ``CoveredRowForm``, checked against the parent's version. Each save, addition
    or deletion moves the parent's version (a compare-and-set from the version the
    form checked) and is logged in the parent's history as an inline change would
    be, with the version it made: the parent's own form and the other rows' pages
    opened before are refused, and name who did it. A save that changes nothing
    writes nothing and moves nothing.
    """

    locking_form = CoveredRowForm
    locking_parent = None

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs = self._locking_form_kwargs(request, obj, kwargs)
        form_class = super().get_form(request, obj, change=change, **kwargs)
        form_class.locking_parent = self.locking_parent
        return form_class

    def _parent_link(self):
        return self.model._meta.get_field(self.locking_parent)

    def _move_parent_version(self, obj, expected=None):
        """Move the version of ``obj``'s parent, from ``expected`` if the form
        checked one; the version made, kept on ``obj`` for the parent's log."""
        link = self._parent_link()
        rows = link.related_model._base_manager.filter(pk=getattr(obj, link.attname))
        if expected is None:
            bump_version(rows)
        elif not rows.filter(version=expected).update(version=expected + 1):
            raise VersionConflict(link.related_model(pk=getattr(obj, link.attname)), expected)
        obj._locking_parent_made = rows.values_list("version", flat=True).first()
        return obj._locking_parent_made

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed():
            return  # nothing to write: the parent's version stays
        super().save_model(request, obj, form, change)
        self._move_parent_version(obj, form.locking_parent_version if change else None)

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._log_on_parent(request, obj, [{"added": {}}])
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        if getattr(obj, "_locking_parent_made", None) is not None:
            self._log_on_parent(request, obj, message)
        return entry

    def delete_model(self, request, obj):
        self.delete_queryset(request, self.model._base_manager.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        """Delete, then move each parent's version and log the deletions there."""
        rows = list(queryset.select_related(self.locking_parent))
        super().delete_queryset(request, queryset)
        for row in rows:
            self._move_parent_version(row)
            self._log_on_parent(request, row, [{"deleted": {}}])

    def _log_on_parent(self, request, obj, message):
        """``message`` (Django's list form) said of ``obj`` in its parent's history,
        with the parent's version the change made."""
        name, label = str(self.model._meta.verbose_name), str(obj)
        if isinstance(message, list):
            message = [
                {verb: {**detail, "name": name, "object": label}}
                for item in message
                for verb, detail in item.items()
            ]
        parent = getattr(obj, self.locking_parent)
        _log(request, parent, CHANGE, message, made=obj._locking_parent_made)


__all__ = ["CoveredRowAdminMixin", "VersionedAdminMixin", "VersionedInlineMixin"]
