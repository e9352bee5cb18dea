"""Writes that span several models, one module per concern.

* ``articles`` — importing a batch of parsed articles (every way in: the
  command, the admin upload, the admin paste form).
* ``publishing`` — the review workflow: submitting, publishing a revision,
  unpublishing, restoring a revision into the draft.
* ``merging`` — folding duplicate people into one.
* ``citing`` — citing a passage from the reading view: the evidence, and its
  claim when the editor typed a new one.
* ``suggestions`` — proposing the people an article names, and the editor's
  accept / reject.
* ``jobs`` — long work off the request path (large imports, the suggestion pass):
  queued, run in one transaction, watched from the job's page.

Each write runs in one transaction, so a failure part-way leaves the database
as it was: an import of five files with a bad third one imports nothing, and a
story is never half-published. Services may import models, ``stories.text`` and
``stories.roles`` (who may do what); nothing below them (models, text rules)
imports services.
"""
