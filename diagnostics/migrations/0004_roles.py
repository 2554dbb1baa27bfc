"""Create the three roles as groups with their permissions (see diagnostics/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from diagnostics.staff.roles import sync_roles

    # Permissions are normally made after all migrations; make them now so groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Support agent", "Team lead", "Admin"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("diagnostics", "0003_staff"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("otp_totp", "0001_initial"),
        ("otp_static", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
