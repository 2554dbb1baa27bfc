from django.db import migrations


def create_row(apps, schema_editor):
    apps.get_model("diagnostics", "SecuritySettings").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0004_roles")]

    operations = [migrations.RunPython(create_row, migrations.RunPython.noop)]
