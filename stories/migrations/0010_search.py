"""Full-text search: a weighted ``search_vector`` on stories, claims, people and
sources, with a GIN index each and the ``unaccent`` extension, on PostgreSQL.

SQLite gets the columns (they stay empty: its search is ``stories.search``'s
fallback) but neither the extension nor the GIN indexes, which it cannot hold.
The vectors of existing rows are filled after migrating (``stories.search``'s
post_migrate handler).
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    """An index the model declares, created only where the database can hold it."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def vector():
    return django.contrib.postgres.search.SearchVectorField(editable=False, null=True)


def gin(name):
    return django.contrib.postgres.indexes.GinIndex(fields=["search_vector"], name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0009_story_slugs"),
    ]

    operations = [
        # Does nothing on SQLite (CreateExtension checks the vendor itself).
        UnaccentExtension(),
        migrations.AddField(model_name="article", name="search_vector", field=vector()),
        migrations.AddField(model_name="claim", name="search_vector", field=vector()),
        migrations.AddField(model_name="person", name="search_vector", field=vector()),
        migrations.AddField(model_name="story", name="search_vector", field=vector()),
        AddIndexOnPostgres(model_name="article", index=gin("article_search")),
        AddIndexOnPostgres(model_name="claim", index=gin("claim_search")),
        AddIndexOnPostgres(model_name="person", index=gin("person_search")),
        AddIndexOnPostgres(model_name="story", index=gin("story_search")),
    ]
