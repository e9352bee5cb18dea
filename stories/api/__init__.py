"""The read-only JSON API for partners (Django REST framework): published
stories, public claims, sources and people, at ``/api/``, with its OpenAPI
schema at ``/api/openapi.json``.

What it may show is what the reader pages show: every view starts from the
models' ``published()`` QuerySets, a story's reconciliation comes from the
story page's own code (``StoryViewMixin.reconcile``) and ``stories.exports``,
and a claim's status from ``reconciling.assess`` with the editors' ``Ledger``.
This package may import the models, selectors, exports and the reader views'
mixins; nothing imports it but the URLconf.
"""
