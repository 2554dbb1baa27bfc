"""Evidence for editors: flags on checks and symptoms with their numbers, searches that found
nothing, and a symptom's outcomes before and after a revision."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from diagnostics.content.models import PlaybookRevision, SearchCount
from diagnostics.diagnosis.models import Case, CheckResult, DiagnosticSession, ResultStatus
from diagnostics.review import evidence, insights, tallies
from diagnostics.review.tallies import CheckTotal, SymptomTotal
from tests.factories import make_case, make_symptom

pytestmark = pytest.mark.django_db
OK, PROBLEM, NA = ResultStatus.OK, ResultStatus.PROBLEM, ResultStatus.NOT_APPLICABLE


def cases_with(symptom, n, statuses, outcome="escalated", revision=None, helped=""):
    """`n` saved cases of `symptom` whose checks were answered `statuses` (by position), made
    in bulk, then counted in the tallies as a recount would."""
    now = timezone.now()
    checks = list(symptom.checks.order_by("position"))
    sessions = DiagnosticSession.objects.bulk_create(
        DiagnosticSession(symptom=symptom, symptom_title=symptom.title, revision=revision)
        for _ in range(n)
    )
    CheckResult.objects.bulk_create(
        CheckResult(session=session, position=i, key=check.key, title=check.title, status=status)
        for session in sessions
        for i, (check, status) in enumerate(zip(checks, statuses, strict=True), start=1)
    )
    Case.objects.bulk_create(
        Case(session=session, symptom=symptom, outcome=outcome, summary="Bulk", helped=helped,
             saved_at=now)
        for session in sessions
    )  # fmt: skip
    tallies.rebuild()


def flags_of(symptom):
    return {(f.kind, f.check_key, f.count, f.total) for f in evidence.check_flags([symptom.pk])}


def test_a_check_that_never_finds_a_problem_and_one_mostly_not_applicable_are_flagged():
    symptom = make_symptom(checks=3)
    cases_with(symptom, 12, [PROBLEM, OK, NA])
    assert flags_of(symptom) == {
        ("never_found", "check-2", 0, 12),
        ("never_found", "check-3", 0, 12),
        ("not_applicable", "check-3", 12, 12),
    }
    [flag] = [f for f in evidence.check_flags([symptom.pk]) if f.kind == "not_applicable"]
    assert flag.text == "“Not applicable” in 12 of its last 12 runs"
    assert flag.check_title.startswith("Check 3")
    assert flag.percent == 100


def test_too_few_runs_flag_nothing():
    symptom = make_symptom(checks=2)
    cases_with(symptom, evidence.MIN_RUNS - 1, [OK, NA])
    assert flags_of(symptom) == set()


def test_only_each_symptom_s_newest_cases_count():
    symptom = make_symptom(checks=2)
    cases_with(symptom, 30, [PROBLEM, PROBLEM])  # older: check 2 found problems then
    Case.objects.update(saved_at=timezone.now() - timezone.timedelta(days=30))
    cases_with(symptom, evidence.RECENT, [PROBLEM, OK])  # the newest 20: it finds none
    assert flags_of(symptom) == {("never_found", "check-2", 0, evidence.RECENT)}


def test_unanswered_checks_are_not_runs():
    symptom = make_symptom(checks=2)
    cases_with(symptom, 15, [PROBLEM, ResultStatus.PENDING])
    assert flags_of(symptom) == set()


def test_symptoms_often_escalated_or_said_not_to_help_are_flagged_with_their_numbers(client, lead):
    symptom = make_symptom(checks=1, title="Boiler lockout")
    cases_with(symptom, 9, [PROBLEM], outcome="escalated", helped="no")
    cases_with(symptom, 1, [PROBLEM], outcome="escalated", helped="yes")
    cases_with(symptom, 2, [PROBLEM], outcome="not_resolved")
    html = client.get("/review/insights/").content.decode()
    row = 'data-flag="{}" data-symptom="{}" data-count="{}" data-total="{}"'
    assert row.format("escalated", symptom.pk, 10, 12) in html
    assert row.format("did_not_help", symptom.pk, 9, 10) in html
    assert "Escalated in 10 of 12 cases" in html
    assert "Did not solve the problem in 9 of 10 answers" in html


def test_a_share_over_the_line_by_chance_in_a_small_sample_is_not_flagged():
    symptom = make_symptom(checks=1)
    cases_with(symptom, 4, [PROBLEM], outcome="escalated", helped="no")  # 4 of 12: 33%
    cases_with(symptom, 8, [PROBLEM], outcome="not_resolved", helped="yes")
    stats = insights.report(SymptomTotal.objects.all(), CheckTotal.objects.none())["symptoms"]
    assert evidence.symptom_flags(stats) == []
    cases_with(symptom, 36, [PROBLEM], outcome="escalated")  # 40 of 48: no doubt left
    stats = insights.report(SymptomTotal.objects.all(), CheckTotal.objects.none())["symptoms"]
    assert [f.kind for f in evidence.symptom_flags(stats)] == ["escalated"]


def test_searches_without_a_result_are_listed_most_frequent_first(client, lead):
    today = timezone.localdate()
    SearchCount.objects.create(day=today, words="printer jam", searches=5, without_result=5)
    SearchCount.objects.create(day=today, words="boiler", searches=9, without_result=0)
    SearchCount.objects.create(day=today, words="fax", searches=2, without_result=2)
    html = client.get("/review/insights/").content.decode()
    start = html.index('id="searches-heading"')
    section = html[start : html.index("</section>", start)]
    assert section.index("printer jam") < section.index("fax")
    assert "boiler" not in section


def test_before_and_after_a_revision_equal_a_count_by_hand(client, lead):
    symptom = make_symptom(checks=1)
    first = PlaybookRevision.objects.create(number=1, title="T", source="test")
    second = PlaybookRevision.objects.create(number=2, title="T", source="test")
    cases_with(symptom, 6, [PROBLEM], outcome="escalated", revision=first, helped="no")
    cases_with(symptom, 2, [PROBLEM], outcome="not_resolved", revision=first)
    cases_with(symptom, 3, [PROBLEM], outcome="not_resolved", revision=second, helped="yes")
    cases_with(symptom, 1, [PROBLEM], outcome="escalated", revision=second, helped="no")
    response = client.get("/review/insights/", {"symptom": symptom.pk, "revision": 2})
    compared = response.context["compared"]
    by_hand = {
        side: {
            outcome: Case.objects.filter(
                symptom=symptom, outcome=outcome, **{f"session__revision__number__{op}": 2}
            ).count()
            for outcome in ("resolved", "not_resolved", "escalated")
        }
        for side, op in (("before", "lt"), ("after", "gte"))
    }
    assert (compared.before.escalated, compared.before.not_resolved) == (
        by_hand["before"]["escalated"], by_hand["before"]["not_resolved"]
    )  # fmt: skip
    assert (compared.after.escalated, compared.after.not_resolved) == (
        by_hand["after"]["escalated"], by_hand["after"]["not_resolved"]
    )  # fmt: skip
    assert (compared.before.total, compared.after.total) == (8, 4)
    rows = {label: (b, bp, a, ap) for label, b, bp, a, ap in compared.rows}
    assert rows["Escalated"] == (6, 75, 1, 25)
    assert rows["Said it did not help"] == (6, 100, 1, 25)
    assert "Before and after revision 2" in response.content.decode()


@pytest.mark.parametrize("n", [10, 1000])
def test_flags_take_the_same_queries_at_10_and_1000_cases(client, lead, n):
    symptom = make_symptom(checks=3)
    cases_with(symptom, n, [PROBLEM, OK, NA])
    with CaptureQueriesContext(connection) as queries:
        flags = evidence.check_flags([symptom.pk])
    assert len(queries) == 2  # recent runs, then the flagged checks' names
    assert {f.kind for f in flags} == {"never_found", "not_applicable"}
    with CaptureQueriesContext(connection) as page:
        assert client.get("/review/insights/").status_code == 200
    assert len(page) == 17  # as pinned in test_queue, whatever the number of cases


def test_the_editor_shows_a_symptom_s_flags(client, editor):
    from tests.factories import import_shipped_playbook

    import_shipped_playbook()
    from diagnostics.content.models import Symptom

    symptom = Symptom.objects.get(key="webhooks-not-firing")
    statuses = [PROBLEM] + [OK] * (symptom.checks.count() - 1)
    cases_with(symptom, 12, statuses)
    html = client.get("/playbook/symptoms/webhooks-not-firing/").content.decode()
    assert "What the cases say" in html
    assert "Found no problem in its last 12 runs" in html
    assert "Escalated in 12 of 12 cases" in html
    front = client.get("/playbook/").content.decode()
    assert "What the cases and searches say" in front


def test_make_case_still_counts_in_flags():
    symptom = make_symptom(checks=2)
    for _ in range(evidence.MIN_RUNS):
        make_case(symptom, problems=(1,))
    # make_case leaves unflagged checks pending: they are not runs, so nothing is flagged.
    assert flags_of(symptom) == set()


def test_every_listed_symptom_s_checks_are_flagged_in_one_query():
    symptoms = [make_symptom(checks=2) for _ in range(5)]
    for symptom in symptoms:
        cases_with(symptom, 12, [PROBLEM, OK])
    with CaptureQueriesContext(connection) as queries:
        flags = evidence.check_flags([s.pk for s in symptoms])
    assert len(queries) == 2
    assert {(f.symptom_id, f.check_key) for f in flags} == {(s.pk, "check-2") for s in symptoms}
