"""The form layer of optimistic locking: the check when a versioned form comes back.

``VersionedModelForm`` carries the version the editor loaded and the signed
snapshot of the values they started from (the hidden ``version`` and
``version_snapshot`` fields); its ``clean()`` locks the row and, on a
mismatch, refuses the save with a message naming who changed what, "theirs"
against "yours". ``VersionedInlineFormSet`` adds what only the formset can
see: rows deleted meanwhile, and deleting a row someone else changed.

The helpers below turn field values into comparable JSON-ready text (what the
snapshot holds) and into text for an editor to read.
"""

from django import forms
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.admin.utils import display_for_field, display_for_value
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, models, router, transaction
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst

from .models import VersionedModel

# The hidden fields a versioned form adds; never model fields, never "changed".
LOCKING_FIELDS = ("version", "version_snapshot")
SNAPSHOT_SALT = "stories.locking.snapshot"
# How a conflict message shows an empty value, and an empty many-to-many list.
SHOWN_EMPTY = "(empty)"
SHOWN_NONE = "(none)"


# --- Comparable values and how they are shown ------------------------------------------------


def compared_field(model, name):
    """The model field of ``model`` that a versioned form compares under ``name``
    (not the primary key, the version or a reverse relation), or None."""
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
    """A value of ``field`` (as the model or a form holds it) for an editor to
    read, as the admin shows it in change lists and read-only fields (choice
    labels, local dates and times), as plain text: never a link or an icon."""
    if field.many_to_many:
        return display_for_value([str(item) for item in value or ()], SHOWN_NONE)
    if isinstance(field, models.BooleanField):
        return display_for_value(value, SHOWN_EMPTY)  # "True", not the admin's icon
    return display_for_field(value, field, SHOWN_EMPTY, avoid_link=True)


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
        return SHOWN_EMPTY
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
        return SHOWN_EMPTY
    if field.many_to_one or field.one_to_one:
        return show_comparable(field, raw) if str(raw).isdigit() else str(raw)
    try:
        return show(field, field.to_python(raw))
    except ValidationError:
        return str(raw)


# --- What the admin's history says ----------------------------------------------------------


def history(model, pk):
    """The admin's LogEntry rows for the object ``model`` #``pk``, latest first,
    with their users: the one lookup every "who did it" of a conflict narrows."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    return (
        LogEntry.objects.filter(content_type=content_type, object_id=str(pk))
        .select_related("user")
        .order_by("-action_time", "-pk")
    )


def made_by(current):
    """The logged admin change that made ``current``'s version, or None if no
    logged change did (it was changed outside the admin)."""
    return (
        history(type(current), current.pk).filter(logged_version__version=current.version).first()
    )


def _when(moment):
    return display_for_value(moment, SHOWN_EMPTY)


def _locked(model, pks, instance):
    """``model``'s rows ``pks``, locked (``SELECT … FOR NO KEY UPDATE``) when the
    check runs in a transaction, as the admin's does: the version read is the one
    the save will be guarded against."""
    using = router.db_for_write(model, instance=instance)
    rows = model._base_manager.using(using).filter(pk__in=pks)
    if not transaction.get_autocommit(using):
        features = connections[using].features
        rows = rows.select_for_update(no_key=features.has_select_for_no_key_update)
    return rows


def conflict_error(current, differences, editing="it"):
    """The refusal shown when ``current`` (a versioned object) moved on since the
    form was loaded: who made its version and when, then ``differences``
    ([(label, theirs, yours)], or None when the form carried no snapshot), and
    how to carry on. ``editing`` is what the editor was editing, said of it."""
    name = current._meta.verbose_name
    maker = made_by(current)
    if maker is not None:
        what = maker.get_change_message().rstrip(".")
        lines = [
            f"{maker.user.get_username()} changed this {name} on {_when(maker.action_time)} "
            f"while you were editing {editing}" + (f" ({what})." if what else ".")
        ]
    elif (latest := history(type(current), current.pk).first()) is not None:
        # The version moved on, and no change in its history made it.
        lines = [
            f"Someone changed this {name} outside the admin while you were editing {editing}, "
            f"so its history does not say who (the latest change it records is by "
            f"{latest.user.get_username()}, on {_when(latest.action_time)})."
        ]
    else:
        lines = [f"Someone else changed this {name} while you were editing {editing}."]
    lines.append("Your changes were not saved, so nothing of theirs was overwritten.")
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


# --- The forms ------------------------------------------------------------------------------


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
            self.initial["version"] = self.locking_version()
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

    def locking_version(self):
        """The version this form guards (the hidden ``version``): the object's own."""
        return self.instance.version

    # --- what is compared --------------------------------------------------------------------

    def locking_fields(self):
        model, seen, fields = type(self.instance), set(), []
        for name in [*self.fields, *self.locking_extra_fields]:
            field = compared_field(model, name)
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
        rows = _locked(model, {self.instance.pk, *self.locking_also_lock()}, self.instance)
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
        return conflict_error(current, self.locking_differences(current))

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
            field = compared_field(model, name)
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
            deleting = self.can_delete and form.cleaned_data.get(DELETION_FIELD_NAME, False)
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
        name = self.model._meta.verbose_name
        pk = str(form.data.get(form.add_prefix(self.model._meta.pk.name), ""))
        entry = history(self.model, pk).filter(action_flag=DELETION).first()
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


class CoveredRowForm(VersionedModelForm):
    """A form for a row its parent's version covers (a story's statement), on a page
    of its own rather than inline in the parent's form.

    The hidden ``version`` is the parent's (``locking_parent`` names the foreign key
    to it). ``clean()`` locks the parent's row and compares, as the parent's own form
    would: since any change to the parent or to a row it covers moves the parent's
    version, a save from a page opened before one is refused, naming who made it, with
    the differences in this row. The admin (``CoveredRowAdminMixin``) then moves the
    parent's version, from the one checked here (``locking_parent_version``).
    """

    locking_parent = None
    locking_parent_version = None

    def _locking_applies(self):
        return (
            self.locking_parent is not None
            and self.instance.pk is not None
            and not self.instance._state.adding
        )

    def locking_version(self):
        return getattr(self.instance, self.locking_parent).version

    def _check_version(self):
        link = self.instance._meta.get_field(self.locking_parent)
        parent_pk = getattr(self.instance, link.attname)
        parent = _locked(link.related_model, {parent_pk}, self.instance).first()
        self.locking_current = parent
        posted = self.cleaned_data.get("version")
        if parent is None or posted is None or parent.version == posted:
            self.locking_parent_version = posted
            return
        row = type(self.instance)._base_manager.filter(pk=self.instance.pk).first()
        self.locking_conflict = parent
        editing = f"one of its {self.instance._meta.verbose_name_plural}"
        self.add_error(
            None, conflict_error(parent, self.locking_differences(row) if row else None, editing)
        )
