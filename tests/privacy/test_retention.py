"""Retention: old typed text, old cases, unsaved diagnoses and the delivery log go on time;
the statistics stay equal to a recount."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from diagnostics.diagnosis.models import Case, CheckResult, DiagnosticSession
from diagnostics.integrations.models import Delivery, Endpoint
from diagnostics.privacy.models import RetentionSettings
from diagnostics.review import tallies
from diagnostics.review.models import Comment
from tests.factories import make_case, make_symptom, start_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_ages():
    symptom = make_symptom()
    old = make_case(symptom, days_ago=400, ticket="ZD-1", summary="Old one", problems=[1])
    middle = make_case(symptom, days_ago=100, ticket="ZD-2", summary="Middle one", problems=[2])
    CheckResult.objects.filter(session=middle.session, position=2).update(note="typed")
    Comment.objects.create(case=middle, body="a comment")
    new = make_case(symptom, days_ago=1, ticket="ZD-3", summary="New one")
    stale = start_session(symptom)
    DiagnosticSession.objects.filter(pk=stale.pk).update(
        started_at=timezone.now() - timedelta(days=60)
    )
    start_session(symptom)  # a live one, started now
    endpoint = Endpoint.objects.create(url="https://example.com/h", events=["case.saved"])
    Delivery.objects.create(endpoint=endpoint, event="case.saved", payload="{}", state="succeeded",
                            created_at=timezone.now() - timedelta(days=45))  # fmt: skip
    RetentionSettings.objects.update_or_create(
        pk=1, defaults={"free_text_days": 90, "case_days": 365, "session_days": 30,
                        "delivery_days": 30},
    )  # fmt: skip
    return old, middle, new


def command(*args):
    out = StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def test_a_dry_run_counts_and_changes_nothing(mixed_ages):
    out = command("--dry-run")
    assert "Would remove: 1 whole saved cases" in out
    assert "Would remove: 1 saved cases' typed text" in out
    assert "Would remove: 1 diagnoses nobody saved" in out
    assert "Would remove: 1 webhook deliveries" in out
    assert Case.objects.count() == 3
    assert DiagnosticSession.objects.count() == 5


def test_a_run_removes_what_is_too_old_and_the_statistics_equal_a_recount(mixed_ages):
    old, middle, new = mixed_ages
    command()
    assert not Case.objects.filter(pk=old.pk).exists()
    middle.refresh_from_db()
    assert (middle.summary, middle.ticket) == ("[Removed by the retention policy]", "")
    assert not Comment.objects.exists()
    assert not CheckResult.objects.filter(session=middle.session).exclude(note="").exists()
    # Its results stay: insights still count what each check found.
    assert CheckResult.objects.get(session=middle.session, position=2).status == "problem"
    new.refresh_from_db()
    assert new.summary == "New one"
    assert DiagnosticSession.objects.filter(case__isnull=True).count() == 1
    assert not Delivery.objects.exists()
    assert tallies.differences() == []
    policy = RetentionSettings.get()
    assert policy.last_run_at is not None
    assert policy.last_run_counts["cases"] == 1


def test_nothing_is_removed_while_no_limit_is_set():
    make_case(days_ago=4000)
    command()
    assert Case.objects.count() == 1


def test_the_clock_runs_retention_once_a_day(mixed_ages):
    from diagnostics.privacy.retention import run_if_due

    assert run_if_due() is not None
    assert run_if_due() is None  # not again the same day


def test_retention_also_removes_the_typed_text_copied_into_the_webhook_log(mixed_ages):
    _old, _middle, _new = mixed_ages
    endpoint = Endpoint.objects.get()
    copy = Delivery.objects.create(endpoint=endpoint, event="case.saved", state="succeeded",
                                   payload='{"summary": "Middle one"}',
                                   created_at=timezone.now() - timedelta(days=100))  # fmt: skip
    RetentionSettings.objects.filter(pk=1).update(delivery_days=365)
    command()
    copy.refresh_from_db()
    assert copy.payload == ""  # the log line stays, its copy of the case does not


def test_retention_removes_the_reason_given_and_keeps_the_tallies_of_a_summary_only_case():
    symptom = make_symptom()
    session = start_session(symptom)  # nothing answered: the summary is all it says
    case = Case.objects.create(
        session=session,
        outcome="not_resolved",
        summary="Call me back",
        saved_at=timezone.now() - timedelta(days=100),
    )
    case.answer_feedback("yes", "my phone is +44 20 7946 0958, Jane Roe")
    RetentionSettings.objects.update_or_create(pk=1, defaults={"free_text_days": 90})
    command()
    case.refresh_from_db()
    assert case.helped_reason == ""
    assert case.helped == "yes"  # the answer itself is not typed text: insights keep it
    assert case.summary == "[Removed by the retention policy]"
    assert tallies.differences() == []
    assert "Would remove: 0 saved cases' typed text" in command("--dry-run")  # none left
