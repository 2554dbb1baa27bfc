"""Team leads: the review queue, its filters, paging and CSV."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.utils import timezone

from diagnostics.content.models import Symptom
from diagnostics.content.playbook import import_playbook, read_playbook
from diagnostics.diagnosis.models import Case, ReviewStatus
from diagnostics.staff.models import Role
from tests.factories import (
    PLAYBOOK,
    import_shipped_playbook,
    make_case,
    make_symptom,
    make_user,
    start_session,
)

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def listed(client, query=""):
    """The case links the list shows, in order."""
    html = client.get(f"/review/{query}").content.decode()
    return re.findall(r'<td><a href="/cases/([^/]+)/[?"]', html)


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


def test_filter_by_whether_the_customer_said_it_solved_the_problem(client, lead):
    yes, no, unanswered = make_case(), make_case(), make_case()
    yes.answer_feedback("yes", "")
    no.answer_feedback("no", "Still broken")
    assert listed(client, "?helped=no") == tokens(no)
    assert listed(client, "?helped=yes") == tokens(yes)
    assert listed(client, "?helped=none") == tokens(unanswered)
    assert 'title="Still broken">No</span>' in client.get("/review/?helped=no").content.decode()


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
    assert "No cases listed" in html
    assert "0 cases match" not in html  # not three messages that contradict each other
    assert "No cases match these filters" not in html


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
        rows = re.findall(r'<td><a href="/cases/([^/]+)/[?"]', html)
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


# -- CSV --------------------------------------------------------------------------------------


def test_csv_exports_the_filtered_list(client, lead):
    symptom = make_symptom(title="Webhooks not firing")
    escalated = make_case(
        symptom, outcome="escalated", ticket="ZD-7", summary="Sent to engineering"
    )
    escalated.answer_feedback("no", "Still broken")
    make_case(symptom, outcome="not_resolved")
    response = client.get("/review/cases.csv?outcome=escalated")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cases.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["saved_at", "symptom", "ticket", "outcome", "resolved_by",
                       "review_status", "ran_by", "summary", "solved_problem", "feedback",
                       "link"]  # fmt: skip
    assert len(rows) == 2
    assert rows[1][1:10] == ["Webhooks not firing", "ZD-7", "Escalated", "", "New", "Customer",
                             "Sent to engineering", "No", "Still broken"]  # fmt: skip
    assert rows[1][10].startswith("http://testserver/cases/")


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)",
                                       "\t=1", "\r=1"])  # fmt: skip
def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, lead, dangerous):
    make_case(summary=dangerous, ticket=dangerous)
    body = b"".join(client.get("/review/cases.csv").streaming_content).decode()
    row = list(csv.reader(io.StringIO(body)))[1]
    assert row[2] == f"'{dangerous}"
    assert row[7] == f"'{dangerous}"


# -- Bounded queries --------------------------------------------------------------------------


def seeded(count):
    import_shipped_playbook()
    call_command("seed_demo_cases", "--count", str(count), stdout=StringIO())


@pytest.mark.parametrize("count", [10, 1000])
def test_review_pages_run_the_same_queries_at_any_size(
    client, lead, django_assert_num_queries, django_assert_max_num_queries, count
):
    seeded(count)
    oldest = Case.objects.select_related("session").order_by("saved_at").first().get_absolute_url()
    # The six of every staff page, then: the published stamp the symptom menu is kept by
    # (and, when not kept yet, the symptoms), staff for their menu, the page, the capped count.
    with django_assert_num_queries(11):
        client.get("/review/")
    with django_assert_num_queries(11):
        client.get("/review/?last=1&outcome=escalated")
    # Six, then the session with its case, results, comments.
    with django_assert_num_queries(9):
        client.get(oldest)
    # Six, then the symptom and revision menus (each its stamp, and its rows when not kept
    # yet), the sums per symptom, the checks that never
    # resolve (how many, the most run) and their titles, the evidence (recent check runs, the
    # flagged checks' names) and the searches that found nothing; titles are skipped when
    # nothing is flagged. For one symptom's detail also the chosen symptom and its checks'
    # sums, and with a revision to compare, that revision and the outcomes before and after.
    with django_assert_max_num_queries(17):
        client.get("/review/insights/")
    symptom = Case.objects.first().symptom_id
    with django_assert_max_num_queries(19):
        client.get(f"/review/insights/?symptom={symptom}")
    with django_assert_max_num_queries(21):
        response = client.get(f"/review/insights/?symptom={symptom}&revision=1")
    assert response.context["compared"].after.total == Case.objects.filter(symptom=symptom).count()
    with django_assert_num_queries(7):  # six, then the streamed cases in one query
        b"".join(client.get("/review/cases.csv").streaming_content)


@pytest.mark.parametrize(
    "query", ["after=253402300800000000-1", "before=99999999999999999999-1", "after=1-0"]
)
def test_a_page_link_out_of_range_says_so_and_shows_the_newest_cases(client, lead, query):
    newest = make_case()
    response = client.get(f"/review/?{query}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "That page link is not valid. Start again from the newest cases." in html
    assert listed(client, f"?{query}") == tokens(newest)


def test_empty_filters_are_dropped_from_the_address(client, lead):
    response = client.get("/review/?q=&symptom=&outcome=escalated&status=")
    assert response["Location"] == "/review/?outcome=escalated"
    response = client.get("/review/?q=&outcome=escalated", headers=HTMX)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == "/review/?outcome=escalated"


def test_a_reversed_date_range_says_so_in_the_results_htmx_updates(client, lead):
    make_case()
    response = client.get("/review/?date_from=2026-05-01&date_to=2026-04-01", headers=HTMX)
    html = response.content.decode()
    assert "No cases are listed until the filters are fixed" in html
    assert "To: The end date is before the start date." in html


def test_the_list_shows_each_cases_summary(client, lead):
    make_case(summary="Customer re-subscribed to order.created and it worked")
    assert (
        "Customer re-subscribed to order.created and it worked"
        in client.get("/review/").content.decode()
    )


def test_a_case_opened_from_the_list_links_back_to_it_and_on_to_the_next(client, lead):
    symptom = make_symptom()
    newest, middle, other, oldest = (
        make_case(symptom, outcome="escalated", days_ago=0),
        make_case(symptom, outcome="escalated", days_ago=1),
        make_case(outcome="escalated", days_ago=2),
        make_case(symptom, outcome="escalated", days_ago=3),
    )
    html = client.get(f"/review/?symptom={symptom.pk}").content.decode()
    link = re.search(rf'href="(/cases/{newest.session.token}/\?from=[^"]+)"', html).group(1)
    assert link.endswith(f"?from=symptom%3D{symptom.pk}")
    page = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'<a href="/review/?symptom={symptom.pk}">← Back to the list</a>' in page
    next_link = re.search(r'<a href="([^"]+)" rel="next">Next case →</a>', page).group(1)
    assert next_link.startswith(f"/cases/{middle.session.token}/?from=")
    page = client.get(next_link.replace("&amp;", "&")).content.decode()
    assert f"/cases/{oldest.session.token}/" in page  # the other symptom's case is skipped
    assert other.session.token not in page
    page = client.get(
        f"/cases/{oldest.session.token}/?from=symptom%3D{symptom.pk}"
    ).content.decode()
    assert "Last case in the list" in page


def test_a_csv_with_invalid_filters_says_why(client, lead):
    response = client.get("/review/cases.csv?date_from=2027-01-01&date_to=2020-01-01")
    assert response.status_code == 400
    assert "The end date is before the start date." in response.content.decode()
    html = client.get("/review/?date_from=2027-01-01&date_to=2020-01-01").content.decode()
    assert "Download these as CSV" not in html


def test_a_broken_page_link_is_reported_once(client, lead):
    html = client.get("/review/?after=abc&before=def").content.decode()
    assert html.count("That page link is not valid") == 1


# -- Kept until the next publish ---------------------------------------------------------------


def test_the_symptom_menu_is_drawn_once_per_publish_and_follows_a_rename(
    client, lead, settings, django_assert_num_queries
):
    settings.SHARED_PAGE_CACHE = "default"
    caches["default"].clear()
    import_playbook(read_playbook(PLAYBOOK.encode()), source="test")
    webhooks = Symptom.objects.get(key="webhooks-not-firing")
    first = client.get(f"/review/?symptom={webhooks.pk}").content.decode()
    assert f'<option value="{webhooks.pk}" selected>Webhooks not firing</option>' in first
    with django_assert_num_queries(10):  # one fewer: the menu's rows come from the cache
        again = client.get("/review/").content.decode()
    assert f'<option value="{webhooks.pk}">Webhooks not firing</option>' in again
    assert '<option value="" selected>Any symptom</option>' in again

    renamed = PLAYBOOK.replace("title: Webhooks not firing", "title: Webhooks never arrive")
    import_playbook(read_playbook(renamed.encode()), source="test")
    after = client.get("/review/").content.decode()
    assert "Webhooks never arrive" in after
    assert "Webhooks not firing" not in after


def test_the_list_shows_when_each_case_was_saved_in_the_portal_time_zone(client, lead, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    case = make_case()
    Case.objects.filter(pk=case.pk).update(saved_at=datetime(2026, 3, 5, 13, 7, tzinfo=UTC))
    html = client.get("/review/").content.decode()
    assert '<time datetime="2026-03-05T14:07:00+01:00">5 Mar 2026, 14:07</time>' in html


def test_a_long_summary_is_cut_with_an_ellipsis_and_stays_escaped(client, lead):
    make_case(summary="<b>" + "x" * 200)
    html = client.get("/review/").content.decode()
    assert "&lt;b&gt;" + "x" * 86 + "…</td>" in html
    assert "<b>x" not in html
