"""The schema's optional fields for what the editor adds: visibility, owner, review interval
and retired links. Version 1 files without them read as before; every field round-trips."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from diagnostics.content.models import Symptom
from diagnostics.content.playbook import export_playbook, import_playbook, read_playbook
from diagnostics.staff.models import Role
from tests.content.test_playbook_schema import errors, one_check
from tests.factories import PLAYBOOK, make_user

EVERY_FIELD = """\
playbook: 1
title: Every field
categories:
  - key: integrations
    title: Integration issues
    symptoms:
      - key: webhooks-silent
        title: Webhooks not firing
        summary: Nothing arrives.
        visibility: staff
        owner: olive
        review_every_days: 90
        checks:
          - key: webhook-url
            title: Verify the URL.
            help: Open **Settings**.
  - key: empty-for-now
    title: A category with no symptoms yet
retired:
  - key: webhooks-not-firing
    replaced_by: webhooks-silent
"""


def symptom_line(extra):
    return one_check(symptom=f"      - key: sym\n        title: Sym\n{extra}")


def test_a_version_1_file_without_the_new_fields_reads_as_before():
    playbook = read_playbook(PLAYBOOK.encode())
    _, symptom = playbook.symptom("webhooks-not-firing")
    assert (symptom.visibility, symptom.owner, symptom.review_every_days) == ("public", "", None)
    assert playbook.retired == []


def test_every_new_field_reads():
    playbook = read_playbook(EVERY_FIELD.encode())
    _, symptom = playbook.symptom("webhooks-silent")
    assert (symptom.visibility, symptom.owner, symptom.review_every_days) == ("staff", "olive", 90)
    assert [(r.key, r.replaced_by) for r in playbook.retired] == [
        ("webhooks-not-firing", "webhooks-silent")
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("        visibility: secret\n", "book.yaml:9: categories[0].symptoms[0].visibility: "
         "must be public or staff"),
        ("        review_every_days: 0\n", "book.yaml:9: categories[0].symptoms[0]."
         "review_every_days: must be a whole number of days from 1 to 3650"),
        ("        review_every_days: 99999999999999999999\n", "book.yaml:9: categories[0]."
         "symptoms[0].review_every_days: must be a whole number of days from 1 to 3650"),
        ("        review_every_days: ninety\n", "book.yaml:9: categories[0].symptoms[0]."
         "review_every_days: must be a whole number of days"),
        ("        owner: [a, b]\n", "book.yaml:9: categories[0].symptoms[0].owner: "
         "must be text, not a list"),
    ],
)  # fmt: skip
def test_a_bad_optional_field_names_its_line_and_field(extra, message):
    assert errors(symptom_line(extra)) == [message]


@pytest.mark.parametrize(
    ("retired", "message"),
    [
        ("  - key: sym\n", "book.yaml:13: retired[0].key: 'sym' is a symptom in this playbook "
         "(line 7): a symptom cannot be live and retired"),
        ("  - key: old\n    replaced_by: nowhere\n", "book.yaml:14: retired[0].replaced_by: "
         "'nowhere' is not a symptom in this playbook"),
        ("  - key: old\n  - key: old\n", "book.yaml:14: retired[1].key: "
         "'old' is already used in retired"),
        ("  - key: Old_Key\n", "book.yaml:13: retired[0].key: "
         "must be a slug: lowercase letters, digits and single hyphens"),
        ("  - key: old\n    note: hi\n", "book.yaml:14: retired[0].note: "
         "is not a known field (expected key, replaced_by)"),
    ],
)  # fmt: skip
def test_a_bad_retired_link_names_its_line_and_field(retired, message):
    assert errors(one_check() + "retired:\n" + retired) == [message]


@pytest.mark.django_db
def test_every_field_imports_exports_and_imports_again_to_no_change():
    olive = make_user(Role.EDITOR, username="olive")
    import_playbook(read_playbook(PLAYBOOK.encode()), source="first")
    result = import_playbook(read_playbook(EVERY_FIELD.encode()), source="every field")
    symptom = Symptom.objects.get(key="webhooks-silent")
    assert (symptom.visibility, symptom.owner, symptom.review_every_days) == ("staff", olive, 90)
    assert Symptom.objects.get(key="webhooks-not-firing").replaced_by == symptom
    exported = export_playbook()
    assert exported == result.revision.document
    assert read_playbook(exported.encode()) == read_playbook(EVERY_FIELD.encode())
    assert import_playbook(read_playbook(exported.encode()), source="again").revision is None


@pytest.mark.django_db
def test_the_import_command_refuses_an_owner_who_is_not_staff(tmp_path):
    path = tmp_path / "book.yaml"
    path.write_text(EVERY_FIELD)
    with pytest.raises(CommandError) as caught:
        call_command("import_playbook", str(path), stdout=StringIO())
    assert (
        f"{path}:11: categories[0].symptoms[0].owner: 'olive' is not the username of a staff member"
    ) in str(caught.value)
    assert not Symptom.objects.exists()
