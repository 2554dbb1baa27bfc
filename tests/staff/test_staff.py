"""Agents run diagnoses for customers; admins import and export the playbook."""

import pytest

from diagnostics.diagnosis.models import Case, DiagnosticSession
from diagnostics.staff.models import Role
from tests.factories import make_symptom, make_user, save_case, start_session

pytestmark = pytest.mark.django_db


def test_an_agent_starts_a_diagnosis_for_a_ticket(client, agent):
    symptom = make_symptom(key="webhooks-not-firing")
    html = client.get("/symptoms/webhooks-not-firing/").content.decode()
    assert 'name="ticket"' in html
    response = client.post("/symptoms/webhooks-not-firing/start/", {"ticket": "ZD-1234"})
    session = DiagnosticSession.objects.get()
    assert response["Location"] == f"/cases/{session.token}/"
    assert (session.started_by, session.ticket, session.symptom) == (agent, "ZD-1234", symptom)
    assert "Ticket <strong>ZD-1234</strong>" in client.get(response["Location"]).content.decode()


def test_customers_see_no_ticket_field(client):
    make_symptom(key="webhooks-not-firing")
    assert 'name="ticket"' not in client.get("/symptoms/webhooks-not-firing/").content.decode()


def test_an_over_long_ticket_reference_is_refused(client, agent):
    make_symptom(key="webhooks-not-firing")
    response = client.post("/symptoms/webhooks-not-firing/start/", {"ticket": "Z" * 101})
    assert response.status_code == 400
    assert "Keep the reference under 100 characters." in response.content.decode()
    assert not DiagnosticSession.objects.exists()


def test_agents_are_not_rate_limited(client, agent, settings):
    settings.DIAGNOSIS_STARTS_PER_HOUR = 1
    symptom = make_symptom()
    statuses = [client.post(f"/symptoms/{symptom.key}/start/").status_code for _ in range(3)]
    assert statuses == [302, 302, 302]


def test_the_case_shows_who_started_it_and_who_saved_it(client, agent):
    symptom = make_symptom()
    client.post(f"/symptoms/{symptom.key}/start/", {"ticket": "ZD-1"})
    session = DiagnosticSession.objects.get()
    lead = make_user(Role.LEAD, first_name="Lee", last_name="Lead")
    client.force_login(lead)
    client.post(f"/cases/{session.token}/save/", {"outcome": "escalated", "summary": "Sent on"})
    case = Case.objects.get()
    assert (case.ran_by, case.saved_by) == (agent, lead)
    html = client.get(f"/cases/{session.token}/").content.decode()
    assert "started by Alex Agent" in html
    assert "by Lee Lead" in html


def test_a_customer_save_records_no_one(client):
    session = start_session()
    client.post(f"/cases/{session.token}/save/", {"outcome": "not_resolved", "summary": "No"})
    assert Case.objects.values_list("saved_by", "ran_by").get() == (None, None)


def test_my_cases_lists_the_agents_cases_newest_first(client, agent):
    other = make_user(Role.AGENT)
    mine_old = save_case(start_session(started_by=agent, ticket="ZD-1"))
    save_case(start_session(started_by=other, ticket="ZD-2"))
    mine_new = save_case(start_session(started_by=agent, ticket="ZD-3"))
    saved_for_customer = start_session()
    Case.objects.create(session=saved_for_customer, outcome="escalated", saved_by=agent)
    in_progress = start_session(started_by=agent, ticket="ZD-9")
    html = client.get("/my-cases/").content.decode()
    assert "ZD-2" not in html
    assert html.index("ZD-3") < html.index("ZD-1")
    assert mine_new.session.token in html
    assert mine_old.session.token in html
    assert saved_for_customer.token in html
    assert in_progress.token in html  # listed under "In progress"


@pytest.mark.parametrize("cases", [10, 100])
def test_my_cases_query_count_stays_flat(client, agent, django_assert_num_queries, cases):
    symptom = make_symptom(checks=2)
    for i in range(cases):
        save_case(start_session(symptom, started_by=agent, ticket=f"ZD-{i}"))
    for _ in range(5):
        start_session(symptom, started_by=agent)
    # Every staff page: session, user, authenticator check, security settings, permissions
    # (user's and groups'). This page: case count, one page of cases, sessions in progress.
    with django_assert_num_queries(9):
        assert client.get("/my-cases/").status_code == 200


# -- The playbook in the browser ----------------------------------------------------------------


def test_an_agent_discards_an_abandoned_diagnosis_and_only_their_own(client, agent):
    mine = start_session(started_by=agent, ticket="ZD-1")
    saved = start_session(started_by=agent)
    save_case(saved)
    theirs = start_session(started_by=make_user(Role.AGENT))
    html = client.get("/my-cases/").content.decode()
    assert "0 of 3 checked" in html
    assert f'action="/cases/{mine.token}/discard/"' in html
    response = client.post(f"/cases/{mine.token}/discard/")
    assert response["Location"] == "/my-cases/"
    assert not DiagnosticSession.objects.filter(pk=mine.pk).exists()
    assert client.post(f"/cases/{theirs.token}/discard/").status_code == 404
    assert client.post(f"/cases/{saved.token}/discard/").status_code == 404
    assert DiagnosticSession.objects.count() == 2


def test_a_byline_without_a_ticket_starts_with_who_started_it(client, agent):
    session = start_session(started_by=agent)
    html = client.get(session.get_absolute_url()).content.decode()
    assert '<p class="byline">Started by Alex Agent</p>' in html
    session = start_session(started_by=agent, ticket="ZD-9")
    html = client.get(session.get_absolute_url()).content.decode()
    assert '<p class="byline">Ticket <strong>ZD-9</strong> · started by Alex Agent</p>' in html
