"""The audit log: who changed what, from the portal, the commands and the admin; never
editable."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diagnostics.content.playbook import import_playbook, read_playbook
from diagnostics.staff.models import AuditEntry, Role
from tests.factories import PLAYBOOK, make_user

pytestmark = pytest.mark.django_db


def test_a_role_given_in_the_admin_is_logged_with_who_gave_it(admin_client):
    person = make_user(username="newcomer")
    group = Group.objects.get(name=Role.LEAD)
    response = admin_client.post(
        f"/admin/auth/user/{person.pk}/change/",
        {"username": "newcomer", "groups": [group.pk], "is_active": "on",
         "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
         "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "00:00:00"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(target="newcomer")
    assert entry.action == "user changed in the admin"
    assert "Groups" in entry.details["change"]
    assert entry.actor is not None


def test_publishing_the_playbook_is_logged():
    user = make_user(Role.EDITOR, username="eddie")
    import_playbook(read_playbook(PLAYBOOK.encode()), source="t", user=user, message="First")
    entry = AuditEntry.objects.get(action="playbook published")
    assert (entry.actor, entry.target, entry.details["message"]) == (user, "revision 1", "First")


def test_retention_and_masking_changes_are_logged(client, admin):
    client.post(
        "/settings/privacy/retention/",
        {"free_text_days": "90", "case_days": "", "session_days": "30", "delivery_days": "30"},
    )
    entry = AuditEntry.objects.get(action="retention changed")
    assert entry.details == {"free_text_days": [None, 90]}
    client.post(
        "/settings/privacy/rules/", {"name": "Orders", "pattern": r"ORD-\d+", "marker": "[o]"}
    )
    assert AuditEntry.objects.filter(action="masking rule added", target="Orders").exists()


def test_nobody_edits_or_deletes_an_entry_in_the_admin(admin_client):
    entry = AuditEntry.objects.create(actor_name="x", action="a", target="t")
    assert admin_client.get(f"/admin/diagnostics/auditentry/{entry.pk}/delete/").status_code == 403
    response = admin_client.post(f"/admin/diagnostics/auditentry/{entry.pk}/change/", {})
    assert response.status_code == 403


def test_the_audit_and_privacy_pages_run_the_same_queries_however_much_is_logged(client, admin):
    def queries_with(entries):
        AuditEntry.objects.all().delete()
        AuditEntry.objects.bulk_create(
            AuditEntry(actor=admin, actor_name="Ada", action="thing done", target=str(n))
            for n in range(entries)
        )
        counts = []
        for url in ["/settings/audit/", "/settings/privacy/"]:
            client.get(url)  # the first showing creates the retention settings' row
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    few, many = queries_with(5), queries_with(120)
    assert few == many
    assert few[0] <= 9
    assert few[1] <= 11
