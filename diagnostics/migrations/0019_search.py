import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

FTS_TABLE = "diagnostics_symptom_search"


def create_index(apps, schema_editor):
    """Each database's own search index: a GIN index on the symptoms' tsvector (PostgreSQL),
    or an FTS5 table (SQLite). Then fill it from what is published."""
    from diagnostics.content.search import reindex

    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX symptom_search_idx ON diagnostics_symptom USING gin (search_vector)"
        )
    elif schema_editor.connection.vendor == "sqlite":
        # visibility is stored, not searched, so search can keep staff-only symptoms out.
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(title, summary, checks, "
            "visibility UNINDEXED, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
    reindex()


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS symptom_search_idx")
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0018_feedback_tallies")]

    operations = [
        TrigramExtension(),  # pg_trgm, for near misses; nothing on SQLite
        migrations.AddField(
            model_name="symptom",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_index, drop_index),
    ]
