"""Optimistic locking: two editors on the same object never silently overwrite each other.

Claims, evidence and stories carry a ``version`` that every save increments.
An editor's form remembers the version it was loaded with (a hidden field) and
a signed snapshot of the values it started from (another hidden field). When
the form comes back:

1. ``VersionedModelForm.clean()`` locks the row (``SELECT … FOR NO KEY UPDATE``
   on PostgreSQL, inside the admin's transaction) and compares its version with
   the form's. A mismatch is a non-field error naming who changed the object and
   when (the latest admin ``LogEntry``) and what: each field whose value in the
   database differs from the snapshot, as "theirs" (the database) against
   "yours" (what this editor submitted). Nothing is saved, and the re-rendered
   form keeps the editor's input (and the old version, so submitting it again
   is refused again until they reload).

   ``form.changed_data`` cannot tell what the *other* editor changed: it
   compares the submission with the instance as it is *now*. Only the snapshot
   of what this editor started from can.

2. ``VersionedModel.save()`` is the last word, for every writer (the admin,
   services, a shell): an update of a row loaded from the database is
   ``UPDATE … SET …, version = loaded + 1 WHERE id = … AND version = loaded``,
   and if no row matches it raises ``VersionConflict`` instead of writing.
   PostgreSQL re-checks the ``WHERE`` of a blocked ``UPDATE`` once the other
   transaction commits, so of two concurrent saves from the same version
   exactly one succeeds, with or without the lock taken in ``clean()``.

What bumps the version: every ``save()`` of an existing row, ``update_fields``
saves included (``version`` is added to them). So the workflow — publishing,
unpublishing, submitting for review, restoring a revision, all of which save
the story — bumps it too. That is deliberate: status is not on the story's
form, but a save from a form opened before the story was published must not
write back a stale ``status``/``published_at``/``published_revision``, so it is
refused and the editor reloads. Raw saves (``loaddata``) and ``QuerySet.update()``
or ``bulk_update()`` do not bump it: fixtures keep the version they give, and
code writing through querysets must bump ``version`` itself (``F("version") + 1``).

Rows without a version of their own that are edited inline under a versioned
object (a story's statements and corrections) are covered by the parent's
version: an admin save that changes the parent *or any of those rows* bumps it
(``VersionedAdminMixin.save_related``), and the parent's snapshot includes the
rows, so a conflict lists what changed in them. Inline rows that are versioned
themselves (a claim's evidence) are checked row by row, including a row this
editor only marked for deletion; a claim whose only change is an evidence row
is not saved, so its version (and other editors' forms on it) stays as it was.
An admin save that changes nothing at all writes nothing and bumps nothing.

Not covered: deleting an object (the admin's delete page has no version), and a
submission without the ``version`` field (no browser sends one: the admin always
renders it), which is still saved guarded against changes since the request
read the row, but not against changes since the editor loaded the form.
"""

import datetime

from django import forms
from django.contrib.admin.utils import flatten_fieldsets
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, models, router, transaction
from django.db.models import F
from django.forms.models import BaseInlineFormSet
from django.utils import formats, timezone
from django.utils.text import capfirst

# The hidden fields a versioned form adds; never model fields, never "changed".
LOCKING_FIELDS = ("version", "version_snapshot")
SNAPSHOT_SALT = "stories.locking.snapshot"
EMPTY = "(empty)"


class VersionConflict(Exception):
    """A save found the row at another version than the one it was loaded with
    (or found it deleted): someone else saved it in between."""

    def __init__(self, instance, expected):
        self.instance = instance
        self.expected = expected
        super().__init__(
            f"{type(instance)._meta.verbose_name} #{instance.pk} was changed or deleted by "
            f"someone else since it was loaded at version {expected}; nothing was saved."
        )


# --------------------------------------------------------------------------------------------
# The model


class VersionedModel(models.Model):
    """Save as a guarded update: ``WHERE version = <the version loaded>``.

    The concrete model declares ``version = PositiveIntegerField(default=1,
    editable=False)``. ``_loaded_version`` is the version the instance's values
    were read at: set when it is loaded, after a full ``refresh_from_db()`` and
    after each save. A form that checked the version sets it to the version the
    editor loaded. An instance whose version was never read (deferred) is saved
    unguarded, but its version is still incremented.

    A ``VersionConflict`` writes nothing and, unlike other errors in ``save()``,
    leaves an enclosing ``atomic`` block usable (the guarded UPDATE did not fail;
    it matched no row), so it can be caught without a savepoint.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if (
            self._state.adding
            or self.pk is None
            or kwargs.get("force_insert")
            or (update_fields is not None and not update_fields)
        ):
            super().save(*args, **kwargs)
            self._loaded_version = self.__dict__.get("version")
            return
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        expected = getattr(self, "_loaded_version", None)
        before = self.__dict__.get("version")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        doomed = transaction.get_connection(using).needs_rollback
        self.version = F("version") + 1 if expected is None else expected + 1
        self._version_guard = expected
        try:
            super().save(*args, **kwargs)
        except BaseException as exc:
            if before is None:
                self.__dict__.pop("version", None)
            else:
                self.version = before
            if (
                isinstance(exc, VersionConflict)
                and not doomed
                and transaction.get_connection(using).in_atomic_block
            ):
                # Nothing failed in the database (an UPDATE matched no row), so the
                # transaction stays usable: no savepoint is needed to catch this.
                transaction.set_rollback(False, using=using)
            raise
        finally:
            self._version_guard = None
        if expected is None:
            self.version = type(self)._base_manager.using(self._state.db).get(pk=self.pk).version
        self._loaded_version = self.version

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_version = instance.__dict__.get("version")
        return instance

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None:
            # Only a full refresh makes every value current; refreshing just some
            # fields (or loading a deferred one) must not move the guard.
            self._loaded_version = self.__dict__.get("version")

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update, *args):
        guard = getattr(self, "_version_guard", None)
        if guard is None:
            return super()._do_update(
                base_qs, using, pk_val, values, update_fields, forced_update, *args
            )
        updated = super()._do_update(
            base_qs.filter(version=guard), using, pk_val, values, update_fields, True, *args
        )
        if not updated:
            # Never fall through to an INSERT (Django's reading of "no row
            # updated"): the row moved on, or was deleted, since it was loaded.
            raise VersionConflict(self, guard)
        return updated


def bump_version(queryset):
    """Increment the version of every row of ``queryset`` (a write that does not
    go through ``save()`` but must still refuse forms opened before it)."""
    return queryset.update(version=F("version") + 1)


# --------------------------------------------------------------------------------------------
# Comparable values and how they are shown


def _model_field(model, name):
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    if field.primary_key or name == "version" or field.auto_created or not field.concrete:
        return None
    return field


def comparable(instance, field):
    """``field`` of ``instance`` as JSON-ready text (sorted pks for many-to-many)."""
    if field.many_to_many:
        if instance.pk is None:
            return []
        return sorted(str(obj.pk) for obj in getattr(instance, field.name).all())
    value = field.value_from_object(instance)
    return None if value is None else field.value_to_string(instance)


def _row_fields(model, parent_fk):
    return [
        field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if field.editable and not field.primary_key and field is not parent_fk
    ]


def covered_rows(instance, relation):
    """The rows of the reverse relation ``relation`` of ``instance``, comparable."""
    rel = instance._meta.get_field(relation)
    fields = _row_fields(rel.related_model, rel.field)
    rows = rel.related_model._base_manager.filter(**{rel.field.name: instance.pk}).order_by("pk")
    rows = rows.prefetch_related(*(field.name for field in fields if field.many_to_many))
    return {str(row.pk): {f.name: comparable(row, f) for f in fields} for row in rows}


def show(field, value):
    """A value of ``field`` (as the model or a form holds it) for an editor to read."""
    if field.many_to_many:
        items = [str(item) for item in value or ()]
        return ", ".join(items) if items else "(none)"
    if value is None or value == "":
        return EMPTY
    if isinstance(value, models.Model):
        return str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return str(value)


def show_current(instance, field):
    if field.many_to_many:
        return show(field, getattr(instance, field.name).all())
    if field.many_to_one or field.one_to_one:
        return show(field, getattr(instance, field.name))
    return show(field, field.value_from_object(instance))


def show_comparable(field, value):
    """Show a value written by ``comparable()`` (looking up related objects)."""
    if field.many_to_many:
        found = field.related_model._base_manager.in_bulk([int(pk) for pk in value or ()])
        return show(field, [found.get(int(pk), f"#{pk} (deleted)") for pk in value or ()])
    if value is None:
        return EMPTY
    if field.many_to_one or field.one_to_one:
        obj = field.related_model._base_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"#{value} (deleted)"
    try:
        return show(field, field.to_python(value))
    except ValidationError:
        return show(field, value)


def show_submitted(field, data, key):
    """Show what a form posted under ``key`` for ``field`` (an inline row's value)."""
    getlist = getattr(data, "getlist", None)
    if field.many_to_many:
        raw = getlist(key) if getlist else data.get(key, [])
        raw = [raw] if isinstance(raw, str) else raw
        pks = [int(pk) for pk in raw if str(pk).isdigit()]
        found = field.related_model._base_manager.in_bulk(pks)
        return show(field, [found[pk] for pk in pks if pk in found])
    raw = data.get(key)
    if raw in (None, ""):
        return EMPTY
    if field.many_to_one or field.one_to_one:
        return show_comparable(field, raw) if str(raw).isdigit() else str(raw)
    try:
        return show(field, field.to_python(raw))
    except ValidationError:
        return str(raw)


def last_logged_change(obj):
    """The latest admin LogEntry for ``obj``, or None."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.admin.options import get_content_type_for_model

    return (
        LogEntry.objects.filter(content_type=get_content_type_for_model(obj), object_id=str(obj.pk))
        .select_related("user")
        .order_by("-action_time", "-pk")
        .first()
    )


def _when(moment):
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


# --------------------------------------------------------------------------------------------
# Forms


class _LockingField:
    """Hidden bookkeeping: never reported as a change (not in change messages,
    and an untouched extra inline form stays untouched)."""

    widget = forms.HiddenInput

    def has_changed(self, initial, data):
        return False


class VersionField(_LockingField, forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)


class SnapshotField(_LockingField, forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)


class VersionedModelForm(forms.ModelForm):
    """A model form refusing to save over a change made since it was loaded.

    ``version`` is the version the editor loaded; ``version_snapshot`` the
    signed values they started from (the model fields of the form, the model
    fields in ``locking_extra_fields`` — shown read-only — and the rows of the
    reverse relations in ``locking_covered_relations``).

    A submission without ``version`` (a client that never rendered the form,
    not a browser) is not checked against what it loaded, but the row is still
    locked and saved guarded against changes since it was read.
    """

    version = VersionField()
    version_snapshot = SnapshotField()

    locking_extra_fields = ()
    locking_covered_relations = ()

    # Set by clean(): the row as found (and locked), and whether it had moved on.
    locking_current = None
    locking_conflict = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self._locking_applies():
            self.initial["version"] = self.instance.version
            if not self.is_bound:
                self.initial["version_snapshot"] = signing.dumps(
                    self.locking_snapshot(self.instance), salt=SNAPSHOT_SALT, compress=True
                )

    def _locking_applies(self):
        instance = self.instance
        return (
            isinstance(instance, VersionedModel)
            and instance.pk is not None
            and not instance._state.adding
        )

    # --- what is compared --------------------------------------------------------------------

    def locking_fields(self):
        model, seen, fields = type(self.instance), set(), []
        for name in [*self.fields, *self.locking_extra_fields]:
            field = _model_field(model, name)
            if field is not None and name not in seen:
                seen.add(name)
                fields.append(field)
        return fields

    def locking_snapshot(self, instance):
        return {
            "fields": {field.name: comparable(instance, field) for field in self.locking_fields()},
            "related": {
                relation: covered_rows(instance, relation)
                for relation in self.locking_covered_relations
            },
        }

    def locking_also_lock(self):
        """Other rows of the same model this save will change; locked with this one,
        in primary-key order, so two saves never wait for each other in a cycle."""
        return []

    # --- the check ---------------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        if self._locking_applies():
            self._check_version()
        return cleaned

    def _check_version(self):
        model = type(self.instance)
        using = router.db_for_write(model, instance=self.instance)
        rows = model._base_manager.using(using).filter(
            pk__in={self.instance.pk, *self.locking_also_lock()}
        )
        if not transaction.get_autocommit(using):
            features = connections[using].features
            rows = rows.select_for_update(no_key=features.has_select_for_no_key_update)
        current = {row.pk: row for row in rows.order_by("pk")}.get(self.instance.pk)
        self.locking_current = current
        name = model._meta.verbose_name
        if current is None:
            self.add_error(
                None,
                ValidationError(
                    f"Someone else deleted this {name} while you were editing it; "
                    "nothing was saved.",
                    code="version_deleted",
                ),
            )
            return
        posted = self.cleaned_data.get("version")
        if posted is None:
            return
        if current.version == posted:
            # The save's UPDATE is guarded by the version the editor loaded.
            self.instance._loaded_version = posted
            return
        self.locking_conflict = current
        self.add_error(None, self.locking_error(current))

    def locking_error(self, current):
        name = current._meta.verbose_name
        entry = last_logged_change(current)
        updated = getattr(current, "updated_at", None)
        if entry is None:
            lines = [f"Someone else changed this {name} while you were editing it."]
        elif updated and updated > entry.action_time + datetime.timedelta(seconds=2):
            # Saved after the latest entry of its history: not through the admin.
            lines = [
                f"Someone changed this {name} outside the admin on {_when(updated)}, while you "
                f"were editing it (the latest change in its history is by "
                f"{entry.user.get_username()}, on {_when(entry.action_time)})."
            ]
        else:
            what = entry.get_change_message().rstrip(".")
            lines = [
                f"{entry.user.get_username()} changed this {name} on {_when(entry.action_time)} "
                f"while you were editing it" + (f" ({what})." if what else ".")
            ]
        lines.append("Your changes were not saved, so nothing of theirs was overwritten.")
        differences = self.locking_differences(current)
        if differences is None:
            lines.append("What they changed cannot be shown (the form was not loaded here).")
        elif not differences:
            lines.append("None of the values on this form differ from what you loaded.")
        for label, theirs, yours in differences or ():
            lines.append(f"{label} — theirs: “{theirs}”; yours: “{yours}”.")
        lines.append(
            "Your input is kept below: copy what you need, reload the page to see their "
            "version, and make your changes again."
        )
        return ValidationError([ValidationError(line, code="version_conflict") for line in lines])

    def _posted_snapshot(self):
        raw = self.data.get(self.add_prefix("version_snapshot")) if self.is_bound else None
        if not raw:
            return None
        try:
            return signing.loads(raw, salt=SNAPSHOT_SALT)
        except signing.BadSignature:
            return None

    def locking_differences(self, current):
        """[(label, theirs, yours)] for each value that changed since the form was
        loaded; None if the form carried no snapshot."""
        snapshot = self._posted_snapshot()
        if snapshot is None:
            return None
        model, differences = type(current), []
        for name, loaded in snapshot.get("fields", {}).items():
            field = _model_field(model, name)
            if field is None or comparable(current, field) == loaded:
                continue
            differences.append(
                (self._label(name, field), show_current(current, field), self._yours(field, loaded))
            )
        for relation, loaded_rows in snapshot.get("related", {}).items():
            differences.extend(self._row_differences(current, relation, loaded_rows))
        return differences

    def _label(self, name, field):
        form_field = self.fields.get(name)
        label = form_field.label if form_field is not None and form_field.label else None
        return capfirst(label or field.verbose_name)

    def _yours(self, field, loaded):
        """What this editor submitted for ``field``; what they loaded if it is not
        on the form (read-only) or did not validate."""
        if field.name in self.fields and field.name in getattr(self, "cleaned_data", {}):
            return show(field, self.cleaned_data[field.name])
        return show_comparable(field, loaded)

    def _row_differences(self, current, relation, loaded_rows):
        rel = current._meta.get_field(relation)
        child_model = rel.related_model
        fields = {field.name: field for field in _row_fields(child_model, rel.field)}
        now_rows = covered_rows(current, relation)
        submitted = self._submitted_rows(relation)
        kind = capfirst(child_model._meta.verbose_name)
        found = child_model._base_manager.in_bulk([int(pk) for pk in now_rows])
        differences = []
        for pk in sorted({*loaded_rows, *now_rows}, key=int):
            loaded, now = loaded_rows.get(pk), now_rows.get(pk)
            if loaded == now:
                continue
            if now is None:
                label = f"{kind} “{self._describe_row(child_model, fields, loaded)}”"
                differences.append((label, "deleted", "still on your form"))
                continue
            label = f"{kind} “{found[int(pk)]}”"
            if loaded is None:
                differences.append((label, "added", "not on your form"))
                continue
            for name, value in now.items():
                field = fields.get(name)
                if field is None or loaded.get(name) == value:
                    continue
                if pk in submitted:
                    key = f"{relation}-{submitted[pk]}-{name}"
                    yours = show_submitted(field, self.data, key)
                else:
                    yours = show_comparable(field, loaded.get(name))
                field_label = capfirst(field.verbose_name)
                differences.append(
                    (f"{label}: {field_label}", show_current(found[int(pk)], field), yours)
                )
        return differences

    def _submitted_rows(self, relation):
        """{row pk: form index} of the inline rows posted with this form (the
        admin prefixes an inline's fields with the relation's name)."""
        try:
            total = int(self.data.get(f"{relation}-TOTAL_FORMS", 0))
        except (TypeError, ValueError):
            return {}
        rows = {}
        for index in range(min(total, 1000)):
            pk = self.data.get(f"{relation}-{index}-id")
            if pk:
                rows[str(pk)] = index
        return rows

    @staticmethod
    def _describe_row(model, fields, loaded):
        """A deleted row, described by its ``__str__`` rebuilt from the snapshot."""
        values = {}
        for name, value in (loaded or {}).items():
            field = fields.get(name)
            if field is None or field.many_to_many or field.is_relation or value is None:
                continue
            try:
                values[field.attname] = field.to_python(value)
            except ValidationError:
                continue
        try:
            return str(model(**values))
        except Exception:  # a label is best effort
            return "(deleted row)"


class VersionedInlineFormSet(BaseInlineFormSet):
    """Says so when a row of the form was deleted by someone else meanwhile (Django
    only flags the row's hidden id, which the admin does not show), and refuses
    to delete a row someone else changed (a deleted form's errors are ignored)."""

    def clean(self):
        super().clean()
        errors = []
        for index, form in enumerate(self.forms):
            deleting = self.can_delete and self._should_delete_form(form)
            if index < self.initial_form_count() and form.instance.pk is None and not deleting:
                errors.append(self._gone(form))
            if not deleting:
                continue
            if getattr(form, "locking_conflict", None) is not None:
                errors.append(
                    ValidationError(
                        f"“{form.instance}” was not deleted: someone else changed it while "
                        "you were editing.",
                        code="version_conflict",
                    )
                )
                errors.extend(form.non_field_errors().as_data())
        if errors:
            raise ValidationError(errors)

    def _gone(self, form):
        from django.contrib.admin.models import DELETION, LogEntry
        from django.contrib.contenttypes.models import ContentType

        name = self.model._meta.verbose_name
        pk = str(form.data.get(form.add_prefix(self.model._meta.pk.name), ""))
        entry = (
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model, False),
                object_id=pk,
                action_flag=DELETION,
            )
            .select_related("user")
            .order_by("-action_time", "-pk")
            .first()
        )
        if entry is None:
            who = f"Someone else deleted a {name} of this form (#{pk})"
        else:
            who = (
                f"{entry.user.get_username()} deleted the {name} “{entry.object_repr}” on "
                f"{_when(entry.action_time)}"
            )
        return ValidationError(
            f"{who} while you were editing it; nothing was saved. Your input is kept below: "
            "reload the page and make your changes again.",
            code="version_deleted",
        )


# --------------------------------------------------------------------------------------------
# Admin


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


def _versioned(form_class):
    if issubclass(form_class, VersionedModelForm):
        return form_class
    return type(form_class.__name__, (VersionedModelForm, form_class), {})


class VersionedAdminMixin:
    """Optimistic locking for a ModelAdmin of a ``VersionedModel``.

    Put it first: ``class ClaimAdmin(VersionedAdminMixin, admin.ModelAdmin)``.
    Its form becomes a ``VersionedModelForm``; read-only model fields are
    compared too; inlines of unversioned models are covered by this object's
    version; versioned inline rows get their own LogEntry as well as the
    parent's, so each row's history (and a conflict's "who") is complete.
    """

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        return _with_locking_fields(fieldsets)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = _without_locking_fields(kwargs["fields"])
        kwargs["form"] = _versioned(kwargs.get("form", self.form))
        form_class = super().get_form(request, obj, change=change, **kwargs)
        form_class.locking_extra_fields = tuple(
            name
            for name in self.get_readonly_fields(request, obj)
            if isinstance(name, str) and _model_field(self.model, name) is not None
        )
        form_class.locking_covered_relations = tuple(self._covered_relations())
        return form_class

    def _covered_relations(self):
        from django.forms.models import _get_foreign_key

        for inline in self.inlines:
            if issubclass(inline.model, VersionedModel):
                continue
            fk = _get_foreign_key(self.model, inline.model, fk_name=inline.fk_name)
            yield fk.remote_field.get_accessor_name()

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

    def save_model(self, request, obj, form, change):
        if change and not form.has_changed() and not _differs_from_stored(obj, form):
            # Nothing to write (e.g. only a versioned inline row changed): the
            # version stays, so forms opened elsewhere on this object stay valid.
            form._locking_saved = False
            return
        before = obj.__dict__.get("version")
        super().save_model(request, obj, form, change)
        form._locking_saved = change and obj.__dict__.get("version") != before

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

    def save_formset(self, request, form, formset, change):
        if not issubclass(formset.model, VersionedModel):
            return super().save_formset(request, form, formset, change)
        from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
        from django.contrib.admin.utils import construct_change_message

        doomed = [f.instance for f in formset.deleted_forms if f.instance.pk is not None]
        if doomed:  # logged while the rows still exist; rolled back with them
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=doomed,
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
                flag, message = ADDITION, [{"added": {}}]
            elif obj.pk in changed:
                flag, message = CHANGE, construct_change_message(inline_form, [], False)
            else:
                continue
            LogEntry.objects.log_actions(
                user_id=request.user.pk,
                queryset=[obj],
                action_flag=flag,
                change_message=message,
                single_object=True,
            )
        return result


class VersionedInlineMixin:
    """Optimistic locking for the rows of an inline of a ``VersionedModel``."""

    formset = VersionedInlineFormSet

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        return _with_locking_fields(fieldsets)

    def get_formset(self, request, obj=None, **kwargs):
        if "fields" not in kwargs:
            kwargs["fields"] = flatten_fieldsets(self.get_fieldsets(request, obj))
        kwargs["fields"] = _without_locking_fields(kwargs["fields"])
        kwargs["form"] = _versioned(kwargs.get("form", self.form))
        return super().get_formset(request, obj, **kwargs)


__all__ = [
    "LOCKING_FIELDS",
    "VersionConflict",
    "VersionedAdminMixin",
    "VersionedInlineFormSet",
    "VersionedInlineMixin",
    "VersionedModel",
    "VersionedModelForm",
    "bump_version",
]
