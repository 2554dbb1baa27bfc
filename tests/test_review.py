"""Team leads: the review list, comments and review status, insights and CSV."""

import csv
import io
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from diagnostics.models import (
    Case,
    CheckDay,
    CheckTotal,
    Comment,
    Outcome,
    ResultStatus,
    ReviewStatus,
    Role,
    SymptomDay,
    SymptomTotal,
    recount_cases,
)
from tests.factories import make_symptom, make_user, save_case, start_session

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def lead(client):
    user = make_user(Role.LEAD, first_name="Lee", last_name="Lead")
    client.force_login(user)
    return user


def make_case(
    symptom=None,
    *,
    outcome="not_resolved",
    days_ago=0,
    ticket="",
    summary="",
    ran_by=None,
    status=ReviewStatus.NEW,
    resolved_position=None,
    problems=(),
):
    """A case made as people make one: results ticked, then saved (on a day in the past)."""
    session = start_session(symptom or make_symptom(), started_by=ran_by, ticket=ticket)
    for result in session.results.filter(position__in=problems):
        result.record(ResultStatus.PROBLEM)
    resolved_by = session.results.get(position=resolved_position) if resolved_position else None
    return save_case(
        session,
        outcome=outcome,
        resolved_by=resolved_by,
        summary=summary,
        saved_at=timezone.now() - timedelta(days=days_ago),
        review_status=status,
    )


def listed(client, query=""):
    """The case links the list shows, in order."""
    html = client.get(f"/review/{query}").content.decode()
    return re.findall(r'<td><a href="/cases/([^/]+)/">', html)


def tokens(*cases):
    return [case.session.token for case in cases]


# -- Filters ----------------------------------------------------------------------------------


def test_the_list_shows_saved_cases_newest_first(client, lead):
    old, new = make_case(days_ago=2), make_case(days_ago=1)
    start_session()  # live, not saved: not a case
    assert listed(client) == tokens(new, old)


def test_filter_by_symptom(client, lead):
    webhooks, other = make_symptom(title="Webhooks"), make_symptom()
    case = make_case(webhooks)
    make_case(other)
    assert listed(client, f"?symptom={webhooks.pk}") == tokens(case)


def test_filter_by_outcome(client, lead):
    escalated = make_case(outcome="escalated")
    make_case(outcome="not_resolved")
    assert listed(client, "?outcome=escalated") == tokens(escalated)


def test_filter_by_review_status(client, lead):
    follow = make_case(status=ReviewStatus.FOLLOW_UP)
    make_case(status=ReviewStatus.NEW)
    assert listed(client, "?status=follow_up") == tokens(follow)


def test_filter_by_who_ran_it(client, lead):
    agent = make_user(Role.AGENT)
    theirs = make_case(ran_by=agent)
    make_case()
    assert listed(client, f"?ran_by={agent.pk}") == tokens(theirs)


def test_filter_by_date_range_includes_both_days(client, lead):
    make_case(days_ago=10)
    inside = [make_case(days_ago=d) for d in (5, 3)]
    make_case(days_ago=1)
    today = timezone.localdate()
    query = f"?date_from={today - timedelta(days=5)}&date_to={today - timedelta(days=3)}"
    assert listed(client, query) == tokens(inside[1], inside[0])


def test_search_looks_in_ticket_and_summary(client, lead):
    by_ticket = make_case(ticket="ZD-4711")
    by_summary = make_case(summary="Customer rotated the API key.")
    make_case(ticket="ZD-1", summary="Nothing to see")
    assert listed(client, "?q=zd-4711") == tokens(by_ticket)
    assert listed(client, "?q=api+key") == tokens(by_summary)


def test_filters_combine(client, lead):
    webhooks = make_symptom()
    wanted = make_case(webhooks, outcome="escalated", ticket="ZD-9")
    make_case(webhooks, outcome="resolved", resolved_position=1, ticket="ZD-9")
    make_case(outcome="escalated", ticket="ZD-9")
    query = f"?symptom={webhooks.pk}&outcome=escalated&q=ZD-9&status=new"
    assert listed(client, query) == tokens(wanted)


def test_a_bad_filter_says_so_and_lists_nothing(client, lead):
    make_case()
    html = client.get("/review/?date_from=yesterday&outcome=maybe").content.decode()
    assert "Enter a valid date." in html
    assert "Select a valid choice. maybe is not one of the available choices." in html
    assert "0 cases match" in html


def test_the_filters_round_trip_through_the_url(client, lead):
    symptom = make_symptom()
    html = client.get(f"/review/?symptom={symptom.pk}&outcome=escalated&q=ZD").content.decode()
    assert f'<option value="{symptom.pk}" selected>' in html
    assert '<option value="escalated" selected>' in html
    assert 'value="ZD"' in html
    csv_link = re.search(r'href="(/review/cases\.csv[^"]*)"', html).group(1)
    assert csv_link == f"/review/cases.csv?symptom={symptom.pk}&amp;outcome=escalated&amp;q=ZD"


def test_with_htmx_the_list_returns_just_the_results(client, lead):
    make_case(outcome="escalated")
    response = client.get("/review/?outcome=escalated", headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert "1 case matches" in html
    assert response["Vary"].count("HX-Request") == 1


def test_htmx_history_restore_gets_the_whole_page(client, lead):
    html = client.get(
        "/review/", headers={**HTMX, "HX-History-Restore-Request": "true"}
    ).content.decode()
    assert "<html" in html


# -- Paging -----------------------------------------------------------------------------------


def test_pages_walk_every_case_once_forwards_and_backwards(client, lead):
    symptom = make_symptom(checks=1)
    cases = [make_case(symptom, days_ago=i) for i in range(60)]  # newest first
    expected = tokens(*cases)

    def page(query):
        html = client.get(f"/review/{query}").content.decode()
        rows = re.findall(r'<td><a href="/cases/([^/]+)/">', html)
        older = re.search(r'href="\?after=([^"&]+)" rel="next"', html)
        newer = re.search(r'href="\?before=([^"&]+)" rel="prev"', html)
        return rows, older and older.group(1), newer and newer.group(1)

    seen, query = [], ""
    while True:
        rows, older, _ = page(query)
        seen += rows
        if not older:
            break
        query = f"?after={older}"
    assert seen == expected

    # Keyset pages count from the end going back: the oldest page is the oldest 25 cases.
    last, older, newer = page("?last=1")
    assert (last, older) == (expected[35:], None)
    before_last, _, newer = page(f"?before={newer}")
    assert before_last == expected[10:35]
    first, _, newer = page(f"?before={newer}")
    assert (first, newer) == (expected[:10], None)


# -- Review status and comments ---------------------------------------------------------------


def review(client, case, status, version):
    return client.post(
        f"/cases/{case.session.token}/review/", {"status": status, "version": version}
    )


def test_a_lead_marks_a_case_reviewed(client, lead):
    case = make_case()
    response = review(client, case, "reviewed", 1)
    assert response["Location"] == f"/cases/{case.session.token}/#review"
    case.refresh_from_db()
    assert (case.review_status, case.reviewed_by, case.version) == ("reviewed", lead, 2)
    assert case.reviewed_at is not None


def test_two_leads_at_once_the_second_gets_a_conflict_and_nothing_is_overwritten(client, lead):
    case = make_case()
    other = make_user(Role.LEAD, first_name="Ola")
    # Both opened the case at version 1; the other lead saves first.
    from django.test import Client

    other_client = Client()
    other_client.force_login(other)
    assert review(other_client, case, "follow_up", 1).status_code == 302

    response = review(client, case, "reviewed", 1)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this review while you had the page open" in html
    assert 'badge review-follow_up">Needs follow-up' in html
    assert "by Ola" in html
    case.refresh_from_db()
    assert (case.review_status, case.reviewed_by, case.version) == ("follow_up", other, 2)
    assert 'name="version" value="2"' in html  # the next try starts from what is there now


def test_review_with_htmx_returns_the_review_block(client, lead):
    case = make_case()
    response = client.post(
        f"/cases/{case.session.token}/review/", {"status": "follow_up", "version": 1}, headers=HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="review"')
    assert "Needs follow-up" in html


def test_a_bad_review_status_is_refused(client, lead):
    case = make_case()
    response = review(client, case, "new", 1)
    assert response.status_code == 400
    assert "Choose reviewed or needs follow-up." in response.content.decode()
    case.refresh_from_db()
    assert case.version == 1


def test_a_lead_comments_and_sees_author_and_time(client, lead):
    case = make_case()
    url = f"/cases/{case.session.token}/comments/"
    response = client.post(url, {"body": "Check the proxy logs next time."}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="comments"')
    assert "<strong>Lee Lead</strong>" in html
    assert "Check the proxy logs next time." in html
    assert '<textarea name="body"' in html
    comment = Comment.objects.get()
    assert (comment.case, comment.author) == (case, lead)


def test_an_empty_comment_is_refused(client, lead):
    case = make_case()
    response = client.post(f"/cases/{case.session.token}/comments/", {"body": ""})
    assert response.status_code == 400
    assert "Write a comment first." in response.content.decode()
    assert not Comment.objects.exists()


def test_comments_from_two_leads_at_once_are_both_kept(client, lead):
    case = make_case()
    from django.test import Client

    other = Client()
    other.force_login(make_user(Role.LEAD))
    for who, text in ((client, "first"), (other, "second")):
        who.post(f"/cases/{case.session.token}/comments/", {"body": text})
    assert list(case.comments.values_list("body", flat=True)) == ["first", "second"]


def test_customers_and_agents_see_no_review_and_cannot_post_one(client):
    case = make_case()
    Comment.objects.create(case=case, body="internal remark")
    html = client.get(f"/cases/{case.session.token}/").content.decode()
    assert "internal remark" not in html
    assert 'id="review"' not in html
    client.force_login(make_user(Role.AGENT))
    assert "internal remark" not in client.get(f"/cases/{case.session.token}/").content.decode()
    assert review(client, case, "reviewed", 1).status_code == 403
    assert client.post(f"/cases/{case.session.token}/comments/", {"body": "x"}).status_code == 403


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
    widths = re.findall(r'<rect x="[\d.]+" y="20" width="([\d.]+)"', html)
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
        (False, title.format(1), 3, 1, 2),
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


# -- CSV --------------------------------------------------------------------------------------


def test_csv_exports_the_filtered_list(client, lead):
    symptom = make_symptom(title="Webhooks not firing")
    make_case(symptom, outcome="escalated", ticket="ZD-7", summary="Sent to engineering")
    make_case(symptom, outcome="not_resolved")
    response = client.get("/review/cases.csv?outcome=escalated")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cases.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["saved_at", "symptom", "ticket", "outcome", "resolved_by",
                       "review_status", "ran_by", "summary", "link"]  # fmt: skip
    assert len(rows) == 2
    assert rows[1][1:8] == ["Webhooks not firing", "ZD-7", "Escalated", "", "New", "",
                            "Sent to engineering"]  # fmt: skip
    assert rows[1][8].startswith("http://testserver/cases/")


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)",
                                       "\t=1", "\r=1"])  # fmt: skip
def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, lead, dangerous):
    make_case(summary=dangerous, ticket=dangerous)
    body = b"".join(client.get("/review/cases.csv").streaming_content).decode()
    row = list(csv.reader(io.StringIO(body)))[1]
    assert row[2] == f"'{dangerous}"
    assert row[7] == f"'{dangerous}"


# -- Demo data --------------------------------------------------------------------------------


def test_seed_demo_cases_makes_repeatable_realistic_cases():
    call_command("import_playbook", "fixtures/playbook.yaml", stdout=StringIO())
    call_command("seed_demo_cases", "--count", "300", "--symptoms", "4", stdout=StringIO())
    assert Case.objects.count() == 300
    assert Case.objects.filter(symptom__key__startswith="generated-").exists()
    shares = {o: Case.objects.filter(outcome=o).count() for o in Outcome}
    assert shares[Outcome.RESOLVED] > shares[Outcome.NOT_RESOLVED] > 0
    assert shares[Outcome.ESCALATED] > 0
    assert not Case.objects.filter(outcome="resolved", resolved_by__isnull=True).exists()


def test_seed_demo_cases_gives_the_same_cases_for_the_same_seed():
    call_command("import_playbook", "fixtures/playbook.yaml", stdout=StringIO())

    def run():
        Case.objects.all().delete()
        call_command("seed_demo_cases", "--count", "200", "--seed", "7", stdout=StringIO())
        return list(Case.objects.order_by("id").values_list("symptom__key", "outcome", "summary"))

    assert run() == run()


# -- Bounded queries --------------------------------------------------------------------------


def seeded(count):
    call_command("import_playbook", "fixtures/playbook.yaml", stdout=StringIO())
    call_command("seed_demo_cases", "--count", str(count), stdout=StringIO())


@pytest.mark.parametrize("count", [10, 1000])
def test_review_pages_run_the_same_queries_at_any_size(
    client, lead, django_assert_num_queries, django_assert_max_num_queries, count
):
    seeded(count)
    oldest = Case.objects.select_related("session").order_by("saved_at").first().get_absolute_url()
    # The six of every staff page, then: symptoms and staff for the filter menus, the page,
    # the capped count.
    with django_assert_num_queries(10):
        client.get("/review/")
    with django_assert_num_queries(10):
        client.get("/review/?last=1&outcome=escalated")
    # Six, then the session with its case, results, comments.
    with django_assert_num_queries(9):
        client.get(oldest)
    # Six, then the symptom menu, the sums per symptom, the checks that never resolve, their
    # titles (skipped when no check is flagged); for one symptom's detail also the chosen
    # symptom and its checks' sums.
    with django_assert_max_num_queries(10):
        client.get("/review/insights/")
    symptom = Case.objects.first().symptom_id
    with django_assert_num_queries(12):
        client.get(f"/review/insights/?symptom={symptom}")
    with django_assert_num_queries(7):  # six, then the streamed cases in one query
        b"".join(client.get("/review/cases.csv").streaming_content)


def test_tallies_kept_case_by_case_equal_a_recount_from_scratch():
    symptom = make_symptom(checks=3)
    for days_ago, outcome, fixer, problems in [
        (0, "resolved", 2, [2]),
        (0, "resolved", 1, [1, 3]),
        (1, "escalated", None, [3]),
        (3, "not_resolved", None, []),
    ]:
        make_case(symptom, days_ago=days_ago, outcome=outcome, resolved_position=fixer,
                  problems=problems)  # fmt: skip

    def snapshot():
        return (
            sorted(SymptomDay.objects.values_list("day", "cases", "resolved", "escalated")),
            sorted(CheckDay.objects.values_list("day", "key", "runs", "problems", "resolved")),
            sorted(SymptomTotal.objects.values_list("cases", "resolved", "escalated")),
            sorted(CheckTotal.objects.values_list("key", "runs", "problems", "resolved")),
        )

    kept = snapshot()
    recount_cases()
    assert snapshot() == kept
    assert sum(row[1] for row in kept[0]) == 4
