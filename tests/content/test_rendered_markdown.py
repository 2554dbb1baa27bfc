"""Markdown is rendered and sanitised once, when it is published, and stored beside its text:
no page renders Markdown per request, and a running diagnosis keeps the help it started with."""

from unittest import mock

import pytest

from diagnostics.content.models import Check, Symptom
from diagnostics.content.playbook import import_playbook, read_playbook
from diagnostics.diagnosis.models import CheckResult, DiagnosticSession
from tests.factories import PLAYBOOK

pytestmark = pytest.mark.django_db


def publish(text=PLAYBOOK):
    import_playbook(read_playbook(text.encode()), source="test")


def test_publishing_stores_the_sanitised_html():
    publish(
        PLAYBOOK.replace("help: Open **Settings**.", "help: Open **Settings**. <script>x</script>")
    )
    check = Check.objects.get(key="webhook-url")
    assert check.help_html == "<p>Open <strong>Settings</strong>. </p>"
    symptom = Symptom.objects.get(key="webhooks-not-firing")
    assert symptom.summary_html == "<p>Nothing reaches the <em>receiver</em>.</p>"


def test_a_changed_help_is_rendered_again_on_publish():
    publish()
    publish(PLAYBOOK.replace("help: Open **Settings**.", "help: Open *Admin*."))
    assert Check.objects.get(key="webhook-url").help_html == "<p>Open <em>Admin</em>.</p>"


def test_pages_print_the_stored_html_without_rendering_markdown(client):
    publish()
    session = DiagnosticSession.start(Symptom.objects.get(key="webhooks-not-firing"))
    with mock.patch("diagnostics.content.markdown.markdown_lib.markdown") as render:
        symptom_page = client.get("/symptoms/webhooks-not-firing/").content.decode()
        session_page = client.get(session.get_absolute_url()).content.decode()
    render.assert_not_called()
    for html in (symptom_page, session_page):
        assert "Open <strong>Settings</strong>." in html
    assert "Nothing reaches the <em>receiver</em>." in symptom_page


def test_a_running_diagnosis_keeps_the_help_it_started_with(client):
    publish()
    session = DiagnosticSession.start(Symptom.objects.get(key="webhooks-not-firing"))
    publish(PLAYBOOK.replace("help: Open **Settings**.", "help: Open *Admin*."))
    html = client.get(session.get_absolute_url()).content.decode()
    assert "Open <strong>Settings</strong>." in html
    assert "Admin" not in html


def test_help_stored_before_the_field_existed_is_rendered_by_the_migration():
    from importlib import import_module

    from django.apps import apps

    publish()
    session = DiagnosticSession.start(Symptom.objects.get(key="webhooks-not-firing"))
    Check.objects.update(help_html="")
    CheckResult.objects.update(help_html="")
    Symptom.objects.update(summary_html="")
    migration = import_module("diagnostics.migrations.0026_rendered_markdown")
    migration.render_stored_text(apps, None)
    result = session.results.get(key="webhook-url")
    assert result.help_html == Check.objects.get(key="webhook-url").help_html
    assert result.help_html == "<p>Open <strong>Settings</strong>.</p>"
    assert Symptom.objects.get(key="webhooks-not-firing").summary_html.startswith("<p>Nothing")
