"""Playbook schema 2: rules on a check's answers (goto, outcome, symptom), validated with
their file, line and field, stored with the checks, and exported only when some exist."""

import re

import pytest

from diagnostics.content.changes import compare
from diagnostics.content.models import Check, PlaybookRevision
from diagnostics.content.playbook import (
    current_playbook,
    dump_playbook,
    export_playbook,
    import_playbook,
)
from diagnostics.content.playbook_schema import PlaybookError, read_playbook
from tests.factories import ROOT, import_shipped_playbook

pytestmark = pytest.mark.django_db

HEAD = """playbook: {version}
title: Home repairs
categories:
  - key: heating
    title: Heating
    symptoms:
      - key: boiler-pressure-low
        title: Boiler pressure keeps dropping
        checks:
"""
DNS = """      - key: no-hot-water
        title: No hot water
        checks:
          - key: programmer
            title: Hot water is on at the programmer.
"""
BRANCHED = (
    HEAD.format(version=2)
    + """\
          - key: leaks
            title: Look for drips under the radiators.
            on_problem: {goto: fix-leak}
            on_ok: {goto: vessel}
          - key: vessel
            title: Test the expansion vessel charge.
            on_problem: {outcome: escalated}
            on_na: {symptom: no-hot-water}
          - key: fix-leak
            title: Fix the leak and top up.
            on_ok: {outcome: resolved}
"""
    + DNS
)


def problems(text):
    with pytest.raises(PlaybookError) as caught:
        read_playbook(text.encode(), "home.yaml")
    return caught.value.lines()


def checks(lines, version=2):
    return HEAD.format(version=version) + lines + DNS


def test_a_branched_playbook_reads_each_answer_s_rule():
    playbook = read_playbook(BRANCHED.encode())
    leaks, vessel, fix = playbook.categories[0].symptoms[0].checks
    assert leaks.rules == {"problem": {"goto": "fix-leak"}, "ok": {"goto": "vessel"}}
    assert vessel.rules == {"problem": {"outcome": "escalated"}, "na": {"symptom": "no-hot-water"}}
    assert fix.rules == {"ok": {"outcome": "resolved"}}
    assert playbook.version == 2


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # A target that does not exist: a check, then a symptom.
        ("""          - key: a
            title: A
            on_problem: {goto: nowhere}
""", "home.yaml:12: categories[0].symptoms[0].checks[0].on_problem: "
     "'nowhere' is not a check of this symptom"),
        ("""          - key: a
            title: A
            on_problem: {symptom: nowhere}
""", "home.yaml:12: categories[0].symptoms[0].checks[0].on_problem: "
     "'nowhere' is not a symptom in this playbook"),
        # Cycles of one, two and three checks.
        ("""          - key: a
            title: A
            on_ok: {goto: a}
""", "home.yaml:12: categories[0].symptoms[0].checks[0].on_ok: makes a cycle: a → a"),
        ("""          - key: a
            title: A
          - key: b
            title: B
            on_problem: {goto: a}
""", "home.yaml:14: categories[0].symptoms[0].checks[1].on_problem: "
     "makes a cycle: a → b → a"),
        ("""          - key: a
            title: A
            on_ok: {goto: c}
          - key: b
            title: B
            on_ok: {goto: a}
          - key: c
            title: C
            on_ok: {goto: b}
""", "home.yaml:15: categories[0].symptoms[0].checks[1].on_ok: makes a cycle: a → b → a"),
        ("""          - key: a
            title: A
            on_ok: {goto: c}
            on_problem: {goto: c}
            on_na: {goto: c}
          - key: b
            title: B
            on_ok: {goto: a}
            on_problem: {goto: a}
            on_na: {goto: a}
          - key: c
            title: C
            on_ok: {goto: b}
            on_problem: {goto: b}
            on_na: {goto: b}
""", "home.yaml:17: categories[0].symptoms[0].checks[1].on_ok: "
     "makes a cycle: a → c → b → a"),
        # A check no path reaches.
        ("""          - key: a
            title: A
            on_ok: {goto: c}
            on_problem: {goto: c}
            on_na: {goto: c}
          - key: b
            title: B
          - key: c
            title: C
""", "home.yaml:15: categories[0].symptoms[0].checks[1]: "
     "no path reaches this check: every jump skips it"),
        # A rule on an answer that does not exist.
        ("""          - key: a
            title: A
            on_maybe: {outcome: resolved}
""", "home.yaml:12: categories[0].symptoms[0].checks[0].on_maybe: is a rule for an answer "
     "a check does not have (rules are on_ok, on_problem, on_na)"),
        # An outcome the portal does not know, and a rule saying two things.
        ("""          - key: a
            title: A
            on_ok: {outcome: fixed}
""", "home.yaml:12: categories[0].symptoms[0].checks[0].on_ok.outcome: "
     "must be one of resolved, not_resolved, escalated"),
        ("""          - key: a
            title: A
            on_ok: {outcome: resolved, goto: a}
""", "home.yaml:12: categories[0].symptoms[0].checks[0].on_ok: "
     "must say one thing: goto, outcome or symptom"),
    ],
)  # fmt: skip
def test_each_mistake_in_a_rule_is_named_with_its_line_and_field(lines, expected):
    assert expected in problems(checks(lines))


def test_a_version_1_file_cannot_have_rules():
    lines = """          - key: a
            title: A
            on_ok: {outcome: resolved}
"""
    assert problems(checks(lines, version=1)) == [
        "home.yaml:12: categories[0].symptoms[0].checks[0].on_ok: "
        "needs `playbook: 2`: rules came in schema 2"
    ]


def test_a_version_3_file_is_refused():
    assert "must be 1 or 2" in problems(checks("          - key: a\n            title: A\n", 3))[0]


def test_the_shipped_version_1_playbook_imports_and_exports_unchanged():
    import_shipped_playbook()
    exported = export_playbook()
    assert exported.startswith("playbook: 1\n")
    assert "on_" not in exported
    assert read_playbook(exported.encode()) == current_playbook()
    assert not Check.objects.exclude(rules={}).exists()


def test_a_branched_playbook_round_trips_through_import_and_export():
    import_playbook(read_playbook(BRANCHED.encode()), source="test")
    exported = export_playbook()
    assert exported.startswith("playbook: 2\n")
    assert "on_problem: {goto: fix-leak}" in exported or "goto: fix-leak" in exported
    again = read_playbook(exported.encode())
    assert again == read_playbook(BRANCHED.encode())
    assert Check.objects.get(key="vessel").rules["na"] == {"symptom": "no-hot-water"}
    # Importing the export changes nothing: no new revision.
    assert import_playbook(again, source="test").revision is None


def test_a_change_to_a_rule_alone_is_a_change_to_publish():
    import_playbook(read_playbook(BRANCHED.encode()), source="test")
    changed = BRANCHED.replace(
        "on_problem: {outcome: escalated}", "on_problem: {outcome: resolved}"
    )
    new = read_playbook(changed.encode())
    changes = compare(current_playbook(), new)
    [symptom] = changes.symptoms
    [check] = symptom.checks
    [what] = check.fields
    assert (what.label, what.old, what.new) == (
        "What follows",
        "Problem found → escalated; Not applicable → symptom no-hot-water",
        "Problem found → resolved; Not applicable → symptom no-hot-water",
    )
    import_playbook(new, source="test")
    assert PlaybookRevision.objects.count() == 2


def test_dump_writes_version_1_until_a_rule_exists():
    playbook = read_playbook(BRANCHED.encode())
    for _, symptom in playbook.symptoms():
        for check in symptom.checks:
            check.rules = {}
    assert dump_playbook(playbook).startswith("playbook: 1\n")


def test_a_public_symptom_cannot_continue_with_a_staff_only_one():
    text = checks("""          - key: a
            title: A
            on_problem: {symptom: no-hot-water}
""").replace(
        "        title: No hot water\n", "        title: No hot water\n        visibility: staff\n"
    )
    assert problems(text) == [
        "home.yaml:12: categories[0].symptoms[0].checks[0].on_problem: 'no-hot-water' is for "
        "signed-in staff only: customers running this public symptom could not continue there"
    ]


def test_a_symptom_lists_at_most_500_checks():
    many = "".join(f"          - key: c{i}\n            title: C{i}\n" for i in range(501))
    assert problems(checks(many, version=1)) == [
        "home.yaml:10: categories[0].symptoms[0].checks: lists 501 checks: a symptom may "
        "list at most 500"
    ]


def test_the_readme_s_schema_2_example_reads():
    readme = (ROOT / "README.md").read_text()
    example = re.search(r"```yaml\n(playbook: 2\n.*?)```", readme, re.S).group(1)
    playbook = read_playbook(example.encode(), "README.md")
    assert playbook.version == 2
