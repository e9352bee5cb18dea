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
    """Save an existing row only if it is still at the version it was loaded at.

    ``version`` is declared here, once, for every versioned model (Claim,
    Evidence, Story). ``_loaded_version`` is the version the instance's values
    were read at: set when it is loaded, after a full ``refresh_from_db()`` and
    after each save. A form that checked the version sets it to the version the
    editor loaded. An instance whose version was never read (deferred) is saved
    unguarded, but its version is still incremented.

    The guard is a compare-and-set through the public QuerySet API, in one
    transaction with the save: ``UPDATE … SET version = loaded + 1 WHERE id = …
    AND version = loaded``, then the ordinary ``save()`` (an UPDATE of the row
    this transaction now holds). If the compare-and-set matches no row, the row
    moved on or was deleted since it was loaded: ``VersionConflict``, and
    nothing is written (never an INSERT, Django's reading of "no row updated").
    On PostgreSQL a concurrent compare-and-set waits for the row lock and then
    re-checks its ``WHERE`` against the committed row, so of two saves from the
    same version exactly one wins.

    A ``VersionConflict`` leaves an enclosing ``atomic`` block usable (nothing
    failed in the database: an UPDATE matched no row), so it can be caught
    without a savepoint.
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
        if expected is None:
            self._save_as_version(F("version") + 1, args, kwargs)
            self.version = type(self)._base_manager.using(self._state.db).get(pk=self.pk).version
        else:
            self._save_guarded(expected, args, kwargs)
        self._loaded_version = self.version

    def _save_guarded(self, expected, args, kwargs):
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        row = type(self)._base_manager.using(using).filter(pk=self.pk, version=expected)
        # savepoint=False: a failing save marks the caller's transaction for
        # rollback, as Django's own save does; the conflict is raised outside.
        with transaction.atomic(using=using, savepoint=False):
            claimed = row.update(version=expected + 1)
            if claimed:
                self._save_as_version(expected + 1, args, {**kwargs, "force_update": True})
        if not claimed:
            raise VersionConflict(self, expected)

    def _save_as_version(self, version, args, kwargs):
        """The ordinary save, writing ``version``; the instance keeps its old
        version if the save fails."""
        before = self.__dict__.get("version")
        self.version = version
        try:
            super().save(*args, **kwargs)
        except BaseException:
            if before is None:
                self.__dict__.pop("version", None)
            else:
                self.version = before
            raise

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


def bump_version(queryset):
    """Increment the version of every row of ``queryset`` (a write that does not
    go through ``save()`` but must still refuse forms opened before it)."""
    return queryset.update(version=F("version") + 1)


class LoggedVersion(models.Model):
    """Which version of its object an admin change (a LogEntry) made.

    The admin's LogEntry says who changed an object and when, not which of its
    versions that change made. A conflict needs exactly that: the editor ran
    into the object's current version, and either a logged change made it (that
    editor is named) or none did (it was changed outside the admin: a script, a
    bulk update, a merge of people). ``stories.locking.admin`` writes one for
    each logged change that moved a version; additions, deletions and saves
    that changed nothing get none.

    The LogEntry is named as a string, so this module imports no part of the
    admin; the table lives here because only the model layer defines tables.
    """

    entry = models.OneToOneField(
        "admin.LogEntry",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="logged_version",
    )
    version = models.PositiveIntegerField()

    class Meta:
        default_permissions = ()  # bookkeeping written by the admin, edited by nobody

    def __str__(self):
        return f"log entry #{self.entry_id}: version {self.version}"
