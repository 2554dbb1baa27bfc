"""Django and third-party apps under the names people see in the admin's index."""

from axes.apps import AppConfig as AxesConfig
from django.contrib.admin.apps import AdminConfig
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPConfig
from django_tasks_db.apps import TasksAppConfig


class PortalAdminConfig(AdminConfig):
    default_site = "diagnostics.staff.admin_site.PortalAdminSite"


class SignInLockoutsConfig(AxesConfig):
    verbose_name = "Sign-in lockouts"


class BackupCodesConfig(StaticConfig):
    verbose_name = "Backup codes"


class AuthenticatorAppsConfig(TOTPConfig):
    verbose_name = "Authenticator apps"


class TaskQueueConfig(TasksAppConfig):
    verbose_name = "Task queue"
