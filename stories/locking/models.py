"""The model layer of optimistic locking: versioned saves, for every writer.

Imports only ``django.db``; ``stories/models.py`` imports this module and no
other of the package (see the package docstring).
"""

from django.db import models, router, transaction
from django.db.models import F


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


class VersionedModel(models.Model):
    """Save as a guarded update: ``WHERE version = <the version loaded>``.

    ``version`` is declared here, once, for every versioned model (Claim,
    Evidence, Story). ``_loaded_version`` is the version the instance's values
    were read at: set when it is loaded, after a full ``refresh_from_db()`` and
    after each save. A form that checked the version sets it to the version the
    editor loaded. An instance whose version was never read (deferred) is saved
    unguarded, but its version is still incremented.

    A ``VersionConflict`` writes nothing and, unlike other errors in ``save()``,
    leaves an enclosing ``atomic`` block usable (the guarded UPDATE did not fail;
    it matched no row), so it can be caught without a savepoint.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

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
