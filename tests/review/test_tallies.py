"""The tallies behind insights are derived from cases: every way a case comes or goes keeps
them equal to a recount, and a command checks (and repairs) them."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from diagnostics.diagnosis.models import Case
from diagnostics.review import tallies
from diagnostics.review.tallies import CheckDay, CheckTotal, SymptomDay, SymptomTotal
from tests.factories import make_case, make_symptom, start_session

pytestmark = pytest.mark.django_db


def some_cases():
    symptom = make_symptom(checks=3)
    return [
        make_case(
            symptom, days_ago=days_ago, outcome=outcome, resolved_position=fixer, problems=problems
        )
        for days_ago, outcome, fixer, problems in [
            (0, "resolved", 2, [2]),
            (0, "resolved", 1, [1, 3]),
            (1, "escalated", None, [3]),
            (3, "not_resolved", None, []),
        ]
    ]


def test_tallies_kept_case_by_case_equal_a_recount_from_scratch():
    some_cases()

    def snapshot():
        return (
            sorted(SymptomDay.objects.values_list("day", "cases", "resolved", "escalated")),
            sorted(CheckDay.objects.values_list("day", "key", "runs", "problems", "resolved")),
            sorted(SymptomTotal.objects.values_list("cases", "resolved", "escalated")),
            sorted(CheckTotal.objects.values_list("key", "runs", "problems", "resolved")),
        )

    kept = snapshot()
    tallies.rebuild()
    assert snapshot() == kept
    assert sum(row[1] for row in kept[0]) == 4


def test_deleting_a_case_in_the_admin_takes_it_out_of_the_tallies(admin_client):
    first, *_ = some_cases()
    response = admin_client.post(f"/admin/diagnostics/case/{first.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Case.objects.filter(pk=first.pk).exists()
    assert SymptomTotal.objects.get().cases == 3
    assert tallies.differences() == []
    # Its share link does not come back as a live diagnosis.
    assert admin_client.get(first.get_absolute_url()).status_code == 404


def test_deleting_cases_in_bulk_in_the_admin_keeps_the_tallies_exact(admin_client):
    cases = some_cases()
    response = admin_client.post(
        "/admin/diagnostics/case/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in cases[:3]], "post": "yes"},
    )
    assert response.status_code == 302
    assert Case.objects.count() == 1
    assert SymptomTotal.objects.get().cases == 1
    assert tallies.differences() == []


def test_check_tallies_says_when_they_match():
    some_cases()
    out = StringIO()
    call_command("check_tallies", stdout=out)
    assert out.getvalue() == "The tallies match a recount of the cases.\n"


def test_check_tallies_names_a_wrong_tally_and_fails():
    some_cases()
    SymptomTotal.objects.update(cases=99)
    out = StringIO()
    with pytest.raises(CommandError, match="1 tallies differ from a recount"):
        call_command("check_tallies", stdout=out)
    assert "SymptomTotal" in out.getvalue()
    assert "'cases': 99" in out.getvalue()
    assert SymptomTotal.objects.get().cases == 99  # nothing changed without --repair


def test_check_tallies_repairs_on_request():
    some_cases()
    SymptomTotal.objects.update(cases=99)
    CheckDay.objects.filter(key="check-2").delete()
    call_command("check_tallies", "--repair", stdout=StringIO())
    assert SymptomTotal.objects.get().cases == 4
    assert tallies.differences() == []


def test_a_case_that_contradicts_its_answers_is_left_out_of_insights():
    session = start_session(make_symptom(checks=2))
    pending = session.results.get(position=1)
    # As an older portal could save it: resolved by a check nobody answered.
    Case.objects.bulk_create(
        [Case(session=session, symptom=session.symptom, outcome="resolved", resolved_by=pending)]
    )
    make_case(session.symptom, outcome="resolved", resolved_position=2)
    tallies.rebuild()
    assert SymptomTotal.objects.get().cases == 1
    assert CheckTotal.objects.get(key="check-1").resolved == 0
    assert tallies.differences() == []
