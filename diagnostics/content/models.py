"""The playbook's content: categories, symptoms and their ordered checks, and its revisions."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone

from diagnostics.content.markdown import RenderedMarkdownField, save_rendered

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
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "key"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.title


class Visibility(models.TextChoices):
    PUBLIC = "public", "Public"
    STAFF = "staff", "Staff only"


class SymptomQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def visible_to(self, user=None):
        """Published symptoms `user` may open: staff-only ones for signed-in staff only.
        Without a user (commands, the bench), every published symptom."""
        symptoms = self.published()
        if user is not None and not sees_staff_only(user):
            symptoms = symptoms.filter(visibility=Visibility.PUBLIC)
        return symptoms

    def for_index(self, user=None):
        """Symptoms `user` may open, in reading order, with their category and check count:
        one query."""
        return (
            self.visible_to(user)
            .select_related("category")
            .annotate(check_count=models.Count("checks", filter=models.Q(checks__published=True)))
            .order_by("category__position", "category__key", "position", "key")
        )

    def first_of_each_category(self, n):
        """The ids of the first `n` symptoms of each category, in reading order."""
        place = models.Window(
            RowNumber(), partition_by=models.F("category_id"), order_by=["position", "key"]
        )
        return self.annotate(place=place).filter(place__lte=n).values("pk")

    def for_page(self, user=None):
        """Symptoms `user` may open, with their published checks in order: two queries."""
        return (
            self.visible_to(user)
            .select_related("category")
            .prefetch_related(models.Prefetch("checks", queryset=Check.objects.published()))
        )


class SymptomManager(models.Manager.from_queryset(SymptomQuerySet)):
    def get_queryset(self):
        # Only search reads the search vector (in SQL): no page loads it into Python.
        return super().get_queryset().defer("search_vector")


class Symptom(models.Model):
    category = models.ForeignKey(Category, models.PROTECT, related_name="symptoms")
    key = key_field(
        unique=True,
        help_text="Its public address is /symptoms/ followed by this key: keep it stable once "
        "links are out.",
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    summary = models.TextField(blank=True, max_length=TEXT_MAX_LENGTH, help_text="Markdown.")
    summary_html = RenderedMarkdownField()
    position = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=True)
    visibility = models.CharField(max_length=10, choices=Visibility, default=Visibility.PUBLIC)
    replaced_by = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Once retired, its page points here.",
    )
    # Freshness: someone owns the symptom and re-reads it every so many days.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_every_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3650)]
    )
    added_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What search reads on PostgreSQL (SQLite has its own FTS5 table): title, summary and
    # checks, weighted, rebuilt at every publish by content/search.py. GIN-indexed by 0019.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = SymptomManager()

    class Meta:
        ordering = ["category__position", "position", "key"]
        # The newest review is part of the public pages' cache key, read on every request.
        indexes = [models.Index(fields=["reviewed_at"], name="symptom_reviewed_idx")]

    def __str__(self):
        return self.title

    def save(self, **kwargs):
        super().save(**save_rendered(self, "summary", "summary_html", kwargs))

    def get_absolute_url(self):
        return reverse("diagnostics:symptom_detail", args=[self.key])

    @property
    def is_public(self):
        return self.visibility == Visibility.PUBLIC

    @property
    def review_due_on(self):
        """The day its next review is due, or None when it has no review interval."""
        if not self.review_every_days:
            return None
        since = self.reviewed_at or self.added_at
        return (since + timedelta(days=self.review_every_days)).date()

    def review_due(self, today=None):
        due = self.review_due_on
        return due is not None and due <= (today or timezone.localdate())

    def mark_reviewed(self, user):
        self.reviewed_at, self.reviewed_by = timezone.now(), user
        self.save(update_fields=["reviewed_at", "reviewed_by"])


class SearchCount(models.Model):
    """How often people searched for some words on one day, and how often that found
    nothing: what editors should write next. Only the words, masked and normalised (see
    `search.normalise`): no address, person or time of day."""

    day = models.DateField()
    words = models.CharField(max_length=200)
    searches = models.PositiveIntegerField(default=0)
    without_result = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "words"], name="search_count_unique")]
        indexes = [models.Index(fields=["day"], name="search_count_day_idx")]

    def __str__(self):
        return f"{self.words!r} on {self.day}: {self.searches}"


def sees_staff_only(user):
    """Staff who run diagnoses or write content see staff-only symptoms."""
    return user.has_perm("diagnostics.run_diagnosis") or user.has_perm(
        "diagnostics.manage_playbook"
    )


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
    help_html = RenderedMarkdownField()
    position = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=True)
    # What follows each answer (playbook schema 2): {"problem": {"goto": "fix-url"}, ...};
    # empty for the plain ordered checklist. Validated by the playbook reader.
    rules = models.JSONField(default=dict, blank=True)

    objects = CheckQuerySet.as_manager()

    class Meta:
        ordering = ["position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["symptom", "key"], name="check_key_unique_in_symptom"),
        ]

    def __str__(self):
        return self.title

    def save(self, **kwargs):
        super().save(**save_rendered(self, "help", "help_html", kwargs))


class PlaybookRevisionQuerySet(models.QuerySet):
    def current(self):
        """The newest revision, or None before the first import (one query)."""
        return self.order_by("-number").first()

    def history(self):
        """Revisions newest first, with who imported each."""
        return self.select_related("imported_by").order_by("-number")


MESSAGE_MAX_LENGTH = 200


class PlaybookRevision(models.Model):
    """One publish that changed the content: what changed, why, from where, by whom, and the
    whole published playbook as YAML, so any revision can be shown, compared and restored."""

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    message = models.CharField("what changed", max_length=MESSAGE_MAX_LENGTH, blank=True)
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the imported content.")
    document = models.TextField(blank=True, help_text="The published playbook, as YAML.")
    source = models.CharField(max_length=200, help_text="The file and the command or page.")
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="published by",
    )
    imported_at = models.DateTimeField("published at", auto_now_add=True)
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

    def get_absolute_url(self):
        return reverse("diagnostics:revision_detail", args=[self.number])

    @property
    def counts_text(self):
        return (
            f"symptoms: {self.symptoms_added} added, {self.symptoms_changed} changed, "
            f"{self.symptoms_retired} retired; checks: {self.checks_added} added, "
            f"{self.checks_changed} changed, {self.checks_retired} retired"
        )

    @property
    def summary(self):
        return (
            f"revision {self.number}: "
            f"symptoms {self.symptoms_added} added, {self.symptoms_changed} changed, "
            f"{self.symptoms_retired} retired; "
            f"checks {self.checks_added} added, {self.checks_changed} changed, "
            f"{self.checks_retired} retired"
        )


class PlaybookDraft(models.Model):
    """The one shared draft: the whole playbook as editors have changed it since the last
    publish, or nothing (`document` is None) when there are no unpublished changes.

    A single row, created by a migration, so every change can lock it: two editors' changes
    apply one after the other, and each change checks the item it edits has not changed since
    its editor loaded it (see `fingerprint`)."""

    document = models.JSONField(null=True, blank=True)
    base = models.ForeignKey(
        PlaybookRevision,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The revision the draft started from.",
    )
    version = models.PositiveIntegerField(default=0)
    # What each change touched: item id ("symptom:key") -> {"by": name, "at": ISO time, "what"}.
    touched = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return "Playbook draft"

    @classmethod
    def get(cls):
        return cls.objects.select_related("base", "updated_by").get_or_create(pk=1)[0]

    @classmethod
    def lock(cls):
        """The draft row, locked until the transaction ends (call inside atomic())."""
        cls.objects.get_or_create(pk=1)
        return cls.objects.select_for_update().get(pk=1)

    @property
    def active(self):
        return self.document is not None

    def playbook(self, *, kept=False):
        """The draft as a Playbook: the published content when there is no draft (`kept`:
        as kept in the cache since the last publish, for a page that only reads it)."""
        from diagnostics.content.playbook import current_playbook, published_playbook
        from diagnostics.content.playbook_schema import Playbook

        if self.document is None:
            return published_playbook() if kept else current_playbook()
        return Playbook.from_dict(self.document)

    def store(self, playbook, user, item, what):
        """Save `playbook` as the draft: `user` changed `item` (an id such as "check:a/b")."""
        if self.document is None:
            self.base = PlaybookRevision.objects.current()
            self.touched = {}
        self.document = playbook.as_dict()
        self.version += 1
        self.touched[item] = {
            "by": user.get_full_name() or user.get_username(),
            "at": timezone.now().isoformat(),
            "what": what,
        }
        self.updated_by, self.updated_at = user, timezone.now()
        self.save()

    def clear(self):
        self.document, self.base, self.touched = None, None, {}
        self.version += 1
        self.save()
