"""Running a branched diagnosis (playbook schema 2): the page follows the path the answers
lead along, skipped checks need no answer, a changed answer marks what no longer applies, an
outcome rule fills in the save form, and a link to another symptom continues there."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diagnostics.content.models import Check, Symptom
from diagnostics.content.playbook import import_playbook
from diagnostics.content.playbook_schema import read_playbook
from diagnostics.diagnosis.models import Case, CheckResult, DiagnosticSession
from diagnostics.review import tallies
from tests.factories import make_symptom, results, start_session, tick_url

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}

WEBHOOKS = """\
playbook: 2
title: Branching test playbook
categories:
  - key: integrations
    title: Integration issues
    symptoms:
      - key: webhooks-not-firing
        title: Webhooks not firing
        checks:
          - key: webhook-url
            title: Verify webhook URL and event subscriptions.
            on_problem: {goto: fix-url}
          - key: delivery-log
            title: Look at the delivery log for failed attempts.
            on_ok: {outcome: escalated}
            on_problem: {symptom: tls-errors}
          - key: fix-url
            title: Correct the URL and send a test event.
            on_ok: {outcome: resolved}
            on_problem: {outcome: escalated}
      - key: tls-errors
        title: Deliveries fail with TLS errors
        checks:
          - key: certificate
            title: Check the receiver's certificate chain.
"""


@pytest.fixture
def webhooks(db):
    import_playbook(read_playbook(WEBHOOKS.encode()), source="test")
    return Symptom.objects.get(key="webhooks-not-firing")


def start(client, key="webhooks-not-firing", **data):
    response = client.post(f"/symptoms/{key}/start/", data)
    assert response.status_code == 302
    return DiagnosticSession.objects.get(token=response["Location"].split("/")[2])


def answer(client, session, position, status, **headers):
    response = client.post(tick_url(session, position), {"status": status}, headers=headers)
    assert response.status_code in (200, 302), response.content
    return response


def page(client, session):
    return client.get(session.get_absolute_url()).content.decode()


def checked_outcome(html):
    """The outcome the save form has chosen, or None."""
    found = re.search(r'<input type="radio" name="outcome" value="(\w+)"[^>]* checked>', html)
    return found and found[1]


def test_a_problem_found_jumps_to_the_fix_and_skips_what_lies_between(client, webhooks):
    session = start(client)
    answer(client, session, 1, "problem")
    html = page(client, session)
    assert 'id="check-2" class="result skipped"' in html
    assert "Your answers led past this check" in html
    assert 'class="result status-pending is-next"' in html  # the fix, ready to answer
    assert "Next on your path:" in html
    assert "3. Correct the URL" in html
    assert "1 checked on your path, 1 problem found, 1 skipped" in html


def test_checks_not_reached_yet_are_not_shown_as_waiting(client, webhooks):
    session = start(client)
    html = page(client, session)
    assert 'id="check-2" class="result ahead" hidden' in html
    assert "More checks may follow, depending on your answers." in html


def test_an_outcome_rule_fills_in_the_save_form(client, webhooks):
    session = start(client)
    answer(client, session, 1, "problem")
    answer(client, session, 3, "ok")
    html = page(client, session)
    assert "Your answers lead to the outcome <strong>Resolved</strong>" in html
    assert checked_outcome(html) == "resolved"
    fix = CheckResult.objects.get(session=session, position=3)
    assert f'<option value="{fix.pk}" selected>' in html  # its "Passed" resolves, says the rule
    assert "Every check on your path has an answer." in html


def test_a_case_saved_as_filled_in_records_the_whole_path(client, webhooks):
    session = start(client)
    answer(client, session, 1, "problem")
    answer(client, session, 3, "ok")
    found = CheckResult.objects.get(session=session, position=1)
    client.post(f"/cases/{session.token}/save/", {"outcome": "resolved", "resolved_by": found.pk})
    case = Case.objects.get()
    assert case.resolved_by == found
    record = json.loads(client.get(f"/cases/{session.token}.json").content)
    assert record["path"] == {
        "checks": ["webhook-url", "fix-url"],
        "ended": {"outcome": "resolved"},
    }
    assert [c["path"] for c in record["checks"]] == ["on_path", "skipped", "on_path"]
    html = page(client, session)
    assert "Skipped</span>" in html
    assert tallies.differences() == []


def test_an_answer_whose_rule_says_resolved_may_name_the_check_that_fixed_it(client):
    symptom = make_symptom(checks=2)
    Check.objects.filter(symptom=symptom, key="check-1").update(
        rules={"ok": {"outcome": "resolved"}}
    )
    session = start_session(symptom)
    first = session.results.get(position=1)
    client.post(tick_url(session, 1), {"status": "ok"})
    assert checked_outcome(page(client, session)) == "resolved"
    client.post(f"/cases/{session.token}/save/", {"outcome": "resolved", "resolved_by": first.pk})
    assert Case.objects.get().resolved_by == first  # "Passed", but the playbook says it resolves
    assert tallies.differences() == []


def test_changing_an_earlier_answer_marks_later_answers_as_no_longer_applying(client, webhooks):
    session = start(client)
    answer(client, session, 1, "problem")
    answer(client, session, 3, "ok")
    answer(client, session, 1, "ok")  # the URL was right after all: the path goes on to 2
    html = page(client, session)
    assert 'id="check-3" class="result left status-ok"' in html
    assert "no longer applies" in html
    assert results(session) == [("ok", ""), ("pending", ""), ("ok", "")]  # kept, not deleted
    assert "Next on your path:" in html
    assert "2. Look at the delivery log" in html
    answer(client, session, 1, "problem")  # and back: its answer counts again
    assert "no longer applies" not in page(client, session)


def test_skipped_checks_do_not_hold_up_saving(client, webhooks):
    session = start(client)
    answer(client, session, 1, "problem")
    answer(client, session, 3, "problem")
    html = page(client, session)
    assert checked_outcome(html) == "escalated"
    response = client.post(f"/cases/{session.token}/save/", {"outcome": "escalated"})
    assert response.status_code == 302
    assert "Skipped</span>" in page(client, session)


def test_a_link_to_another_symptom_offers_to_continue_there(client, webhooks):
    session = start(client)
    answer(client, session, 1, "ok")
    answer(client, session, 2, "problem")
    html = page(client, session)
    assert "Your answers point to another problem: <strong>Deliveries fail with TLS" in html
    assert 'action="/symptoms/tls-errors/start/"' in html
    assert 'id="check-3" class="result skipped"' in html
    then = start(client, "tls-errors", continued_from=session.token)
    assert then.continued_from == session
    back = page(client, session)  # the first diagnosis now leads to the one started
    assert f'href="/cases/{then.token}/">Go on with “Deliveries fail with TLS errors”' in back
    assert 'action="/symptoms/tls-errors/start/"' not in back
    html = page(client, then)
    assert f'Continued from <a href="/cases/{session.token}/">Webhooks not firing</a>' in html
    record = json.loads(client.get(f"/cases/{then.token}.json").content)
    assert record["continued_from"].endswith(f"/cases/{session.token}/")
    record = json.loads(client.get(f"/cases/{session.token}.json").content)
    assert record["path"]["ended"] == {
        "symptom": {"key": "tls-errors", "title": "Deliveries fail with TLS errors"}
    }


def test_a_continuation_the_path_did_not_lead_to_is_not_recorded(client, webhooks):
    session = start(client)  # nothing answered: its path leads nowhere yet
    then = start(client, "tls-errors", continued_from=session.token)
    assert then.continued_from is None
    for odd in ("x" * 5000, "abc\x00def", "ü" * 10, session.token + "'"):
        assert start(client, "tls-errors", continued_from=odd).continued_from is None


def test_with_htmx_the_next_check_appears_in_place(client, webhooks):
    session = start(client)
    response = answer(client, session, 1, "problem", **HTMX)
    html = response.content.decode()
    assert 'id="check-2" class="result skipped" hx-swap-oob="true"' in html
    assert 'class="result status-pending is-next" hx-swap-oob="true"' in html
    assert 'id="check-3-ok"' in html  # the fix's own answer buttons
    response = answer(client, session, 3, "ok", **HTMX)
    html = response.content.decode()
    assert 'id="path-end" class="path-end" aria-live="polite" hx-swap-oob="true"' in html
    assert 'id="save-choices" hx-swap-oob="true"' in html
    assert checked_outcome(html) == "resolved"


def test_without_rules_the_checklist_is_unchanged(client):
    symptom = make_symptom(checks=3)
    session = start_session(symptom)
    answer(client, session, 2, "ok", **HTMX)
    html = page(client, session)
    assert "Work through the checks in order." in html
    assert "result skipped" not in html
    assert "result ahead" not in html
    assert "Next on your path" not in html
    assert "More checks may follow" not in html
    assert "Still unanswered:" in html
    assert "1 of 3 checked" in html


def test_a_live_diagnosis_keeps_the_rules_it_started_with(client, webhooks):
    session = start(client)
    Check.objects.filter(key="webhook-url").update(rules={})  # edited after it started
    answer(client, session, 1, "problem")
    assert 'id="check-2" class="result skipped"' in page(client, session)


def test_answers_are_saved_one_row_each_so_two_people_lose_nothing(client, webhooks):
    session = start(client)
    other = type(client)()
    answer(client, session, 1, "problem")
    answer(other, session, 3, "ok", **HTMX)
    assert results(session) == [("problem", ""), ("pending", ""), ("ok", "")]


# -- Bounded queries: the same number for 5 checks and for 50 ---------------------------------


def branched_symptom(checks):
    """A symptom whose odd checks jump over the next one on a problem found."""
    symptom = make_symptom(checks=checks)
    for i in range(1, checks - 1, 2):
        Check.objects.filter(symptom=symptom, key=f"check-{i}").update(
            rules={"problem": {"goto": f"check-{i + 2}"}, "na": {"outcome": "escalated"}}
        )
    return symptom


def queries(action):
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def path_queries(client, checks):
    session = start_session(branched_symptom(checks))
    for position in range(1, checks - 1, 2):
        client.post(tick_url(session, position), {"status": "problem"})
    return (
        queries(lambda: client.get(session.get_absolute_url())),
        queries(lambda: client.post(tick_url(session, 1), {"status": "problem"}, headers=HTMX)),
        queries(lambda: client.get(f"/cases/{session.token}.json")),
    )


def test_a_branched_diagnosis_costs_the_same_queries_at_5_and_50_checks(client):
    small = path_queries(client, 5)
    large = path_queries(client, 50)
    assert small == large
    page_queries, tick_queries, record_queries = large
    assert page_queries <= 8
    assert tick_queries <= 8
    assert record_queries <= 4


# -- Insights: where people went next, and where they stopped ---------------------------------


def run(client, answers, outcome, resolved_by=None, summary=""):
    session = start(client)
    for position, status in answers:
        answer(client, session, position, status)
    data = {"outcome": outcome, "summary": summary}
    if resolved_by:
        data["resolved_by"] = session.results.get(position=resolved_by).pk
    assert client.post(f"/cases/{session.token}/save/", data).status_code == 302
    return session


STEP = r'<li>(.*?) <span class="count">(\d+)</span> <span class="hint">\((\d+)%\)'


def insights_rows(client, symptom, query=""):
    html = client.get(f"/review/insights/?symptom={symptom.pk}{query}").content.decode()
    table = re.search(r'<table class="check-stats">.*?</table>', html, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr.*?</tr>", table, re.S)[1:]:
        title = re.search(r'<th scope="row">([^<]*)', row).group(1).strip()
        went = re.findall(
            r"<li>(.*?) <span class=\"count\">(\d+)</span> <span class=\"hint\">\((\d+)%\)", row
        )
        stopped = re.findall(r"<td>(\d+)</td>", row)[-1]
        rows[title] = (went, int(stopped))
    return rows


def test_insights_say_where_people_went_after_each_check_and_where_they_stopped(
    client, webhooks, lead
):
    other = type(client)()
    run(other, [(1, "problem"), (3, "ok")], "resolved", resolved_by=1)
    run(other, [(1, "problem"), (3, "ok")], "resolved", resolved_by=1)
    run(other, [(1, "ok"), (2, "ok")], "escalated")
    run(other, [(1, "ok")], "not_resolved", summary="Had to leave.")  # stopped at check 2
    rows = insights_rows(client, webhooks)
    verify, log, fix = (
        "Verify webhook URL and event subscriptions.",
        "Look at the delivery log for failed attempts.",
        "Correct the URL and send a test event.",
    )
    assert rows[verify] == ([(f"→ {log}", "2", "50"), (f"→ {fix}", "2", "50")], 0)
    assert rows[log] == ([("End: Escalated", "1", "50")], 1)
    assert rows[fix] == ([("End: Resolved", "2", "100")], 0)
    assert insights_rows(client, webhooks, "&start=2000-01-01") == rows  # the daily tallies
    assert tallies.differences() == []

    Case.objects.filter(outcome="escalated").get().delete()
    assert insights_rows(client, webhooks)[log] == ([], 1)
    assert tallies.differences() == []


def test_the_step_tallies_can_be_rebuilt_from_the_cases(client, webhooks):
    run(client, [(1, "problem"), (3, "problem")], "escalated")
    run(client, [(1, "ok"), (2, "problem")], "not_resolved")
    before = tallies.stored(tallies.StepTotal)
    assert before[(webhooks.pk, "delivery-log", "symptom:tls-errors")] == {"count": 1}
    tallies.StepTotal.objects.all().delete()
    assert tallies.differences() != []
    tallies.rebuild()
    assert tallies.stored(tallies.StepTotal) == before


def test_staff_see_the_flow_on_the_symptom_page_and_customers_a_hint(client, webhooks, agent):
    html = client.get("/symptoms/webhooks-not-firing/").content.decode()
    assert "How the checks lead on" in html
    assert "Problem found → continue with “Deliveries fail with TLS errors”" in html
    customer = type(client)().get("/symptoms/webhooks-not-firing/").content.decode()
    assert "Your answers decide which of these checks you need" in customer
    assert "<svg" not in customer


# -- Path integrity ---------------------------------------------------------------------------


def test_a_new_answer_to_a_skipped_check_is_refused_and_the_page_shows_the_path(client, webhooks):
    session = start(client)
    answer(client, session, 1, "problem")  # check 2 is now skipped
    response = client.post(tick_url(session, 2), {"status": "problem"}, headers=HTMX)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Your answers no longer lead to this check" in html
    assert 'id="check-2" class="result skipped"' in html
    assert "Saved as a case" not in html
    assert results(session)[1] == ("pending", "")
    response = client.post(tick_url(session, 2), {"status": "problem"})  # without JavaScript
    assert response.status_code == 409
    assert "Your answers no longer lead to this check" in response.content.decode()


def test_a_note_on_an_answer_left_behind_is_still_saved(client, webhooks):
    session = start(client)
    answer(client, session, 1, "problem")
    answer(client, session, 3, "ok")
    answer(client, session, 1, "ok")  # check 3 no longer applies
    response = client.post(tick_url(session, 3), {"note": "Typed in another tab"}, headers=HTMX)
    assert response.status_code == 200
    assert results(session)[2] == ("ok", "Typed in another tab")  # the answer as it was


def test_the_check_that_fixed_it_must_be_on_the_path(client, webhooks):
    session = start(client)
    answer(client, session, 1, "problem")
    answer(client, session, 3, "ok")
    answer(client, session, 1, "ok")  # check 3's "resolved" no longer applies
    fix = CheckResult.objects.get(session=session, position=3)
    response = client.post(
        f"/cases/{session.token}/save/", {"outcome": "resolved", "resolved_by": fix.pk}
    )
    assert response.status_code == 400
    assert "must be on the path your answers lead along" in response.content.decode()
    assert not Case.objects.exists()


def test_deleting_a_case_twice_takes_it_out_of_the_tallies_once(client, webhooks):
    run(client, [(1, "problem"), (3, "problem")], "escalated")
    case = Case.objects.get()
    stale = Case.objects.get()  # a second request that loaded it too
    case.delete()
    assert stale.delete() == (0, {})
    assert tallies.differences() == []


def test_a_changed_answer_takes_back_the_outcome_it_filled_in(client, webhooks):
    session = start(client)
    answer(client, session, 1, "problem")
    assert checked_outcome(answer(client, session, 3, "ok", **HTMX).content.decode()) == "resolved"
    html = answer(client, session, 1, "ok", **HTMX).content.decode()  # the path goes on at 2
    assert 'id="save-choices" hx-swap-oob="true"' in html
    assert checked_outcome(html) is None


def test_in_debug_mode_no_script_replaces_the_page_with_a_400_fragment(client, settings):
    settings.DEBUG = True  # django-htmx's debug script would show each 400 as the whole page
    session = start_session(make_symptom(checks=2))
    html = page(client, session)
    assert "htmx-2.min.js" in html
    assert "django-htmx.js" not in html
