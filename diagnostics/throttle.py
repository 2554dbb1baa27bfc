"""Limits on how often one client (or one account) may do something: a counter row per
(scope, subject, hour), taken with one conditional UPDATE, so concurrent requests can never
get past the limit between a count and an insert. Shared by every app server, and kept
across restarts, because it lives in the database."""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

WINDOW = timedelta(hours=1)


def fingerprint(text):
    """A keyed hash of an address or e-mail: enough to count by, useless if leaked."""
    digest = hmac.new(settings.SECRET_KEY.encode(), text.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class Throttle(models.Model):
    """How many times one subject did one thing in one hour."""

    scope = models.CharField(max_length=32)
    subject = models.CharField(max_length=32, help_text="A keyed hash, never the address.")
    window = models.DateTimeField(help_text="The start of the hour counted.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "subject", "window"], name="throttle_one_row_per_hour"
            )
        ]
        indexes = [models.Index(fields=["window"], name="throttle_window_idx")]

    def __str__(self):
        return f"{self.scope} {self.subject[:8]}: {self.count} at {self.window:%Y-%m-%d %H:00}"


def allow(scope, subject, limit):
    """Count one more `scope` for `subject` this hour and say True, unless it has reached
    `limit`: then count nothing and say False. Exact under any concurrency: the UPDATE's
    condition is checked against the row as it is when the row lock is ours."""
    now = timezone.now()
    window = now.replace(minute=0, second=0, microsecond=0)
    where = {"scope": scope, "subject": fingerprint(subject), "window": window}
    with transaction.atomic(savepoint=False):
        Throttle.objects.bulk_create([Throttle(**where)], ignore_conflicts=True)
        taken = Throttle.objects.filter(**where, count__lt=limit).update(
            count=models.F("count") + 1
        )
    return bool(taken)


def forget_before(when):
    """Delete counters of hours that ended before `when`; returns how many."""
    return Throttle.objects.filter(window__lt=when - WINDOW).delete()[0]
