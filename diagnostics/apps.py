from django.apps import AppConfig
from django.db.models.signals import post_migrate


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    verbose_name = "Playbook, cases and security"

    def ready(self):
        from diagnostics.integrations import receivers  # noqa: F401 (connects the webhooks)
        from diagnostics.staff import audit  # noqa: F401 (connects the audit log)
        from diagnostics.staff.roles import sync_roles_after_migrate

        # Runs after every app's permissions exist (auth's handler is connected first).
        post_migrate.connect(sync_roles_after_migrate, sender=self)
