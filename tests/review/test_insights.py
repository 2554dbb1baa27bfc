"""What resolves what: insights, the tallies behind them, and demo data."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from diagnostics.diagnosis.models import Case, Outcome
from tests.factories import import_shipped_playbook, make_case, make_symptom

pytestmark = pytest.mark.django_db


# -- Insights ---------------------------------------------------------------------------------


def test_the_chart_matches_the_table_which_matches_a_count_by_hand(client, lead):
    webhooks = make_symptom(checks=3, title="Webhooks not firing")
    login = make_symptom(checks=2, title="Cannot sign in")
    for outcome, n in (("resolved", 3), ("not_resolved", 2), ("escalated", 1)):
        for _ in range(n):
            make_case(
                webhooks, outcome=outcome, resolved_position=2 if outcome == "resolved" else None
            )
    make_case(login, outcome="escalated")
    make_case(login, outcome="resolved", resolved_position=1)

    # By hand, from the rows themselves.
    by_hand = {}
    for case in Case.objects.all():
        by_hand.setdefault(case.symptom_id, {"resolved": 0, "not_resolved": 0, "escalated": 0})
        by_hand[case.symptom_id][case.outcome] += 1

    html = client.get("/review/insights/").content.decode()
    table = {}
    for symptom_id, cells in re.findall(r'<tr data-symptom="(\d+)">(.*?)</tr>', html, re.S):
        table[int(symptom_id)] = dict(re.findall(r'data-outcome="(\w+)" data-count="(\d+)"', cells))
    bars = [dict(re.findall(r'data-outcome="(\w+)" data-count="(\d+)"', g))
            for g in re.findall(r"<g transform.*?</g>", html, re.S)]  # fmt: skip
    as_ints = {k: {o: int(n) for o, n in v.items()} for k, v in table.items()}
    assert as_ints == by_hand
    assert [{o: int(n) for o, n in bar.items()} for bar in bars] == [
        by_hand[webhooks.pk],  # most cases first
        by_hand[login.pk],
    ]
    widths = re.findall(r'<rect x="[\d.]+" y="0" width="([\d.]+)"', html)
    assert [float(w) for w in widths[:3]] == [300.0, 200.0, 100.0]  # 3:2:1 of 600


def test_insights_count_problems_and_resolutions_per_check_and_flag_checks_that_never_resolve(
    client, lead
):
    symptom = make_symptom(checks=3)
    make_case(symptom, outcome="resolved", resolved_position=1, problems=[1, 2])
    make_case(symptom, outcome="resolved", resolved_position=1)
    make_case(symptom, outcome="escalated")
    make_case(make_symptom(checks=1), outcome="resolved", resolved_position=1)
    html = client.get(f"/review/insights/?symptom={symptom.pk}").content.decode()
    rows = re.findall(r"<tr( class=\"never-resolves\")?>\s*<th scope=\"row\">(.*?)</th>\s*"
                      r"<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", html, re.S)  # fmt: skip
    stats = [(bool(flag), re.sub(r"<.*", "", title).strip(), int(r), int(p), int(s))
             for flag, title, r, p, s in rows]  # fmt: skip
    title = f"Check {{}} of {symptom.title}"
    assert stats == [
        (False, title.format(1), 3, 2, 2),  # a check that resolves a case found its problem
        (True, title.format(2), 3, 1, 0),
        (True, title.format(3), 3, 0, 0),
    ]
    assert html.count("Never resolved a case") == 2
    never = re.search(r'<table class="never">.*?</table>', html, re.S).group(0)
    assert re.findall(r'<th scope="row">([^<]+)</th>', never) == [title.format(2), title.format(3)]


def test_insights_without_a_symptom_list_no_check_table(client, lead):
    make_case(make_symptom(checks=2), outcome="escalated")
    html = client.get("/review/insights/").content.decode()
    assert 'class="check-stats"' not in html
    assert "Pick a symptom in the table above" in html


def test_insights_filter_by_date_range(client, lead):
    symptom = make_symptom()
    make_case(symptom, days_ago=40)
    make_case(symptom, days_ago=2)
    since = timezone.localdate() - timedelta(days=7)
    html = client.get(f"/review/insights/?date_from={since}").content.decode()
    assert re.search(r'<td data-count="1">1</td>', html)


# -- Demo data --------------------------------------------------------------------------------


def test_seed_demo_cases_makes_repeatable_realistic_cases():
    import_shipped_playbook()
    call_command("seed_demo_cases", "--count", "300", "--symptoms", "4", stdout=StringIO())
    assert Case.objects.count() == 300
    assert Case.objects.filter(symptom__key__startswith="generated-").exists()
    shares = {o: Case.objects.filter(outcome=o).count() for o in Outcome}
    assert shares[Outcome.RESOLVED] > shares[Outcome.NOT_RESOLVED] > 0
    assert shares[Outcome.ESCALATED] > 0
    assert not Case.objects.filter(outcome="resolved", resolved_by__isnull=True).exists()


def test_seed_demo_cases_gives_the_same_cases_for_the_same_seed():
    import_shipped_playbook()

    def run():
        Case.objects.all().delete()
        call_command("seed_demo_cases", "--count", "200", "--seed", "7", stdout=StringIO())
        return list(Case.objects.order_by("id").values_list("symptom__key", "outcome", "summary"))

    assert run() == run()
