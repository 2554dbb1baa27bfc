"""Staff: the roles people are given, and the portal-wide security settings."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    """The groups a data migration creates; what each may do is in its permissions."""

    AGENT = "Support agent", "Support agent"
    LEAD = "Team lead", "Team lead"
    EDITOR = "Editor", "Editor"
    ADMIN = "Admin", "Admin"


def display_name(user):
    """How the portal names a person: their full name, else their username; "" for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


class SecuritySettings(models.Model):
    """Portal-wide security choices, edited by admins: one row."""

    require_second_factor = models.BooleanField(
        "require a second factor for staff",
        default=False,
        help_text="Staff without an authenticator app are taken to set one up after their "
        "password; staff with one must give a code before any staff page.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "security settings"

    def __str__(self):
        return "Security settings"

    @classmethod
    def load(cls):
        """The one row (one query)."""
        return cls.objects.get_or_create(pk=1)[0]


class AuditEntry(models.Model):
    """Who changed what that matters (roles, people, security, webhooks, masking, retention,
    the playbook), when. Only ever added: nothing in the portal or the admin edits one."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, help_text="Kept if the account goes.")
    action = models.CharField(max_length=100)
    target = models.CharField(max_length=300)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.action} {self.target}"
