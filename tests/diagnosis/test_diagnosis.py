"""A customer runs a symptom's checks and saves the outcome as a case."""

import re
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from diagnostics.content.models import Check, PlaybookRevision
from diagnostics.diagnosis.models import CheckResult, DiagnosticSession
from diagnostics.staff.models import Role
from diagnostics.throttle import Throttle
from tests.factories import make_symptom, make_user, results, save_case, start_session, tick_url

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


# -- Starting ---------------------------------------------------------------------------------


def test_start_creates_a_pending_result_per_published_check_and_opens_the_case_link(client):
    symptom = make_symptom(checks=4, key="webhooks-not-firing")
    Check.objects.filter(symptom=symptom, key="check-4").update(published=False)
    response = client.post("/symptoms/webhooks-not-firing/start/")
    session = DiagnosticSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{session.token}/"
    assert [(r.position, r.key, r.status) for r in session.results.all()] == [
        (1, "check-1", "pending"),
        (2, "check-2", "pending"),
        (3, "check-3", "pending"),
    ]


def test_the_share_token_is_unguessable():
    first, second = start_session(), start_session()
    assert first.token != second.token
    # token_urlsafe(32): 43 characters of base64 carry 256 bits, over the 128 required.
    assert len(first.token) >= 43
    assert re.fullmatch(r"[A-Za-z0-9_-]+", first.token)


def test_a_session_records_the_playbook_revision_it_ran_on():
    revision = PlaybookRevision.objects.create(number=7, title="T", content_hash="x", source="t")
    assert start_session().revision == revision


def test_starting_needs_a_post(client):
    symptom = make_symptom()
    response = client.get(f"/symptoms/{symptom.key}/start/")
    assert response["Location"] == f"/symptoms/{symptom.key}/"  # back to the page, not a 405
    assert not DiagnosticSession.objects.exists()


def test_the_symptom_page_offers_to_start(client):
    symptom = make_symptom()
    html = client.get(f"/symptoms/{symptom.key}/").content.decode()
    assert f'action="/symptoms/{symptom.key}/start/"' in html
    assert "Start diagnosis" in html


def test_starts_are_limited_per_client_address(client, settings):
    settings.DIAGNOSIS_STARTS_PER_HOUR = 2
    symptom = make_symptom()
    url = f"/symptoms/{symptom.key}/start/"
    assert [client.post(url).status_code for _ in range(2)] == [302, 302]
    response = client.post(url)
    assert response.status_code == 429
    assert "Too many diagnoses started" in response.content.decode()
    assert DiagnosticSession.objects.count() == 2
    assert client.post(url, REMOTE_ADDR="10.0.0.9").status_code == 302


def test_the_limit_uses_the_address_the_trusted_proxy_saw(client, settings):
    settings.DIAGNOSIS_STARTS_PER_HOUR = 1
    settings.NUM_PROXIES = 1
    url = f"/symptoms/{make_symptom().key}/start/"
    assert client.post(url, headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 302
    # A client cannot dodge the limit by forging an earlier X-Forwarded-For entry.
    forged = {"X-Forwarded-For": "198.51.100.1, 203.0.113.5"}
    assert client.post(url, headers=forged).status_code == 429
    assert client.post(url, headers={"X-Forwarded-For": "203.0.113.6"}).status_code == 302


def test_starts_in_an_earlier_hour_do_not_count(client, settings):
    settings.DIAGNOSIS_STARTS_PER_HOUR = 1
    symptom = make_symptom()
    client.post(f"/symptoms/{symptom.key}/start/")
    Throttle.objects.update(window=F("window") - timedelta(hours=1))
    assert client.post(f"/symptoms/{symptom.key}/start/").status_code == 302


# -- Ticking ----------------------------------------------------------------------------------


def test_ticking_saves_the_result_and_redirects_back_to_the_row(client):
    session = start_session(make_symptom(checks=3))
    response = client.post(tick_url(session, 2), {"status": "problem", "note": "401 from API"})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{session.token}/#check-2"
    assert results(session) == [("pending", ""), ("problem", "401 from API"), ("pending", "")]


def test_a_reload_shows_exactly_what_was_saved(client):
    session = start_session(make_symptom(checks=2))
    client.post(tick_url(session, 1), {"status": "ok", "note": "Looks right"})
    html = client.get(f"/cases/{session.token}/").content.decode()
    assert re.search(r'id="check-1-ok"\s+checked', html)
    assert not re.search(r'id="check-2-\w+"\s+checked', html)
    assert ">Looks right</textarea>" in html
    assert "1 of 2 checked, 0 problems found" in html


def test_ticking_with_htmx_returns_just_the_row_and_the_progress(client):
    session = start_session(make_symptom(checks=3))
    client.post(tick_url(session, 1), {"status": "problem"})
    response = client.post(tick_url(session, 2), {"status": "ok"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="check-2"' in html
    assert 'id="check-1"' not in html
    assert re.search(r'id="progress"[^>]*hx-swap-oob="true"', html)
    assert "2 of 3 checked, 1 problem found" in html


def test_an_unknown_result_is_refused_with_a_message_and_changes_nothing(client):
    session = start_session(make_symptom(checks=2))
    response = client.post(tick_url(session, 1), {"status": "maybe"}, headers=HTMX)
    assert response.status_code == 400
    assert "Choose a result: passed, problem found or not applicable." in response.content.decode()
    response = client.post(tick_url(session, 1), {"status": "maybe"})
    assert response.status_code == 400
    assert "Choose a result" in response.content.decode()
    assert results(session) == [("pending", ""), ("pending", "")]


def test_a_note_typed_before_a_result_is_saved_and_the_check_stays_pending(client):
    session = start_session(make_symptom(checks=2))
    response = client.post(tick_url(session, 1), {"note": "Asked the customer"}, headers=HTMX)
    assert response.status_code == 200
    assert results(session)[0] == ("pending", "Asked the customer")


def test_a_note_saved_as_it_is_typed_gets_only_the_progress_lines_back(client):
    session = start_session(make_symptom(checks=2))
    data = {"status": "ok", "note": "Half a sent", "autosave": "1"}
    response = client.post(tick_url(session, 1), data, headers=HTMX)
    html = response.content.decode()
    assert 'id="progress"' in html
    assert 'id="check-1"' not in html  # the row being typed in is left alone
    assert results(session)[0] == ("ok", "Half a sent")


def test_an_over_long_note_is_refused_and_given_back_to_shorten(client):
    session = start_session(make_symptom(checks=1))
    note = "x" * 1001
    response = client.post(tick_url(session, 1), {"status": "ok", "note": note}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Keep the note under 1000 characters (it has 1001)." in html
    assert f">{note}</textarea>" in html
    assert results(session) == [("pending", "")]


def test_a_check_that_is_not_in_the_session_is_not_found(client):
    session, other = start_session(make_symptom(checks=2)), start_session(make_symptom(checks=5))
    assert client.post(tick_url(session, 5), {"status": "ok"}).status_code == 404
    assert client.post(f"/cases/{other.token}x/checks/1/", {"status": "ok"}).status_code == 404
    assert results(other)[4] == ("pending", "")


def test_ticking_a_saved_case_is_refused_and_changes_nothing(client):
    session = start_session(make_symptom(checks=2))
    save_case(session)
    response = client.post(tick_url(session, 1), {"status": "ok"}, headers=HTMX)
    assert response.status_code == 409
    assert "saved as a case, so its results can no longer change" in response.content.decode()
    response = client.post(tick_url(session, 1), {"status": "ok"})
    assert response.status_code == 409
    assert results(session) == [("pending", ""), ("pending", "")]


def test_ticks_from_two_stale_pages_on_different_checks_both_survive():
    session = start_session(make_symptom(checks=2))
    # Two people loaded the page before either ticked: each holds the old state of every row.
    first, second = list(CheckResult.objects.filter(session=session))
    first.record("ok", "first person")
    second.record("problem", "second person")
    assert results(session) == [("ok", "first person"), ("problem", "second person")]


def test_on_the_same_check_the_last_write_wins(client):
    session = start_session(make_symptom(checks=1))
    client.post(tick_url(session, 1), {"status": "ok", "note": "A"})
    client.post(tick_url(session, 1), {"status": "na", "note": "B"})
    assert results(session) == [("na", "B")]


# -- Housekeeping -----------------------------------------------------------------------------


def test_purge_deletes_only_sessions_never_saved_after_the_given_days():
    old = timezone.now() - timedelta(days=31)
    stale, saved, fresh = start_session(), start_session(), start_session()
    save_case(saved)
    DiagnosticSession.objects.filter(pk__in=[stale.pk, saved.pk]).update(started_at=old)
    out = StringIO()
    call_command("purge_stale_sessions", stdout=out)
    assert set(DiagnosticSession.objects.values_list("pk", flat=True)) == {saved.pk, fresh.pk}
    assert out.getvalue() == "Deleted 1 session never saved in 30 days.\n"
    call_command("purge_stale_sessions", "--days", "0", stdout=out)
    assert list(DiagnosticSession.objects.values_list("pk", flat=True)) == [saved.pk]


def test_purge_forgets_the_rate_limit_counters_of_past_hours(client):
    symptom = make_symptom()
    client.post(f"/symptoms/{symptom.key}/start/")
    client.post(f"/symptoms/{symptom.key}/start/", REMOTE_ADDR="10.0.0.9")
    Throttle.objects.filter(pk=Throttle.objects.first().pk).update(
        window=F("window") - timedelta(hours=2)
    )
    call_command("purge_stale_sessions", stdout=StringIO())
    assert Throttle.objects.count() == 1


# -- Bounded queries --------------------------------------------------------------------------


@pytest.mark.parametrize("checks", [5, 50])
def test_symptom_session_and_case_pages_run_the_same_queries_at_any_size(
    client, django_assert_num_queries, checks
):
    symptom = make_symptom(checks=checks)
    session = start_session(symptom)
    with django_assert_num_queries(3):  # the published state, the symptom, its checks
        client.get(f"/symptoms/{symptom.key}/")
    with django_assert_num_queries(2):  # the session with its case, its results
        client.get(f"/cases/{session.token}/")
    save_case(session, outcome="resolved", resolved_by=session.results.last())
    with django_assert_num_queries(2):
        client.get(f"/cases/{session.token}/")


@pytest.mark.parametrize("checks", [5, 50])
def test_a_tick_runs_the_same_queries_at_any_size(client, django_assert_num_queries, checks):
    session = start_session(make_symptom(checks=checks))
    # The result with its session, the session's lock, its results (is this check on the
    # path? then the progress line), the update unless the session is saved.
    with django_assert_num_queries(4):
        client.post(tick_url(session, 3), {"status": "ok"}, headers=HTMX)
    with django_assert_num_queries(4):
        client.post(tick_url(session, 3), {"status": "ok"})


def test_the_tick_url_is_reversible():
    assert reverse("diagnostics:tick", args=["abc", 3]) == "/cases/abc/checks/3/"


@pytest.mark.parametrize(
    ("path", "to"),
    [("checks/2/", "#check-2"), ("save/", ""), ("comments/", "#comments"), ("review/", "#review")],
)
def test_a_get_on_a_post_only_address_goes_back_to_the_case(client, path, to):
    session = start_session()
    response = client.get(f"/cases/{session.token}/{path}")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/cases/{session.token}/")
    assert response["Location"].endswith(to)
    assert client.put(f"/cases/{session.token}/{path}").status_code == 405


def test_too_many_starts_offers_the_diagnoses_this_browser_started(client, settings):
    settings.DIAGNOSIS_STARTS_PER_HOUR = 1
    symptom = make_symptom(title="Webhooks not firing")
    first = client.post(f"/symptoms/{symptom.key}/start/")["Location"]
    response = client.post(f"/symptoms/{symptom.key}/start/")
    html = response.content.decode()
    assert response.status_code == 429
    assert f'<a href="{first}">Webhooks not firing</a>' in html
    # And the symptom page offers to continue it: the page is shared, so it asks apart.
    html = client.get(f"/symptoms/{symptom.key}/").content.decode()
    assert f'hx-get="/symptoms/{symptom.key}/started/" hx-trigger="load"' in html
    notice = client.get(f"/symptoms/{symptom.key}/started/")
    assert f'href="{first}">Continue the diagnosis you started at' in notice.content.decode()
    assert notice["Cache-Control"] == "private, no-store"
    other = Client().get(f"/symptoms/{symptom.key}/started/").content.decode()
    assert "Continue" not in other


@pytest.mark.parametrize("ticket", ["ZD-1\x01", "ZD-1\u202eevil", "ZD-1\nZD-2"])
def test_a_ticket_reference_is_one_line_of_plain_text(client, ticket):
    client.force_login(make_user(Role.AGENT))
    symptom = make_symptom()
    response = client.post(f"/symptoms/{symptom.key}/start/", {"ticket": ticket})
    assert response.status_code == 400
    assert not DiagnosticSession.objects.exists()


def test_a_note_with_a_control_character_is_refused(client):
    session = start_session()
    response = client.post(tick_url(session, 1), {"status": "ok", "note": "a\x1bb"}, headers=HTMX)
    assert response.status_code == 400
    assert "Remove the invisible control character (U+001B)" in response.content.decode()
    assert results(session)[0] == ("pending", "")


def test_a_tick_on_a_case_saved_elsewhere_says_so_for_the_whole_page(client):
    session = start_session()
    save_case(session)
    response = client.post(tick_url(session, 1), {"status": "ok"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert 'id="save-case" class="save-case notice" hx-swap-oob="true"' in html
    assert f'<a href="/cases/{session.token}/">Open the case record</a>' in html


@pytest.mark.parametrize("htmx", [False, True])
def test_a_tick_racing_a_discard_is_answered_404_not_an_error(client, htmx):
    session = start_session(make_symptom(checks=3))
    locks = DiagnosticSession.objects.lock

    def discarded_first(pk):  # the agent's discard commits just before the tick's lock
        DiagnosticSession.objects.filter(pk=pk).delete()
        return locks(pk)

    with mock.patch.object(DiagnosticSession.objects, "lock", side_effect=discarded_first):
        response = client.post(tick_url(session, 2), {"status": "ok"}, headers=HTMX if htmx else {})
    assert response.status_code == 404
    assert "This diagnosis was discarded" in response.content.decode()
    assert not DiagnosticSession.objects.filter(pk=session.pk).exists()
