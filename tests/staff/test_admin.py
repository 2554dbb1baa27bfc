"""Admins edit the content in the Django admin."""

from io import StringIO

import pytest
from django.core.management import call_command

from diagnostics.content.models import Check
from tests.factories import make_symptom

pytestmark = pytest.mark.django_db


def test_the_admin_shows_content_read_only_and_points_to_the_editor(admin_client):
    symptom = make_symptom(checks=0)
    for position, key in [(2, "second"), (1, "first")]:
        Check.objects.create(symptom=symptom, key=key, title=key.title(), position=position)
    url = f"/admin/diagnostics/symptom/{symptom.pk}/change/"
    html = admin_client.get(url).content.decode()
    assert html.index("First") < html.index("Second")  # checks in order, under their symptom
    assert 'name="key"' not in html  # nothing to type into
    assert 'change content in the <a href="/playbook/">playbook editor</a>' in html
    response = admin_client.post(url, {"key": "changed", "title": "Changed"})
    assert response.status_code == 403
    symptom.refresh_from_db()
    assert symptom.key != "changed"
    assert admin_client.get("/admin/diagnostics/symptom/add/").status_code == 403
    assert admin_client.get("/admin/diagnostics/category/add/").status_code == 403


def test_no_model_change_is_missing_a_migration():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_the_admin_index_names_every_app_in_words(admin_client):
    html = admin_client.get("/admin/").content.decode()
    for name in ("Sign-in lockouts", "Backup codes", "Authenticator apps"):
        assert name in html
    for code in ("AXES", "OTP_STATIC", "OTP_TOTP", "Otp_Static"):
        assert code not in html


def test_security_settings_open_straight_on_the_one_row_and_say_what_was_saved(admin_client):
    response = admin_client.get("/admin/diagnostics/securitysettings/")
    assert response["Location"] == "/admin/diagnostics/securitysettings/1/change/"
    response = admin_client.post(
        "/admin/diagnostics/securitysettings/1/change/",
        {"require_second_factor": "on"},
        follow=True,
    )
    assert "Saved: a second factor for staff is on." in response.content.decode()


def test_imported_checks_count_from_one_as_on_the_portal(admin_client):
    call_command("import_playbook", "fixtures/playbook.yaml", stdout=StringIO())
    symptom = Check.objects.order_by("symptom_id", "position").first().symptom
    assert list(symptom.checks.values_list("position", flat=True)) == list(
        range(1, symptom.checks.count() + 1)
    )
