"""Saving a diagnosis as a case: a record that cannot contradict its answers."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from diagnostics.content.models import Check
from diagnostics.diagnosis.forms import SaveCaseForm
from diagnostics.diagnosis.models import Case, DiagnosticSession
from tests.factories import main_content, make_symptom, save_case, start_session, tick_url

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


# -- Saving -----------------------------------------------------------------------------------


def save_url(session):
    return f"/cases/{session.token}/save/"


def test_saving_as_resolved_needs_the_check_that_fixed_it(client):
    session = start_session(make_symptom(checks=2))
    response = client.post(save_url(session), {"outcome": "resolved"})
    assert response.status_code == 400
    assert "Say which check fixed it." in response.content.decode()
    assert not Case.objects.exists()


def test_the_resolving_check_must_belong_to_this_session(client):
    session, other = start_session(), start_session()
    foreign = other.results.first()
    response = client.post(save_url(session), {"outcome": "resolved", "resolved_by": foreign.pk})
    assert response.status_code == 400
    assert "Choose one of this diagnosis’s checks." in response.content.decode()
    assert not Case.objects.exists()


def test_a_case_cannot_be_resolved_by_a_check_still_pending(client):
    session = start_session(make_symptom(checks=2))
    pending = session.results.get(position=2)
    data = {"outcome": "resolved", "resolved_by": pending.pk, "summary": "Fixed"}
    response = client.post(save_url(session), data)
    assert response.status_code == 400
    assert "must be one marked “Problem found”" in response.content.decode()
    assert not Case.objects.exists()


def test_a_case_cannot_be_resolved_by_a_check_marked_not_applicable(client):
    session = start_session(make_symptom(checks=2))
    client.post(tick_url(session, 1), {"status": "na"})
    skipped = session.results.get(position=1)
    response = client.post(save_url(session), {"outcome": "resolved", "resolved_by": skipped.pk})
    assert response.status_code == 400
    assert "must be one marked “Problem found”" in response.content.decode()
    assert not Case.objects.exists()


def test_a_case_with_no_answered_check_needs_a_summary(client):
    session = start_session(make_symptom(checks=2))
    response = client.post(save_url(session), {"outcome": "escalated"})
    assert response.status_code == 400
    assert "No check has an answer yet: say in the summary what happened." in (
        response.content.decode()
    )
    assert not Case.objects.exists()
    response = client.post(save_url(session), {"outcome": "escalated", "summary": "Phoned in."})
    assert response.status_code == 302


def test_the_save_form_names_the_checks_still_unanswered(client):
    session = start_session(make_symptom(checks=3))
    client.post(tick_url(session, 2), {"status": "ok"})
    html = client.get(f"/cases/{session.token}/").content.decode()
    unanswered = html[
        html.index('id="unanswered"') : html.index("</div>", html.index('id="unanswered"'))
    ]
    titles = re.findall(r'<a href="#check-(\d)">', unanswered)
    assert titles == ["1", "3"]
    # Each tick brings the list up to date on the page, out of band.
    response = client.post(tick_url(session, 1), {"status": "ok"}, headers=HTMX)
    fragment = response.content.decode()
    assert 'id="unanswered" class="unanswered" aria-live="polite" hx-swap-oob="true"' in fragment
    assert re.findall(r'<a href="#check-(\d)">', fragment) == ["3"]


def test_a_tick_that_changes_the_resolving_check_before_the_save_lands_is_seen(client):
    """The form read "problem found"; a tick from another tab changed it before the insert:
    the save, holding the session's lock, sees the change and refuses."""
    session = start_session(make_symptom(checks=2))
    fixer = session.results.get(position=1)
    fixer.record("problem")
    form = SaveCaseForm(
        {"outcome": "resolved", "resolved_by": fixer.pk},
        session=DiagnosticSession.objects.for_page().get(pk=session.pk),
    )
    assert form.is_valid()
    fixer.record("ok")  # the other tab
    with pytest.raises(ValidationError), transaction.atomic():
        form.save()
    assert not Case.objects.exists()


def test_an_unknown_outcome_and_an_over_long_summary_are_refused(client):
    session = start_session()
    response = client.post(save_url(session), {"outcome": "fixed", "summary": "s" * 2001})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Select a valid choice" in html
    assert "Keep the summary under 2000 characters (it has 2001)." in html
    assert not Case.objects.exists()


def test_saving_makes_a_read_only_case_with_the_outcome_and_every_result(client):
    session = start_session(make_symptom(checks=3))
    client.post(tick_url(session, 1), {"status": "problem", "note": "Wrong URL"})
    client.post(tick_url(session, 2), {"status": "ok"})
    fixer = session.results.get(position=1)
    response = client.post(
        save_url(session),
        {"outcome": "resolved", "resolved_by": fixer.pk, "summary": "Fixed the URL."},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{session.token}/"
    case = Case.objects.get()
    assert (case.outcome, case.resolved_by, case.summary) == ("resolved", fixer, "Fixed the URL.")

    html = client.get(f"/cases/{session.token}/").content.decode()
    assert f"Resolved</strong>\n  by check 1: {fixer.title}" in html
    assert "Fixed the URL." in html
    assert "Wrong URL" in html
    assert "Problem found" in html
    assert 'name="status"' not in html  # nothing left to tick


def test_an_outcome_other_than_resolved_names_no_check(client):
    session = start_session()
    first = session.results.first()
    client.post(
        save_url(session), {"outcome": "escalated", "resolved_by": first.pk, "summary": "On"}
    )
    assert Case.objects.get().resolved_by is None


def test_a_second_save_gets_a_clear_message_and_changes_nothing(client):
    session = start_session()
    client.post(save_url(session), {"outcome": "escalated", "summary": "First tab"})
    response = client.post(save_url(session), {"outcome": "not_resolved", "summary": "Second"})
    assert response.status_code == 409
    assert "already saved, perhaps from another tab" in response.content.decode()
    assert list(Case.objects.values_list("outcome", "summary")) == [("escalated", "First tab")]


def test_the_case_page_shows_its_share_link_and_when_it_was_saved(client):
    session = start_session()
    case = save_case(session, outcome="escalated")
    html = client.get(f"/cases/{session.token}/").content.decode()
    assert f'readonly value="http://testserver/cases/{session.token}/"' in html
    assert 'id="copy-link"' in html
    assert case.saved_at.strftime("%Y") in html


def test_a_playbook_edit_after_saving_leaves_the_case_page_unchanged(client):
    symptom = make_symptom(checks=2, title="Webhooks not firing")
    session = start_session(symptom)
    save_case(session, outcome="resolved", resolved_by=session.results.first())
    before = main_content(client.get(f"/cases/{session.token}/"))
    symptom.title = "Renamed symptom"
    symptom.save()
    Check.objects.filter(symptom=symptom).update(title="Renamed check", published=False)
    after = main_content(client.get(f"/cases/{session.token}/"))
    assert after == before
    assert "Webhooks not firing" in after
    assert "Renamed" not in after


def test_share_link_pages_keep_out_of_search_engines_and_referrers(client):
    session = start_session()
    live = client.get(f"/cases/{session.token}/")
    save_case(session)
    saved = client.get(f"/cases/{session.token}/")
    for response in (live, saved):
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "same-origin"
        assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_an_unknown_token_is_a_plain_404(client):
    start_session()
    assert client.get("/cases/not-a-real-token/").status_code == 404


def test_no_page_lists_cases(client):
    session = start_session()
    save_case(session)
    for url in ["/", "/cases/", f"/symptoms/{session.symptom.key}/"]:
        assert session.token not in client.get(url).content.decode()


def test_the_session_page_loads_htmx_from_our_own_static_files(client):
    session = start_session()
    response = client.get(f"/cases/{session.token}/")
    html = response.content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2[^"]*" defer>', html)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "style=" not in html
