"""Admins edit the content in the Django admin."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from diagnostics.content.models import Check
from tests.factories import make_symptom

pytestmark = pytest.mark.django_db


def test_checks_are_edited_inline_under_their_symptom_in_order(admin_client):
    symptom = make_symptom(checks=0)
    for position, key in [(2, "second"), (1, "first")]:
        Check.objects.create(symptom=symptom, key=key, title=key.title(), position=position)
    html = admin_client.get(f"/admin/diagnostics/symptom/{symptom.pk}/change/").content.decode()
    keys = re.findall(r'name="checks-\d+-key"[^>]*value="([^"]+)"', html)
    assert keys == ["first", "second"]


def test_the_admin_refuses_a_key_that_is_not_a_slug(admin_client):
    symptom = make_symptom(checks=1)
    response = admin_client.post(
        f"/admin/diagnostics/symptom/{symptom.pk}/change/",
        {
            "category": symptom.category_id,
            "key": "Not A Slug",
            "title": symptom.title,
            "position": 0,
            "published": "on",
            "checks-TOTAL_FORMS": 0,
            "checks-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "Use lowercase letters, digits and single hyphens" in response.content.decode()
    symptom.refresh_from_db()
    assert symptom.key != "Not A Slug"


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


def test_the_symptom_form_says_its_public_address_in_words(admin_client):
    html = admin_client.get("/admin/diagnostics/symptom/add/").content.decode()
    assert "Its public address is /symptoms/ followed by this key" in html
    assert "/symptoms//" not in html


def test_imported_checks_count_from_one_as_on_the_portal(admin_client):
    call_command("import_playbook", "fixtures/playbook.yaml", stdout=StringIO())
    symptom = Check.objects.order_by("symptom_id", "position").first().symptom
    assert list(symptom.checks.values_list("position", flat=True)) == list(
        range(1, symptom.checks.count() + 1)
    )
