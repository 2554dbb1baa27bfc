from django.db import migrations


def recount(apps, schema_editor):
    # Tallies now leave out cases that contradict their answers (a resolving check that
    # found no problem; nothing answered and no summary), which older portals could save.
    if apps.get_model("diagnostics", "Case").objects.exists():
        from diagnostics.review.tallies import rebuild

        rebuild(apps)


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0010_throttle")]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
