"""Webhooks: endpoints that want events, and each event's delivery to each of them, with every
attempt logged. A delivery's state lives here, not in the task queue, so a worker killed
mid-attempt loses nothing: the next sweep sends it again."""

import base64
import secrets
import uuid
from datetime import timedelta

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

EVENTS = {
    "case.saved": "A case was saved",
    "case.reviewed": "A team lead reviewed a case",
    "case.answered": "Someone said whether a case solved their problem",
    "comment.added": "A comment was added to a case",
    "playbook.published": "A playbook revision was published",
}
SECRET_GRACE = timedelta(hours=24)  # a rotated secret still signs for this long
RESPONSE_EXCERPT = 500  # characters of each answer kept in the log


def new_secret():
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class Endpoint(models.Model):
    url = models.URLField("URL", max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    secret = models.CharField(max_length=100, default=new_secret, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_until = models.DateTimeField(null=True, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("manage_webhooks", "Can manage webhooks")]

    def __str__(self):
        return self.url

    def get_absolute_url(self):
        return reverse("diagnostics:webhook_detail", args=[self.pk])

    def wants(self, event):
        return self.enabled and event in self.events

    def signing_secrets(self, now=None):
        """The secret, and the previous one during its grace period after a rotation."""
        now = now or timezone.now()
        keep = (
            self.previous_secret and self.previous_secret_until and now < self.previous_secret_until
        )
        return [self.secret, self.previous_secret] if keep else [self.secret]

    def rotate_secret(self):
        """A new secret, shown once; the old one still signs for SECRET_GRACE. Two rotations
        at once run one after the other, so the secret each shows is one that signs."""
        with transaction.atomic():
            current = Endpoint.objects.select_for_update().get(pk=self.pk)
            self.previous_secret = current.secret
            self.previous_secret_until = timezone.now() + SECRET_GRACE
            self.secret = new_secret()
            self.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        return self.secret

    def disable(self, reason):
        Endpoint.objects.filter(pk=self.pk).update(enabled=False, disabled_reason=reason)
        self.enabled, self.disabled_reason = False, reason

    def enable(self):
        Endpoint.objects.filter(pk=self.pk).update(
            enabled=True, disabled_reason="", consecutive_failures=0
        )
        self.enabled, self.disabled_reason, self.consecutive_failures = True, "", 0


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Gave up"


class DeliveryQuerySet(models.QuerySet):
    def due(self, now=None):
        """Pending deliveries whose next attempt is due and that no worker holds."""
        now = now or timezone.now()
        return self.filter(state=DeliveryState.PENDING, next_attempt_at__lte=now).filter(
            models.Q(claimed_until__isnull=True) | models.Q(claimed_until__lt=now)
        )


class Delivery(models.Model):
    """One event for one endpoint: the same message (and `webhook-id`) on every attempt."""

    endpoint = models.ForeignKey(Endpoint, models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50)
    message_id = models.CharField(
        max_length=50, unique=True, default="", editable=False, help_text="webhook-id"
    )
    payload = models.TextField(help_text="The JSON body, exactly as signed.")
    state = models.CharField(max_length=10, choices=DeliveryState, default=DeliveryState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self):
        return f"{self.event} to {self.endpoint}"

    def save(self, *args, **kwargs):
        if not self.message_id:
            self.message_id = f"msg_{uuid.uuid4().hex}"
        super().save(*args, **kwargs)


class Attempt(models.Model):
    """One try at sending a delivery, for the log."""

    delivery = models.ForeignKey(Delivery, models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"attempt {self.number} of {self.delivery}"

    @property
    def succeeded(self):
        return self.status_code is not None and 200 <= self.status_code < 300
