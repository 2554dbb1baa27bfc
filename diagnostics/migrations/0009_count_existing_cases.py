from django.db import migrations


def count_existing_cases(apps, schema_editor):
    # Only an existing portal has cases to count; a new one starts its tallies at zero.
    if apps.get_model("diagnostics", "Case").objects.exists():
        from diagnostics.review.tallies import rebuild

        rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0008_totals")]

    operations = [migrations.RunPython(count_existing_cases, migrations.RunPython.noop)]
