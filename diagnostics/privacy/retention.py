"""Retention: what people typed, whole cases, unsaved diagnoses and the webhook log, removed
once they are older than the admins' settings allow.

Run daily by the task queue's clock and by hand with `manage.py retention [--dry-run]`.
Statistics stay exact: removing free text keeps every result (insights count results, not
words), and whole cases go through `Case.delete`, the one path that takes a case out of the
tallies.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from diagnostics import throttle
from diagnostics.diagnosis.models import Case, CheckResult, DiagnosticSession
from diagnostics.integrations.models import Delivery
from diagnostics.privacy.models import RetentionSettings
from diagnostics.review.models import Comment

BATCH = 500  # cases deleted per transaction, so a long backlog never holds one huge lock


REMOVED = "[Removed by the retention policy]"


def with_free_text(cases):
    """Cases that still hold something a person typed."""
    notes = CheckResult.objects.filter(session_id=OuterRef("session_id")).exclude(note="")
    comments = Comment.objects.filter(case_id=OuterRef("pk"))
    typed = ~Q(summary="") & ~Q(summary=REMOVED)
    return cases.filter(
        typed | ~Q(ticket="") | ~Q(helped_reason="") | Exists(notes) | Exists(comments)
    )


def plan(policy, now=None):
    """What a run would remove now, as querysets by kind."""
    now = now or timezone.now()
    found = {}
    if policy.case_days:
        found["cases"] = Case.objects.filter(saved_at__lt=policy.cutoff(policy.case_days, now))
    if policy.free_text_days:
        old = Case.objects.filter(saved_at__lt=policy.cutoff(policy.free_text_days, now))
        if "cases" in found:  # deleted anyway
            old = old.exclude(pk__in=found["cases"].values("pk"))
        found["free_text"] = with_free_text(old)
    found["sessions"] = DiagnosticSession.objects.filter(
        case__isnull=True, started_at__lt=policy.cutoff(policy.session_days, now)
    )
    found["deliveries"] = Delivery.objects.filter(
        created_at__lt=policy.cutoff(policy.delivery_days, now)
    ).exclude(state="pending")
    # A delivery's body is a copy of the case: it goes when the case's typed text would.
    text_days = min(d for d in (policy.free_text_days, policy.case_days, 10**6) if d)
    if text_days < 10**6:
        found["payloads"] = (
            Delivery.objects.filter(created_at__lt=policy.cutoff(text_days, now))
            .exclude(state="pending")
            .exclude(payload="")
            .exclude(pk__in=found["deliveries"].values("pk"))
        )
    return found


def counts(policy=None, now=None):
    """How many of each kind a run would remove now (a dry run)."""
    policy = policy or RetentionSettings.get()
    return {kind: queryset.count() for kind, queryset in plan(policy, now).items()}


def remove_free_text(case_ids):
    with transaction.atomic():
        cases = Case.objects.filter(pk__in=case_ids)
        session_ids = list(cases.values_list("session_id", flat=True))
        CheckResult.objects.filter(session_id__in=session_ids).exclude(note="").update(note="")
        Comment.objects.filter(case_id__in=case_ids).delete()
        # A summary becomes a marker, not empty: a case with no answers and no summary is one
        # the tallies leave out, and removing text must not change what was counted.
        cases.exclude(summary="").update(summary=REMOVED)
        cases.update(ticket="", helped_reason="")
        DiagnosticSession.objects.filter(pk__in=session_ids).update(ticket="")


def run(now=None):
    """Apply the retention settings; returns what was removed, by kind."""
    policy = RetentionSettings.get()
    found = plan(policy, now)
    done = dict.fromkeys(found, 0)
    if "cases" in found:
        while ids := list(found["cases"].values_list("pk", flat=True)[:BATCH]):
            deleted, _ = Case.objects.filter(pk__in=ids).delete()  # keeps the tallies exact
            done["cases"] += deleted
    if "free_text" in found:
        while ids := list(found["free_text"].values_list("pk", flat=True)[:BATCH]):
            remove_free_text(ids)
            done["free_text"] += len(ids)
    _, by_model = found["sessions"].delete()
    done["sessions"] = by_model.get("diagnostics.DiagnosticSession", 0)
    _, by_model = found["deliveries"].delete()
    done["deliveries"] = by_model.get("diagnostics.Delivery", 0)
    if "payloads" in found:
        done["payloads"] = found["payloads"].update(payload="")
    throttle.forget_before(timezone.now())  # past hours' rate-limit counters did their work
    done["searches"] = forget_searches(now)
    RetentionSettings.objects.filter(pk=policy.pk).update(
        last_run_at=timezone.now(), last_run_counts=done
    )
    return done


def forget_searches(now=None):
    """Delete search counts older than search.SEARCH_COUNT_DAYS (days, not people: they are
    only what editors look at next); returns how many rows went."""
    from diagnostics.content.models import SearchCount
    from diagnostics.content.search import SEARCH_COUNT_DAYS

    cutoff = timezone.localdate(now or timezone.now()) - timedelta(days=SEARCH_COUNT_DAYS)
    return SearchCount.objects.filter(day__lt=cutoff).delete()[0]


def run_if_due():
    """Run once a day (called by the clock every minute)."""
    if RetentionSettings.get().due:
        return run()
    return None
