"""Agents run diagnoses for customers; admins import and export the playbook."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from diagnostics.content.models import PlaybookRevision, Symptom
from diagnostics.content.playbook import export_playbook
from diagnostics.diagnosis.models import Case, DiagnosticSession
from diagnostics.staff.models import Role
from tests.factories import PLAYBOOK, make_symptom, make_user, save_case, start_session

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


def upload(client, text, name="book.yaml"):
    file = SimpleUploadedFile(name, text.encode(), content_type="application/yaml")
    return client.post("/playbook/", {"file": file}, follow=True)


def test_an_admin_imports_a_playbook_upload(client, admin):
    response = upload(client, PLAYBOOK)
    html = response.content.decode()
    assert "book.yaml: revision 1: symptoms 2 added" in html
    revision = PlaybookRevision.objects.get()
    assert (revision.imported_by, revision.source) == (
        admin,
        f"upload book.yaml by {admin.username}",
    )
    assert Symptom.objects.count() == 2


def test_an_upload_with_errors_shows_the_same_lines_as_the_command_and_imports_nothing(
    client, admin
):
    broken = PLAYBOOK.replace("key: trigger-event", "key: Trigger_Event")
    response = client.post(
        "/playbook/", {"file": SimpleUploadedFile("broken.yaml", broken.encode())}
    )
    assert response.status_code == 400
    assert (
        "broken.yaml:14: categories[0].symptoms[0].checks[1].key: "
        "must be a slug: lowercase letters, digits and single hyphens"
    ) in response.content.decode()
    assert not Symptom.objects.exists()


def test_an_admin_exports_the_playbook(client, admin):
    upload(client, PLAYBOOK)
    response = client.get("/playbook/export/")
    assert response["Content-Disposition"] == 'attachment; filename="playbook.yaml"'
    assert response.content.decode() == export_playbook()


@pytest.mark.parametrize("checks", [5, 50])
def test_playbook_page_query_count_stays_flat(client, admin, django_assert_num_queries, checks):
    for _ in range(12):
        PlaybookRevision.objects.create(
            number=PlaybookRevision.objects.count() + 1, title="T", content_hash="x", source="s"
        )
    make_symptom(checks=checks)
    # The six of every staff page (see above), then the last ten revisions.
    with django_assert_num_queries(7):
        assert client.get("/playbook/").status_code == 200


def test_an_upload_with_a_control_character_names_its_line_and_imports_nothing(client, admin):
    text = PLAYBOOK.replace("Trigger matching event.", "Trigger \x1b matching event.")
    response = upload(client, text)
    html = response.content.decode()
    assert response.status_code == 400
    assert "book.yaml:15: file: contains the control character U+001B" in html
    assert not Symptom.objects.exists()


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


def test_an_editor_imports_a_playbook_but_opens_no_people_or_security(client):
    editor = make_user(Role.EDITOR, username="eddie")
    client.force_login(editor)
    response = upload(client, PLAYBOOK)
    assert "revision 1" in response.content.decode()
    assert PlaybookRevision.objects.get().imported_by == editor
    assert client.get("/admin/auth/user/", follow=True).status_code == 403
    assert client.get("/review/").status_code == 403
