from django.db import migrations


def create(apps, schema_editor):
    """A trigram index on symptom titles, so search finds near misses ("webhok") through the
    index instead of comparing every title (PostgreSQL only; pg_trgm came with 0019)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX symptom_title_trgm_idx ON diagnostics_symptom "
            "USING gin (title gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS symptom_title_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0020_search_counts")]

    operations = [migrations.RunPython(create, drop)]
