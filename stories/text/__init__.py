"""The desk's text rules: pure functions over strings and small dataclasses.

Reading article files, locating and re-anchoring quotes, proposing people and
quotes, weighing claims and diffing revisions are the project's core logic.
Nothing in this package touches the database: it imports neither Django's ORM
nor the ``stories`` models, services or admin (``tests/test_text_purity.py``
checks), so models, services, commands and tests all call the same rules and
the rules can be unit-tested without a database.
"""
