import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone

from diagnostics.markdown import render_markdown

# Keys are public (a symptom's key is its URL), so they are plain slugs: no case, no underscores.
KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
KEY_MAX_LENGTH = 100
TITLE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 10_000
TICKET_MAX_LENGTH = 100
COMMENT_MAX_LENGTH = 2_000
NOTE_MAX_LENGTH = 1_000
SUMMARY_MAX_LENGTH = 2_000

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
    key = key_field(unique=True, help_text="Its public URL: /symptoms/<key>/. Keep it stable.")
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


# -- Running a diagnosis ----------------------------------------------------------------------


class ResultStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    OK = "ok", "Passed"
    PROBLEM = "problem", "Problem found"
    NOT_APPLICABLE = "na", "Not applicable"


class Outcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    NOT_RESOLVED = "not_resolved", "Not resolved"
    ESCALATED = "escalated", "Escalated"


class ReviewStatus(models.TextChoices):
    NEW = "new", "New"
    REVIEWED = "reviewed", "Reviewed"
    FOLLOW_UP = "follow_up", "Needs follow-up"


class ReviewConflict(Exception):
    """Someone else changed the case's review since this person loaded it."""


class SessionClosed(Exception):
    """The session was saved as a case: its results can no longer change."""


def new_token():
    return secrets.token_urlsafe(32)  # 256 bits: a share link nobody can guess


def client_fingerprint(address):
    """A keyed hash of the client's address: enough to rate-limit, useless if leaked."""
    digest = hmac.new(settings.SECRET_KEY.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


class DiagnosticSessionQuerySet(models.QuerySet):
    def for_page(self):
        """The session with what its page shows, its results in order and its case if saved:
        two queries."""
        return self.select_related(
            "symptom",
            "revision",
            "started_by",
            "case",
            "case__resolved_by",
            "case__saved_by",
            "case__reviewed_by",
        ).prefetch_related("results")

    def started_from(self, fingerprint, since):
        return self.filter(client_fingerprint=fingerprint, started_at__gte=since)

    def stale(self, days):
        """Sessions nobody saved, started more than `days` days ago."""
        cutoff = timezone.now() - timedelta(days=days)
        return self.filter(case__isnull=True, started_at__lt=cutoff)


class DiagnosticSession(models.Model):
    """One run through one symptom's checks; saving it makes a Case."""

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    symptom = models.ForeignKey(Symptom, models.PROTECT, related_name="sessions")
    symptom_title = models.CharField(max_length=TITLE_MAX_LENGTH)  # as run: a case is history
    revision = models.ForeignKey(
        PlaybookRevision, models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.CharField("ticket reference", max_length=TICKET_MAX_LENGTH, blank=True)
    client_fingerprint = models.CharField(max_length=32, blank=True, editable=False)

    objects = DiagnosticSessionQuerySet.as_manager()

    class Meta:
        permissions = [("run_diagnosis", "Can run diagnoses for customers")]
        indexes = [
            models.Index(fields=["client_fingerprint", "started_at"], name="session_client_idx"),
            models.Index(fields=["started_at"], name="session_started_idx"),
            models.Index(fields=["started_by", "started_at"], name="session_agent_idx"),
        ]

    def __str__(self):
        return f"{self.symptom_title} ({self.started_at:%Y-%m-%d %H:%M})"

    def get_absolute_url(self):
        return reverse("diagnostics:case_detail", args=[self.token])

    @classmethod
    @transaction.atomic
    def start(cls, symptom, *, started_by=None, ticket="", client_fingerprint=""):
        """Start a session with a pending result per published check of `symptom`.

        Expects `symptom` from `Symptom.objects.for_page()` (checks prefetched)."""
        session = cls.objects.create(
            symptom=symptom,
            symptom_title=symptom.title,
            revision=PlaybookRevision.objects.order_by("-number").first(),
            started_by=started_by,
            ticket=ticket,
            client_fingerprint=client_fingerprint,
        )
        CheckResult.objects.bulk_create(
            CheckResult(
                session=session,
                source=check,
                position=position,
                key=check.key,
                title=check.title,
                help=check.help,
            )
            for position, check in enumerate(symptom.checks.all(), start=1)
        )
        return session

    @property
    def is_saved(self):
        return hasattr(self, "case")

    @property
    def progress(self):
        """ "3 of 5 checked, 1 problem found", from the results already loaded."""
        results = self.results.all()
        checked = sum(r.status != ResultStatus.PENDING for r in results)
        problems = sum(r.status == ResultStatus.PROBLEM for r in results)
        found = f"{problems} problem{'s' if problems != 1 else ''} found"
        return f"{checked} of {len(results)} checked, {found}"


class CheckResult(models.Model):
    session = models.ForeignKey(DiagnosticSession, models.CASCADE, related_name="results")
    source = models.ForeignKey(Check, models.SET_NULL, null=True, blank=True, related_name="+")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=KEY_MAX_LENGTH)  # stable: statistics carry across edits
    title = models.CharField(max_length=TITLE_MAX_LENGTH)  # copied at start: a case is history
    help = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=ResultStatus, default=ResultStatus.PENDING)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="result_position_unique"),
            models.UniqueConstraint(fields=["session", "key"], name="result_check_unique"),
            models.CheckConstraint(
                condition=models.Q(status__in=ResultStatus.values), name="result_status_valid"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def help_html(self):
        return render_markdown(self.help)

    def status_options(self):
        """The choosable results (pending is where every check starts, not a choice)."""
        return [
            {"value": status.value, "label": status.label, "checked": self.status == status}
            for status in ResultStatus
            if status != ResultStatus.PENDING
        ]

    def record(self, status, note=""):
        """Save this check's result alone, never the whole session, so two people ticking
        different checks both keep their work. Raises SessionClosed if the session was saved
        as a case, even by a request that raced this one."""
        updated = CheckResult.objects.filter(pk=self.pk, session__case__isnull=True).update(
            status=status, note=note
        )
        if not updated:
            raise SessionClosed
        self.status, self.note = status, note


def encode_position(case):
    """A case's place in the newest-first order, for a page link: "<microseconds>-<id>"."""
    return f"{(case.saved_at - EPOCH) // timedelta(microseconds=1)}-{case.pk}"


def decode_position(text):
    """(saved_at, id) from encode_position's text; None when it is not one."""
    try:
        micros, pk = (int(part) for part in text.split("-"))
    except (AttributeError, ValueError):
        return None
    return EPOCH + timedelta(microseconds=micros), pk


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class CasePage:
    cases: list
    newer: str | None  # position to page back from, when there are newer cases
    older: str | None  # position to page on from, when there are older cases


class CaseQuerySet(models.QuerySet):
    def for_review(self):
        """Cases newest first, with what the review list shows."""
        return self.select_related("session", "symptom", "ran_by").order_by("-saved_at", "-id")

    def page(self, *, after=None, before=None, last=False, size=25):
        """One page, newest first, starting after (or ending before) a position, or the last
        page. Keyset paging: every page, the last too, reads only its own rows from the
        (saved_at, id) indexes, where OFFSET would step over all the rows before it. One query.
        """
        newest_first = self.order_by("-saved_at", "-id")
        if after:
            when, pk = after
            rows = list(
                newest_first.filter(
                    models.Q(saved_at__lt=when) | models.Q(saved_at=when, id__lt=pk)
                )[: size + 1]
            )
            more_older, more_newer = len(rows) > size, True
            rows = rows[:size]
        elif before or last:
            oldest_first = self.order_by("saved_at", "id")
            if before:
                when, pk = before
                oldest_first = oldest_first.filter(
                    models.Q(saved_at__gt=when) | models.Q(saved_at=when, id__gt=pk)
                )
            rows = list(oldest_first[: size + 1])
            more_newer, more_older = len(rows) > size, bool(before)
            rows = rows[:size][::-1]
        else:
            rows = list(newest_first[: size + 1])
            more_older, more_newer = len(rows) > size, False
            rows = rows[:size]
        return CasePage(
            cases=rows,
            newer=encode_position(rows[0]) if rows and more_newer else None,
            older=encode_position(rows[-1]) if rows and more_older else None,
        )

    def ran_by(self, user):
        """Cases this person ran or saved, newest first, with what a list shows."""
        return (
            self.filter(models.Q(ran_by=user) | models.Q(saved_by=user))
            .select_related("session")
            .order_by("-saved_at", "-pk")
        )


class Case(models.Model):
    """A saved session: the outcome, read-only from then on. One per session, by constraint,
    so a second save from another tab cannot overwrite the first."""

    session = models.OneToOneField(DiagnosticSession, models.CASCADE, related_name="case")
    symptom = models.ForeignKey(Symptom, models.PROTECT, related_name="cases")
    outcome = models.CharField(max_length=16, choices=Outcome)
    resolved_by = models.ForeignKey(
        CheckResult, models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(blank=True, max_length=SUMMARY_MAX_LENGTH)
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The agent who ran it: who started it, else who saved it. Kept here for the lists.
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ticket = models.CharField(max_length=TICKET_MAX_LENGTH, blank=True)  # copied, for search
    review_status = models.CharField(max_length=16, choices=ReviewStatus, default=ReviewStatus.NEW)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every review change: a change made from a stale page is refused, not lost.
    version = models.PositiveIntegerField(default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        permissions = [("review_case", "Can review and comment on cases")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=Outcome.values), name="case_outcome_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(review_status__in=ReviewStatus.values),
                name="case_review_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome=Outcome.RESOLVED, resolved_by__isnull=False)
                | (~models.Q(outcome=Outcome.RESOLVED) & models.Q(resolved_by__isnull=True)),
                name="case_resolved_names_a_check",
            ),
        ]
        # The review list is newest first, paged by (saved_at, id); each filter it offers
        # leads an index so a filtered page reads only its own rows.
        indexes = [
            models.Index(fields=["saved_at", "id"], name="case_saved_idx"),
            models.Index(fields=["symptom", "saved_at", "id"], name="case_symptom_idx"),
            models.Index(fields=["outcome", "saved_at", "id"], name="case_outcome_idx"),
            models.Index(fields=["review_status", "saved_at", "id"], name="case_review_idx"),
            models.Index(fields=["ran_by", "saved_at", "id"], name="case_ran_by_idx"),
            models.Index(fields=["saved_by", "saved_at"], name="case_saved_by_idx"),
        ]

    def __str__(self):
        return f"{self.session.symptom_title}: {self.get_outcome_display()}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            # Copied from the session so the case lists filter and sort on one table.
            self.symptom_id = self.session.symptom_id
            self.ran_by_id = self.session.started_by_id or self.saved_by_id
            self.ticket = self.session.ticket
            with transaction.atomic():
                super().save(*args, **kwargs)
                count_case(self)
            return
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.session.get_absolute_url()

    def review(self, status, by, version):
        """Set the review status, unless someone changed it since `version` was read: then
        raise ReviewConflict and change nothing (no lock is held between requests)."""
        now = timezone.now()
        updated = Case.objects.filter(pk=self.pk, version=version).update(
            review_status=status, reviewed_by=by, reviewed_at=now, version=models.F("version") + 1
        )
        if not updated:
            raise ReviewConflict
        self.review_status, self.reviewed_by, self.reviewed_at = status, by, now
        self.version = version + 1


# -- Tallies for insights --------------------------------------------------------------------


def _increment(model, where, counts):
    """Add `counts` to the row `where`, creating it if needed, safely when two requests race
    to create it (the second one's insert fails and it adds to the first one's row)."""
    changes = {name: models.F(name) + value for name, value in counts.items()}
    if model.objects.filter(**where).update(**changes):
        return
    try:
        with transaction.atomic():
            model.objects.create(**where, **counts)
    except IntegrityError:
        model.objects.filter(**where).update(**changes)


class SymptomCounts(models.Model):
    """How the cases of one symptom ended."""

    symptom = models.ForeignKey(Symptom, models.CASCADE, related_name="+")
    cases = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    not_resolved = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class SymptomDay(SymptomCounts):
    """One symptom's cases saved on one day: insights over a date range add these up."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["symptom", "day"], name="symptom_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="symptom_day_idx")]

    def __str__(self):
        return f"{self.symptom_id} on {self.day}: {self.cases} cases"


class SymptomTotal(SymptomCounts):
    """One symptom's cases of all time: insights without a date range read these directly,
    so they cost the same at any number of cases or days."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["symptom"], name="symptom_total_unique")]

    def __str__(self):
        return f"{self.symptom_id}: {self.cases} cases"


class CheckCounts(models.Model):
    """What one check (by key) of one symptom did in its symptom's cases."""

    symptom = models.ForeignKey(Symptom, models.CASCADE, related_name="+")
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    runs = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class CheckDay(CheckCounts):
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["symptom", "key", "day"], name="check_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="check_day_idx")]

    def __str__(self):
        return f"{self.symptom_id}/{self.key} on {self.day}: {self.runs} runs"


class CheckTotal(CheckCounts):
    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["symptom", "key"], name="check_total_unique")
        ]

    def __str__(self):
        return f"{self.symptom_id}/{self.key}: {self.runs} runs"


def count_case(case):
    """Add a newly saved case to the tallies (in the transaction that saves it): one query
    for its results, then small writes per symptom and check, by day and of all time."""
    day = case_day(case)
    counts = {"cases": 1, case.outcome: 1}
    _increment(SymptomDay, {"symptom_id": case.symptom_id, "day": day}, counts)
    _increment(SymptomTotal, {"symptom_id": case.symptom_id}, counts)
    for result in CheckResult.objects.filter(session_id=case.session_id).only(
        "id", "key", "status"
    ):
        counts = {
            "runs": 1,
            "problems": int(result.status == ResultStatus.PROBLEM),
            "resolved": int(result.pk == case.resolved_by_id),
        }
        where = {"symptom_id": case.symptom_id, "key": result.key}
        _increment(CheckDay, {**where, "day": day}, counts)
        _increment(CheckTotal, where, counts)


@transaction.atomic
def recount_cases():
    """Rebuild every tally from the cases themselves (after bulk loads, and in migrations)."""
    for model in (SymptomDay, SymptomTotal, CheckDay, CheckTotal):
        model.objects.all().delete()
    outcomes = {
        outcome.value: models.Count("id", filter=models.Q(outcome=outcome)) for outcome in Outcome
    }
    days = (
        Case.objects.annotate(day=TruncDate("saved_at"))
        .values("symptom_id", "day")
        .annotate(cases=models.Count("id"), **outcomes)
        .order_by()
    )
    SymptomDay.objects.bulk_create((SymptomDay(**row) for row in days.iterator()), batch_size=2_000)

    tallies = {}
    runs = (
        CheckResult.objects.filter(session__case__isnull=False)
        .annotate(day=TruncDate("session__case__saved_at"))
        .values("session__symptom_id", "key", "day")
        .annotate(
            runs=models.Count("id"),
            problems=models.Count("id", filter=models.Q(status=ResultStatus.PROBLEM)),
        )
        .order_by()
    )
    for row in runs.iterator():
        where = (row["session__symptom_id"], row["key"], row["day"])
        tallies[where] = CheckDay(
            symptom_id=where[0], key=where[1], day=where[2], runs=row["runs"],
            problems=row["problems"],
        )  # fmt: skip
    resolving = (
        Case.objects.filter(outcome=Outcome.RESOLVED)
        .annotate(day=TruncDate("saved_at"))
        .values("symptom_id", "resolved_by__key", "day")
        .annotate(n=models.Count("id"))
        .order_by()
    )
    for row in resolving.iterator():
        if tally := tallies.get((row["symptom_id"], row["resolved_by__key"], row["day"])):
            tally.resolved = row["n"]
    CheckDay.objects.bulk_create(tallies.values(), batch_size=2_000)

    sums = {name: models.Sum(name) for name in ("cases", *outcomes)}
    SymptomTotal.objects.bulk_create(
        SymptomTotal(**row)
        for row in SymptomDay.objects.values("symptom_id").annotate(**sums).order_by()
    )
    sums = {name: models.Sum(name) for name in ("runs", "problems", "resolved")}
    CheckTotal.objects.bulk_create(
        (CheckTotal(**row)
         for row in CheckDay.objects.values("symptom_id", "key").annotate(**sums).order_by()),
        batch_size=2_000,
    )  # fmt: skip


def case_day(case):
    return timezone.localdate(case.saved_at)


class Comment(models.Model):
    """A note on a case by a lead or admin. Only ever added, so two people commenting at
    once both keep their words."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=COMMENT_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.body[:50]


# -- Staff ------------------------------------------------------------------------------------


class Role(models.TextChoices):
    """The groups a data migration creates; what each may do is in its permissions."""

    AGENT = "Support agent", "Support agent"
    LEAD = "Team lead", "Team lead"
    ADMIN = "Admin", "Admin"


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
