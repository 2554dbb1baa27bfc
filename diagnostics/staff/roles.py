"""The staff roles: groups and the permissions behind them.

Created by a data migration and kept in step on every `migrate` (post_migrate), so a new,
restored or flushed database always has them. A role only ever gains permissions here: what
an admin adds to a group in the admin is kept."""

from django.apps import apps as global_apps
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q

from diagnostics.staff.models import Role

AGENT = ["diagnostics.run_diagnosis"]
LEAD = [*AGENT, "diagnostics.review_case", "diagnostics.view_case"]
# Editors write the content: the playbook and its revisions, nothing about people or security.
EDITOR = [
    "diagnostics.manage_playbook",
    *(
        f"diagnostics.{action}_{model}"
        for model in ("category", "symptom", "check")
        for action in ("add", "change", "delete", "view")
    ),
    "diagnostics.view_playbookrevision",
]
ADMIN = [
    *LEAD,
    *EDITOR,
    *(f"auth.{action}_user" for action in ("add", "change", "delete", "view")),
    "diagnostics.manage_webhooks",
    "diagnostics.manage_privacy",
    "diagnostics.view_auditentry",
    "diagnostics.change_securitysettings",
    "diagnostics.view_securitysettings",
    "auth.view_group",
    "otp_totp.view_totpdevice",
    "otp_totp.delete_totpdevice",
    "otp_static.view_staticdevice",
    "otp_static.delete_staticdevice",
]
ROLES = {Role.AGENT: AGENT, Role.LEAD: LEAD, Role.EDITOR: EDITOR, Role.ADMIN: ADMIN}


def sync_roles(apps=global_apps):
    """Make sure each role's group exists and holds its permissions (a few queries)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = Q()
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.add(*Permission.objects.filter(wanted))


def sync_roles_after_migrate(sender, **kwargs):
    sync_roles()


def is_agent(user):
    return user.has_perm("diagnostics.run_diagnosis")


def can_review(user):
    return user.has_perm("diagnostics.review_case")


def staff_page(permission):
    """Signed-in staff with `permission` only: the login page for anyone else who is not
    signed in, 403 for staff without it."""

    def decorate(view):
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorate
