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
