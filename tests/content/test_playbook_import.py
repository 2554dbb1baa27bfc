"""Importing and exporting the playbook: all or nothing, by key, and round-tripping."""

import shlex

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from diagnostics.content.models import Category, Check, PlaybookRevision, Symptom
from diagnostics.content.playbook import export_playbook, import_playbook, read_playbook
from tests.factories import PLAYBOOK, ROOT

SHIPPED = ROOT / "fixtures" / "playbook.yaml"

pytestmark = pytest.mark.django_db


def load(text, source="test"):
    return import_playbook(read_playbook(text.encode(), name="test.yaml"), source=source)


def content():
    """Everything an import can touch, as comparable rows."""
    return (
        list(Category.objects.values_list("key", "title", "position")),
        list(Symptom.objects.values_list("key", "title", "summary", "position", "published")),
        list(Check.objects.values_list("symptom__key", "key", "title", "help", "published")),
    )


def test_importing_creates_symptoms_and_checks_in_order():
    load(PLAYBOOK)
    symptom = Symptom.objects.get(key="webhooks-not-firing")
    assert symptom.category.title == "Integration issues"
    assert symptom.summary == "Nothing reaches the *receiver*."
    assert [c.key for c in symptom.checks.all()] == ["webhook-url", "trigger-event"]
    assert symptom.checks.first().help == "Open **Settings**."


def test_an_import_records_a_revision_with_its_counts():
    result = load(PLAYBOOK, source="manage.py import_playbook test.yaml")
    revision = PlaybookRevision.objects.get()
    assert result.revision == revision
    assert (revision.number, revision.title, revision.source) == (
        1,
        "Test playbook",
        "manage.py import_playbook test.yaml",
    )
    assert (revision.symptoms_added, revision.checks_added) == (2, 3)
    assert len(revision.content_hash) == 64
    assert result.summary == (
        "revision 1: symptoms 2 added, 0 changed, 0 retired; checks 3 added, 0 changed, 0 retired"
    )


def test_importing_the_same_playbook_twice_changes_nothing():
    load(PLAYBOOK)
    before = content()
    result = load(PLAYBOOK)
    assert not result.changed
    assert result.summary == "no changes (matches revision 1)"
    assert content() == before
    assert PlaybookRevision.objects.count() == 1


def test_an_edited_title_updates_the_check_in_place():
    load(PLAYBOOK)
    check = Check.objects.get(key="trigger-event")
    result = load(PLAYBOOK.replace("Trigger matching event.", "Trigger a matching event."))
    check.refresh_from_db()
    assert check.title == "Trigger a matching event."
    assert (result.revision.number, result.revision.checks_changed) == (2, 1)
    assert result.revision.symptoms_changed == 0


def test_a_symptom_left_out_is_retired_not_deleted():
    load(PLAYBOOK)
    without = PLAYBOOK.split("  - key: permissions")[0]
    result = load(without)
    symptom = Symptom.objects.get(key="agent-cannot-access-page")
    assert symptom.published is False
    assert symptom.checks.get().published is False
    assert (result.revision.symptoms_retired, result.revision.checks_retired) == (1, 1)


def test_a_check_left_out_is_retired_and_comes_back_when_restored():
    load(PLAYBOOK)
    without = PLAYBOOK.replace(
        "          - key: trigger-event\n            title: Trigger matching event.\n", ""
    )
    load(without)
    assert Check.objects.get(key="trigger-event").published is False
    result = load(PLAYBOOK)
    assert Check.objects.get(key="trigger-event").published is True
    # Published again: to the public pages it is a check added back, the same row as before.
    assert result.revision.checks_added == 1
    assert Check.objects.filter(key="trigger-event").count() == 1


def test_an_error_in_the_last_symptom_imports_nothing(tmp_path):
    load(PLAYBOOK)
    before = content()
    edited = PLAYBOOK.replace("Webhooks not firing", "Webhooks never fire") + (
        "  - key: storage\n    title: Storage\n    symptoms:\n"
        "      - key: high-load\n        title: High load\n        checks: []\n"
    )
    path = tmp_path / "broken.yaml"
    path.write_text(edited)
    with pytest.raises(CommandError) as error:
        call_command("import_playbook", str(path))
    assert str(error.value) == (
        f"{path}:29: categories[2].symptoms[0].checks: must list at least one check"
    )
    assert content() == before
    assert PlaybookRevision.objects.count() == 1


def test_a_database_error_midway_rolls_back_the_whole_import(monkeypatch):
    load(PLAYBOOK)
    before = content()
    original = Check.save

    def fail_on_second_symptom(self, *args, **kwargs):
        if self.key == "role-mapping":
            raise RuntimeError("disk full")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Check, "save", fail_on_second_symptom)
    with pytest.raises(RuntimeError):
        load(PLAYBOOK.replace("Confirm role", "Check role").replace("Trigger", "Fire"))
    assert content() == before


def test_the_shipped_playbook_has_every_symptom_of_the_guide():
    load(SHIPPED.read_text())
    assert Category.objects.count() == 7
    assert Symptom.objects.count() == 8
    assert Check.objects.count() == 34
    webhooks = Symptom.objects.get(key="webhooks-not-firing")
    assert webhooks.checks.last().title == (
        "Confirm webhook is created under Settings → Developer → Webhooks in the correct account."
    )


def test_the_shipped_playbook_round_trips_identically():
    load(SHIPPED.read_text())
    first = export_playbook()
    result = load(first)
    assert not result.changed
    second = export_playbook()
    assert second == first
    assert read_playbook(first.encode()) == read_playbook(SHIPPED.read_bytes())


def test_multiline_markdown_round_trips_as_a_literal_block():
    text = PLAYBOOK.replace(
        "        summary: Nothing reaches the *receiver*.\n",
        "        summary: |\n          First line.\n\n          - a list item\n",
    )
    load(text)
    exported = export_playbook()
    assert "summary: |-\n          First line.\n\n          - a list item\n" in exported
    load(exported)
    assert Symptom.objects.get(key="webhooks-not-firing").summary == "First line.\n\n- a list item"


def test_export_leaves_out_retired_symptoms():
    load(PLAYBOOK)
    load(PLAYBOOK.split("  - key: permissions")[0])
    exported = export_playbook()
    assert "agent-cannot-access-page" not in exported
    assert "permissions" not in exported


def test_the_import_command_reports_the_revision(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text(PLAYBOOK)
    call_command("import_playbook", str(path), stdout=(out := _Output()))
    assert out.text == (
        f"{path}: revision 1: symptoms 2 added, 0 changed, 0 retired; "
        "checks 3 added, 0 changed, 0 retired\n"
    )
    call_command("import_playbook", str(path), stdout=(out := _Output()))
    assert out.text == f"{path}: no changes (matches revision 1)\n"


def make_run_import():
    """The playbook import `make run` runs, as its Makefile line says."""
    line = next(
        line for line in (ROOT / "Makefile").read_text().splitlines() if "import_playbook" in line
    )
    args = shlex.split(line.split("manage.py", 1)[1])
    call_command(*args, stdout=(out := _Output()))
    return out.text


def test_make_run_loads_the_shipped_playbook_into_an_empty_portal():
    assert make_run_import().startswith("fixtures/playbook.yaml: revision 1: symptoms 8 added")
    assert Symptom.objects.published().count() == 8


def test_make_run_keeps_the_playbook_an_admin_changed():
    make_run_import()
    load(PLAYBOOK, source="upload by an admin")  # retires the shipped symptoms, adds two
    before = export_playbook()
    assert make_run_import() == (
        "Kept the current playbook (revision 2); fixtures/playbook.yaml was not imported.\n"
    )
    assert export_playbook() == before
    assert PlaybookRevision.objects.count() == 2


def test_the_import_command_fails_on_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"missing\.yaml:0: file: No such file or directory"):
        call_command("import_playbook", str(tmp_path / "missing.yaml"))


def test_the_export_command_writes_to_stdout_or_a_file(tmp_path):
    load(PLAYBOOK)
    call_command("export_playbook", stdout=(out := _Output()))
    assert out.text == export_playbook()
    path = tmp_path / "out.yaml"
    call_command("export_playbook", str(path), stderr=_Output())
    assert path.read_text() == export_playbook()


class _Output:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass
