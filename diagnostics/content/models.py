"""The playbook's content: categories, symptoms and their ordered checks, and its revisions."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

from diagnostics.content.markdown import render_markdown

# Keys are public (a symptom's key is its URL), so they are plain slugs: no case, no underscores.
KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
KEY_MAX_LENGTH = 100
TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 10_000

validate_key = RegexValidator(
    KEY_PATTERN, "Use lowercase letters, digits and single hyphens, such as “webhooks-not-firing”."
)


def key_field(**kwargs):
    return models.CharField(max_length=KEY_MAX_LENGTH, validators=[validate_key], **kwargs)


class Category(models.Model):
    key = key_field(unique=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.title


class SymptomQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def for_index(self):
        """Published symptoms in reading order, with their category and check count: one query."""
        return (
            self.published()
            .select_related("category")
            .annotate(check_count=models.Count("checks", filter=models.Q(checks__published=True)))
            .order_by("category__position", "category__key", "position", "key")
        )

    def for_page(self):
        """Published symptoms with their published checks in order: two queries for a page."""
        return (
            self.published()
            .select_related("category")
            .prefetch_related(models.Prefetch("checks", queryset=Check.objects.published()))
        )


class Symptom(models.Model):
    category = models.ForeignKey(Category, models.PROTECT, related_name="symptoms")
    key = key_field(
        unique=True,
        help_text="Its public address is /symptoms/ followed by this key: keep it stable once "
        "links are out.",
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    summary = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH, help_text="Markdown.")
    position = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=True)

    objects = SymptomQuerySet.as_manager()

    class Meta:
        ordering = ["category__position", "position", "key"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("diagnostics:symptom_detail", args=[self.key])

    @property
    def summary_html(self):
        return render_markdown(self.summary)


class CheckQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)


class Check(models.Model):
    symptom = models.ForeignKey(Symptom, models.CASCADE, related_name="checks")
    key = key_field(help_text="Stable within its symptom: statistics follow the key.")
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    help = models.TextField(
        blank=True, max_length=TEXT_MAX_LENGTH, help_text="How to verify it (Markdown)."
    )
    position = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["symptom", "key"], name="check_key_unique_in_symptom"),
        ]

    def __str__(self):
        return self.title

    @property
    def help_html(self):
        return render_markdown(self.help)


class PlaybookRevisionQuerySet(models.QuerySet):
    def current(self):
        """The newest revision, or None before the first import (one query)."""
        return self.order_by("-number").first()

    def history(self):
        """Revisions newest first, with who imported each."""
        return self.select_related("imported_by").order_by("-number")


class PlaybookRevision(models.Model):
    """One import that changed the content: what changed, from which file, by whom."""

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the imported content.")
    source = models.CharField(max_length=200, help_text="The file and the command or page.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)
    symptoms_added = models.PositiveIntegerField(default=0)
    symptoms_changed = models.PositiveIntegerField(default=0)
    symptoms_retired = models.PositiveIntegerField(default=0)
    checks_added = models.PositiveIntegerField(default=0)
    checks_changed = models.PositiveIntegerField(default=0)
    checks_retired = models.PositiveIntegerField(default=0)

    objects = PlaybookRevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        get_latest_by = "number"
        permissions = [("manage_playbook", "Can import and export the playbook")]

    def __str__(self):
        return f"Revision {self.number}"

    @property
    def summary(self):
        return (
            f"revision {self.number}: "
            f"symptoms {self.symptoms_added} added, {self.symptoms_changed} changed, "
            f"{self.symptoms_retired} retired; "
            f"checks {self.checks_added} added, {self.checks_changed} changed, "
            f"{self.checks_retired} retired"
        )
