"""Running a diagnosis: a session's per-check results, and the case it is saved as."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import ngettext

from diagnostics import signals
from diagnostics.content.markdown import RenderedMarkdownField
from diagnostics.content.models import (
    KEY_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Check,
    PlaybookRevision,
    Symptom,
)
from diagnostics.diagnosis import flow

TICKET_MAX_LENGTH = 100
NOTE_MAX_LENGTH = 1_000
SUMMARY_MAX_LENGTH = 2_000


class ResultStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    OK = "ok", "Passed"
    PROBLEM = "problem", "Problem found"
    NOT_APPLICABLE = "na", "Not applicable"


class Outcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    NOT_RESOLVED = "not_resolved", "Not resolved"
    ESCALATED = "escalated", "Escalated"


class Helped(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


FEEDBACK_MAX_LENGTH = 500


class ReviewStatus(models.TextChoices):
    NEW = "new", "New"
    REVIEWED = "reviewed", "Reviewed"
    FOLLOW_UP = "follow_up", "Needs follow-up"


RESOLVING_CHECK_MESSAGE = (
    "The check that fixed it must be one marked “Problem found”: mark it so first, or choose "
    "another outcome."
)


OFF_PATH_RESOLVING_MESSAGE = (
    "The check that fixed it must be on the path your answers lead along: that one was skipped "
    "or no longer applies."
)


def on_path(result, results):
    """Whether `result` is on the path `results` lead along (always, without rules)."""
    if not any(r.rules for r in results):
        return True
    path = flow.evaluate(results, {r.key: r.status for r in results})
    return path.states[result.key] == flow.ON_PATH


class ReviewConflict(Exception):
    """Someone else changed the case's review since this person loaded it."""


class FeedbackTaken(Exception):
    """Someone else already said whether the case helped."""


class SessionClosed(Exception):
    """The session was saved as a case: its results can no longer change."""


class SessionGone(SessionClosed):
    """The session was discarded (or deleted) meanwhile: nothing is left to change."""


class OffPath(Exception):
    """A new answer to a check the branched diagnosis's path does not reach."""


def new_token():
    return secrets.token_urlsafe(32)  # 256 bits: a share link nobody can guess


def symptom_titles(checks):
    """{key: title} of the symptoms `checks`' rules lead to: one query, none without such
    rules."""
    keys = {rule["symptom"] for c in checks for rule in c.rules.values() if "symptom" in rule}
    if not keys:
        return {}
    return dict(Symptom.objects.filter(key__in=keys).values_list("key", "title"))


def with_titles(rules, titles):
    """`rules` with each linked symptom's title as published now, so the page names it
    without a query and the case keeps the name it had."""
    return {
        answer: {**rule, "title": titles.get(rule["symptom"], rule["symptom"])}
        if "symptom" in rule
        else rule
        for answer, rule in (rules or {}).items()
    }


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
            "continued_from",
        ).prefetch_related("results")

    def in_progress_for(self, user):
        """Sessions `user` started and has not saved yet, newest first, with how many of
        their checks are answered (`answered` of `checks`)."""
        return (
            self.filter(started_by=user, case__isnull=True)
            .annotate(
                checks=models.Count("results"),
                answered=models.Count(
                    "results", filter=~models.Q(results__status=ResultStatus.PENDING)
                ),
            )
            .order_by("-started_at")
        )

    def lock(self, pk):
        """Wait for, then hold until the transaction ends, the lock on session `pk`'s row.
        A tick and a save both take it, so a save freezes (and counts) exactly the results
        the ticks before it left, and a tick after it is refused. One query. (Whether it is
        saved must be read by a later statement: on PostgreSQL this one's snapshot predates
        the wait, so it cannot see a case saved by the transaction it waited for.)"""
        list(self.select_for_update().filter(pk=pk).values_list("pk", flat=True))

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
    # Started from another diagnosis whose path led here ("continue with another symptom").
    continued_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+"
    )

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
    def start(
        cls, symptom, *, started_by=None, ticket="", client_fingerprint="", continued_from=None
    ):
        """Start a session with a pending result per published check of `symptom`, each with
        its rules as published now (a case is history: later edits do not change its path).

        Expects `symptom` from `Symptom.objects.for_page()` (checks prefetched)."""
        checks = list(symptom.checks.all())
        session = cls.objects.create(
            symptom=symptom,
            symptom_title=symptom.title,
            revision=PlaybookRevision.objects.current(),
            started_by=started_by,
            ticket=ticket,
            client_fingerprint=client_fingerprint,
            continued_from=continued_from,
        )
        titles = symptom_titles(checks)
        CheckResult.objects.bulk_create(
            CheckResult(
                session=session,
                source=check,
                position=position,
                key=check.key,
                title=check.title,
                help=check.help,
                help_html=check.help_html,
                rules=with_titles(check.rules, titles),
            )
            for position, check in enumerate(checks, start=1)
        )
        return session

    @property
    def is_saved(self):
        return hasattr(self, "case")

    @cached_property
    def result_list(self):
        """Its results in order, as loaded: prefetched with the page (`for_page`), or as a
        tick left them, read under the session's lock (`CheckResult.record`)."""
        return list(self.results.all())

    @cached_property
    def branched(self):
        """Whether any check has rules (schema 2): then the page follows the path."""
        return any(r.rules for r in self.result_list)

    @cached_property
    def path(self):
        """The path its answers lead along (see `flow.evaluate`), from the results loaded."""
        results = self.result_list
        return flow.evaluate(results, {r.key: r.status for r in results})

    def rows(self):
        """The results, each with `state` (on the path, skipped, left, ahead) and `is_next`."""
        results = self.result_list
        path = self.path
        for result in results:
            result.state = path.states[result.key] if self.branched else flow.ON_PATH
            result.is_next = self.branched and result.key == path.next_key
        return results

    def unanswered(self):
        """Results still pending that count: every one, or on a branched diagnosis the next
        one on the path (checks a jump skipped do not count)."""
        if self.branched:
            waiting = self.path.unanswered({r.key: r.status for r in self.result_list})
            return [r for r in self.result_list if r.key in waiting]
        return [r for r in self.result_list if r.status == ResultStatus.PENDING]

    def answered(self):
        return any(r.status != ResultStatus.PENDING for r in self.result_list)

    def walked(self):
        """The results on the path, in the order walked."""
        by_key = {r.key: r for r in self.result_list}
        return [by_key[key] for key in self.path.walked]

    @property
    def progress(self):
        """ "3 of 5 checked, 1 problem found", from the results already loaded; on a branched
        diagnosis, counted along the path."""
        results = self.result_list
        if self.branched:
            results = self.walked()
        checked = sum(r.status != ResultStatus.PENDING for r in results)
        problems = sum(r.status == ResultStatus.PROBLEM for r in results)
        found = ngettext("%(n)d problem found", "%(n)d problems found", problems) % {"n": problems}
        if not self.branched:
            return f"{checked} of {len(results)} checked, {found}"
        skipped = sum(state == flow.SKIPPED for state in self.path.states.values())
        line = f"{checked} checked on your path, {found}"
        if skipped:
            line += ngettext(", %(n)d skipped", ", %(n)d skipped", skipped) % {"n": skipped}
        return line

    def path_end(self):
        """Where the path ended, for the page: {"outcome": value, "label": ...} or
        {"symptom": key, "title": ...}, or None while it goes on or ran out of checks."""
        end = self.path.end
        if not end:
            return None
        if "outcome" in end:
            return {**end, "label": Outcome(end["outcome"]).label}
        return {**end, "continuation": self.continuation(end["symptom"])}

    def continuation(self, key):
        """The diagnosis already continued from this one with symptom `key`, if any (one
        query): pressing "Continue" twice should not start two."""
        return (
            DiagnosticSession.objects.filter(continued_from=self, symptom__key=key)
            .order_by("-started_at")
            .first()
        )

    def resolving_result(self):
        """The result to name as "which check fixed it" when the path ended "resolved": the
        check whose answer the playbook says resolves it, the last on the path."""
        walked = self.walked()
        return walked[-1] if walked else None


class CheckResult(models.Model):
    session = models.ForeignKey(DiagnosticSession, models.CASCADE, related_name="results")
    source = models.ForeignKey(Check, models.SET_NULL, null=True, blank=True, related_name="+")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=KEY_MAX_LENGTH)  # stable: statistics carry across edits
    title = models.CharField(max_length=TITLE_MAX_LENGTH)  # copied at start: a case is history
    help = models.TextField(blank=True)
    help_html = RenderedMarkdownField()  # copied at start with the help, as its check had it
    status = models.CharField(max_length=16, choices=ResultStatus, default=ResultStatus.PENDING)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    # What follows each answer, copied at start (schema 2): {"problem": {"goto": key}, ...}.
    rules = models.JSONField(default=dict, blank=True)

    note_max_length = NOTE_MAX_LENGTH  # for the page's maxlength, from here not retyped

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
    def may_resolve(self):
        """Whether a case may name this check as the one that fixed it: it found a problem,
        or the playbook says its answer means resolved."""
        rule = (self.rules or {}).get(self.status) or {}
        return self.status == ResultStatus.PROBLEM or rule.get("outcome") == Outcome.RESOLVED

    def status_options(self):
        """The choosable results (pending is where every check starts, not a choice)."""
        return [
            {"value": status.value, "label": status.label, "checked": self.status == status}
            for status in ResultStatus
            if status != ResultStatus.PENDING
        ]

    def record(self, status=None, note=""):
        """Save this check's result alone, never the whole session, so two people ticking
        different checks both keep their work. Raises SessionClosed if the session was saved
        as a case, even by a request that raced this one, and OffPath for a new answer to a
        check a branched diagnosis's path does not reach (as the answers stand now). Without
        `status`, only the note changes."""
        with transaction.atomic(savepoint=False):  # the lock lasts until it commits
            DiagnosticSession.objects.lock(self.session_id)
            # Whole rows: the page shows them once the answer is in, without reading again.
            results = list(CheckResult.objects.filter(session_id=self.session_id))
            mine = next((r for r in results if r.pk == self.pk), None)
            off_path = False
            if mine is not None:  # else the session was discarded meanwhile
                status = status or mine.status  # a note alone keeps the answer as stored now
                off_path = status != mine.status and not on_path(mine, results)
            updated = off_path or CheckResult.objects.filter(
                pk=self.pk, session__case__isnull=True
            ).update(status=status, note=note)
        # Raised here, not inside: the block wrote nothing then, so there is nothing to undo.
        if mine is None:
            raise SessionGone
        if off_path:
            raise OffPath
        if not updated:
            raise SessionClosed
        self.status, self.note = mine.status, mine.note = status, note
        if CheckResult.session.is_cached(self):  # give its page the results as left now
            self.session.result_list = results


class CaseQuerySet(models.QuerySet):
    def for_review(self):
        """Cases newest first, with what the review list shows."""
        return self.select_related("session", "symptom", "ran_by").order_by("-saved_at", "-id")

    def for_review_list(self):
        """`for_review`, reading only the columns the review list shows: building three full
        rows per case was a third of the list's time."""
        return self.for_review().only(
            *("saved_at", "outcome", "review_status", "helped", "helped_reason", "ticket"),
            *("summary", "session__token", "symptom__title", "ran_by__username"),
            *("ran_by__first_name", "ran_by__last_name"),
        )

    def ran_by(self, user):
        """Cases this person ran or saved, newest first, with what a list shows."""
        return (
            self.filter(models.Q(ran_by=user) | models.Q(saved_by=user))
            .select_related("session")
            .order_by("-saved_at", "-pk")
        )

    def delete(self):
        """Delete these cases the one way a case goes: `Case.delete`, which keeps the tallies
        exact. The admin's bulk delete comes through here."""
        with transaction.atomic():
            cases = list(self.select_related("session").order_by())
            for case in cases:
                case.delete()
        return len(cases), {Case._meta.label: len(cases)}

    delete.alters_data = True
    delete.queryset_only = True


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
    # "Did this solve your problem?", answered on the case page by whoever saved it.
    helped = models.CharField(max_length=3, choices=Helped, blank=True)
    helped_reason = models.TextField(blank=True, max_length=FEEDBACK_MAX_LENGTH)
    helped_at = models.DateTimeField(null=True, blank=True)

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
            models.Index(fields=["helped", "saved_at", "id"], name="case_helped_idx"),
            models.Index(fields=["saved_by", "saved_at"], name="case_saved_by_idx"),
        ]

    def __str__(self):
        return f"{self.session.symptom_title}: {self.get_outcome_display()}"

    def save(self, *args, **kwargs):
        """Saving a new case also counts it in the review tallies, in the same transaction."""
        if not self._state.adding:
            return super().save(*args, **kwargs)
        from diagnostics.review import tallies  # review builds on diagnosis, not the reverse

        # Copied from the session so the case lists filter and sort on one table.
        self.symptom_id = self.session.symptom_id
        self.ran_by_id = self.session.started_by_id or self.saved_by_id
        self.ticket = self.session.ticket
        with transaction.atomic(savepoint=False):
            DiagnosticSession.objects.lock(self.session_id)  # no tick lands from here on
            self.check_resolving_check()
            super().save(*args, **kwargs)
            tallies.count_case(self)
            signals.case_saved.send(Case, case=self)

    save.alters_data = True

    def get_absolute_url(self):
        return self.session.get_absolute_url()

    def delete(self, *args, **kwargs):
        """Delete the case with its session and results, and take it out of the tallies, all
        at once: a case that is gone leaves no live session behind its share link."""
        from diagnostics.review import tallies

        with transaction.atomic():
            # Hold the case's row, so two deletes at once take it out of the tallies once;
            # its answer to "did this help?" as stored now (it may have come after this loaded).
            stored = (
                Case.objects.select_for_update()
                .filter(pk=self.pk)
                .values_list("helped", flat=True)
                .first()
            )
            if stored is None:  # another request deleted it meanwhile
                return 0, {}
            self.helped = stored
            tallies.count_case(self, sign=-1)
            deleted = super().delete(*args, **kwargs)  # first: it protects its resolving check
            self.session.delete()
        return deleted

    delete.alters_data = True

    def check_resolving_check(self):
        """Raise ValidationError unless the check that resolved the case found a problem, as
        stored now (a tick may have changed it since the form was read). One query."""
        if self.resolved_by_id is None:
            return
        results = list(
            CheckResult.objects.filter(session_id=self.session_id).only("key", "status", "rules")
        )
        result = next((r for r in results if r.pk == self.resolved_by_id), None)
        if result is None or not result.may_resolve:
            raise ValidationError({"resolved_by": RESOLVING_CHECK_MESSAGE})
        if not on_path(result, results):
            raise ValidationError({"resolved_by": OFF_PATH_RESOLVING_MESSAGE})

    def contradicts(self, results):
        """Whether the case contradicts its `results`: resolved by a check that neither found
        a problem nor has a rule saying its answer resolves, or saved with nothing answered
        and no summary. The form refuses both; only older portals could save one."""
        answered = any(r.status != ResultStatus.PENDING for r in results)
        resolving = next((r for r in results if r.pk == self.resolved_by_id), None)
        wrong_check = self.outcome == Outcome.RESOLVED and (
            resolving is None or not resolving.may_resolve
        )
        return wrong_check or not (answered or self.summary)

    def answer_feedback(self, helped, reason, *, may_change=False):
        """Record whether the diagnosis solved the problem, once: a later answer replaces it
        only with `may_change` (the browser that gave it), else FeedbackTaken. Holds the case's
        lock, so two first answers cannot both land, and moves the case between the tallies'
        yes and no in the same transaction."""
        from diagnostics.review import tallies

        now = timezone.now()
        with transaction.atomic():
            before, said = (
                Case.objects.select_for_update()
                .filter(pk=self.pk)
                .values_list("helped", "helped_reason")
            ).get()
            if before and not may_change:
                raise FeedbackTaken
            if (before, said) == (helped, reason):  # sent again: nothing to record or tell
                self.helped, self.helped_reason = helped, reason
                return
            Case.objects.filter(pk=self.pk).update(
                helped=helped, helped_reason=reason, helped_at=now
            )
            self.helped, self.helped_reason, self.helped_at = helped, reason, now
            tallies.count_feedback(self, before, helped)
            signals.case_answered.send(Case, case=self)

    def review(self, status, by, version):
        """Set the review status, unless someone changed it since `version` was read: then
        raise ReviewConflict and change nothing (no lock is held between requests)."""
        now = timezone.now()
        with transaction.atomic():
            updated = Case.objects.filter(pk=self.pk, version=version).update(
                review_status=status,
                reviewed_by=by,
                reviewed_at=now,
                version=models.F("version") + 1,
            )
            if not updated:
                raise ReviewConflict
            self.review_status, self.reviewed_by, self.reviewed_at = status, by, now
            self.version = version + 1
            signals.case_reviewed.send(Case, case=self, by=by)
