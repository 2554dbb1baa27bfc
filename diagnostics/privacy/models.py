"""Masking rules and retention settings, both changed by admins in the portal."""

from datetime import timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class MaskingRule(models.Model):
    """One kind of value removed from what people type. The built-in ones (a `builtin` name,
    no pattern) can be turned off but not removed; admins add their own patterns."""

    name = models.CharField(max_length=100)
    builtin = models.CharField(max_length=20, blank=True, editable=False)
    pattern = models.TextField(blank=True, help_text="A regular expression.")
    marker = models.CharField(max_length=60, help_text="What replaces each match.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-builtin", "created_at", "id"]
        permissions = [("manage_privacy", "Can manage masking and retention")]
        constraints = [
            models.UniqueConstraint(
                fields=["builtin"], condition=~models.Q(builtin=""), name="one_row_per_builtin"
            )
        ]

    def __str__(self):
        return self.name

    @classmethod
    def with_builtins(cls):
        """Every rule, adding a row for any built-in that has none yet (one query when all
        are there)."""
        from diagnostics.privacy.masking import BUILTINS

        rules = list(cls.objects.all())
        missing = BUILTINS.keys() - {rule.builtin for rule in rules}
        if missing:
            cls.objects.bulk_create(
                [
                    cls(builtin=name, name=BUILTINS[name][0], marker=BUILTINS[name][3])
                    for name in missing
                ],
                ignore_conflicts=True,
            )
            rules = list(cls.objects.all())
        return rules


DAYS = [MinValueValidator(1), MaxValueValidator(36500)]


class RetentionSettings(models.Model):
    """How long things are kept (empty: for ever). One row."""

    free_text_days = models.PositiveIntegerField(
        "keep what people typed in saved cases for (days)",
        null=True,
        blank=True,
        validators=DAYS,
        help_text="Notes, summaries, comments and ticket references are then removed; the "
        "results stay for the statistics.",
    )
    case_days = models.PositiveIntegerField(
        "keep saved cases for (days)",
        null=True,
        blank=True,
        validators=DAYS,
        help_text="Whole cases are then deleted and taken out of the statistics.",
    )
    session_days = models.PositiveIntegerField(
        "keep diagnoses nobody saved for (days)", default=30, validators=DAYS
    )
    delivery_days = models.PositiveIntegerField(
        "keep the webhook delivery log for (days)", default=30, validators=DAYS
    )
    last_run_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_run_counts = models.JSONField(default=dict, blank=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "retention settings"

    def __str__(self):
        return "Retention settings"

    @classmethod
    def get(cls):
        return cls.objects.get_or_create(pk=1)[0]

    def cutoff(self, days, now=None):
        return (now or timezone.now()) - timedelta(days=days) if days else None

    @property
    def due(self):
        return self.last_run_at is None or timezone.now() - self.last_run_at >= timedelta(days=1)
