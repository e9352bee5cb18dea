"""Optimistic locking: two editors on the same object never silently overwrite each other.

Claims, evidence and stories carry a ``version`` that every save increments.
An editor's form remembers the version it was loaded with (a hidden field) and
a signed snapshot of the values it started from (another hidden field). When
the form comes back:

1. ``VersionedModelForm.clean()`` locks the row (``SELECT … FOR NO KEY UPDATE``
   on PostgreSQL, inside the admin's transaction) and compares its version with
   the form's. A mismatch is a non-field error naming who changed the object and
   when, and what: each field whose value in the database differs from the
   snapshot, as "theirs" (the database) against "yours" (what this editor
   submitted). Nothing is saved, and the re-rendered form keeps the editor's
   input (and the old version, so submitting it again is refused again until
   they reload).

   "Who" is exact: each admin change that moves a version records, with its
   ``LogEntry``, the version it made (``LoggedVersion``). The change that made
   the version found is named; if none did, the message says the object was
   changed outside the admin (a script, a bulk update, a merge of people),
   for evidence as for claims and stories.

   ``form.changed_data`` cannot tell what the *other* editor changed: it
   compares the submission with the instance as it is *now*. Only the snapshot
   (the signed ``version_snapshot`` field: what this editor's form was loaded
   with) can.

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

Covered rows can also be edited on pages of their own (a long story's
statements, each on its ``StatementAdmin`` page, so that a save posts one
statement, not all of them): ``CoveredRowForm`` carries and checks the
*parent's* version, naming who moved it and what differs in this row, and
``CoveredRowAdminMixin`` moves the parent's version on every save, addition and
deletion (a compare-and-set from the version checked) and logs the change in the
parent's history with the version it made, as the parent's own form would.

Not covered: deleting an object (the admin's delete page has no version), and a
submission without the ``version`` field (no browser sends one: the admin always
renders it), which is still saved guarded against changes since the request
read the row, but not against changes since the editor loaded the form.

The package, by layer:

- ``models`` — ``VersionedModel`` (the ``version`` field and the guarded save),
  ``VersionConflict``, ``bump_version`` and ``LoggedVersion`` (the table of
  which version each logged admin change made). Imports nothing but ``django.db``:
  ``stories/models.py`` may import only this module of the package, so loading
  the models never loads the admin (``tests/test_locking_layers.py`` checks it).
- ``forms`` — ``VersionedModelForm``, ``VersionedInlineFormSet`` and
  ``CoveredRowForm``: the check on submit, the signed snapshot, and how values
  are compared and shown to an editor in a conflict message.
- ``admin`` — ``VersionedAdminMixin``, ``VersionedInlineMixin`` and
  ``CoveredRowAdminMixin``: the hidden fields in the fieldsets, covered inline
  rows, no-op saves, per-row history, and the version each logged change made
  (``bump_and_log`` for rows changed around ``save()``).

Nothing is re-exported here: importing ``stories.locking.models`` must not
import the forms or the admin.
"""
