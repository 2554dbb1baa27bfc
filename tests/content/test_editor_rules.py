"""The editor's rule controls (playbook schema 2): each answer's next step chosen from lists,
a loop refused on the spot, publishing showing the change, and the flow drawn as SVG."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diagnostics.content.models import Check, PlaybookDraft
from diagnostics.content.playbook import export_playbook, import_playbook, read_playbook
from tests.content.test_editor import CHECK, SYMPTOM, edit_check, publish
from tests.factories import PLAYBOOK

pytestmark = pytest.mark.django_db

TRIGGER = SYMPTOM + "checks/trigger-event/"


@pytest.fixture
def published(db):
    import_playbook(read_playbook(PLAYBOOK.encode()), source="test")


def draft_rules(key="webhooks-not-firing"):
    _, symptom = PlaybookDraft.get().playbook().symptom(key)
    return {c.key: c.rules for c in symptom.checks}


def options(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_next_step_of_each_answer_is_chosen_from_lists(client, editor, published):
    html = client.get(CHECK).content.decode()
    assert "What follows each answer" in html
    assert options(html, "on_problem") == [
        "",
        "goto:trigger-event",  # the symptom's other checks, never itself
        "outcome:resolved",
        "outcome:not_resolved",
        "outcome:escalated",
        "symptom:agent-cannot-access-page",  # the playbook's other symptoms
    ]
    assert '<optgroup label="Checks">' in html


def test_a_chosen_step_is_saved_in_the_draft_and_published_as_a_rule(client, editor, published):
    response = edit_check(client, on_problem="outcome:escalated", on_ok="goto:trigger-event")
    assert response.status_code == 302
    assert draft_rules()["webhook-url"] == {
        "ok": {"goto": "trigger-event"},
        "problem": {"outcome": "escalated"},
    }
    page = client.get(SYMPTOM).content.decode()
    assert "After “Problem found”: end: Escalated" in page
    assert "After “Passed”: go to “Trigger matching event.”" in page

    changes = client.get("/playbook/publish/").content.decode()
    assert "What follows" in changes
    assert "Problem found → escalated" in changes
    assert publish(client).status_code == 302
    assert Check.objects.get(key="webhook-url").rules["problem"] == {"outcome": "escalated"}
    assert export_playbook().startswith("playbook: 2\n")


def test_a_step_not_offered_is_refused(client, editor, published):
    response = edit_check(client, on_problem="goto:webhook-url")  # itself
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert draft_rules()["webhook-url"] == {}


def test_a_jump_that_would_loop_is_refused_and_names_the_loop(client, editor, published):
    edit_check(client, on_problem="outcome:escalated")  # the draft begins
    response = edit_check(client, url=TRIGGER, on_ok="goto:webhook-url")
    assert response.status_code == 400
    assert (
        "This would make a loop (Verify webhook URL and event subscriptions. → Trigger matching "
        "event. → Verify webhook URL and event subscriptions.): choose another step."
    ) in response.content.decode()
    assert draft_rules()["trigger-event"] == {}


def test_a_check_renamed_keeps_the_jumps_to_it(client, editor, published):
    edit_check(client, on_ok="goto:trigger-event")
    edit_check(client, url=TRIGGER, key="send-test-event")
    assert draft_rules()["webhook-url"] == {"ok": {"goto": "send-test-event"}}


def test_a_check_another_jumps_to_cannot_be_retired_until_the_jump_changes(
    client, editor, published
):
    edit_check(client, on_ok="goto:trigger-event")
    response = client.post(TRIGGER + "retire/", follow=True)
    assert "goes to this one after an answer" in response.content.decode()
    assert "trigger-event" in draft_rules()


def test_a_symptom_renamed_keeps_the_links_to_it(client, editor, published):
    edit_check(client, on_problem="symptom:agent-cannot-access-page")
    page = client.get("/playbook/symptoms/agent-cannot-access-page/")
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    client.post(
        "/playbook/symptoms/agent-cannot-access-page/",
        {**data, "key": "agent-blocked", "confirm_key_change": "on"},
    )
    assert draft_rules()["webhook-url"] == {"problem": {"symptom": "agent-blocked"}}


def test_the_symptom_page_draws_its_flow_as_svg(client, editor, published):
    edit_check(client, on_problem="outcome:escalated", on_ok="goto:trigger-event")
    html = client.get(SYMPTOM).content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg
    assert "<script" not in html.split("<svg")[1].split("</svg>")[0]
    assert svg.count('<g class="flow-check">') == 2
    assert "Problem found → Escalated" in svg
    assert (
        "1. Verify webhook URL and event subscriptions. (Passed: go to “Trigger matching "
        "event.”; Problem found: end: Escalated)"
    ) in svg
    assert 'class="arrow arrow-jump"' in svg


def test_a_symptom_without_rules_has_no_diagram(client, editor, published):
    assert "<svg" not in client.get(SYMPTOM).content.decode()


def test_drawing_the_flow_costs_no_query(client, editor, published):
    edit_check(client, on_problem="outcome:escalated")
    with CaptureQueriesContext(connection) as plain:
        client.get(SYMPTOM)
    edit_check(client, on_ok="goto:trigger-event", on_problem="symptom:agent-cannot-access-page")
    with CaptureQueriesContext(connection) as drawn:
        assert "<svg" in client.get(SYMPTOM).content.decode()
    assert len(drawn) == len(plain)


def test_a_symptom_others_continue_with_needs_a_replacement_to_be_retired(client, editor, db):
    third = PLAYBOOK + (
        "      - key: agent-locked-out\n"
        "        title: Agent locked out\n"
        "        checks:\n"
        "          - key: unlock\n"
        "            title: Unlock the account.\n"
    )
    import_playbook(read_playbook(third.encode()), source="test")
    edit_check(client, on_problem="symptom:agent-cannot-access-page")
    retire = "/playbook/symptoms/agent-cannot-access-page/retire/"
    response = client.post(retire, {"replaced_by": ""})
    assert "continues with this symptom: choose a replacement" in response.content.decode()
    response = client.post(retire, {"replaced_by": "webhooks-not-firing"})
    assert "“Webhooks not firing” cannot replace it: a symptom cannot continue with itself" in (
        response.content.decode()
    )
    client.post(retire, {"replaced_by": "agent-locked-out"})
    assert draft_rules()["webhook-url"] == {"problem": {"symptom": "agent-locked-out"}}


def test_a_move_that_makes_a_loop_is_shown_on_the_symptom_page(client, editor, published):
    edit_check(client, on_ok="goto:trigger-event")  # 1 → 2 on "Passed"
    client.post(TRIGGER + "move/", {"direction": "up"})  # now 2 → 1 → 2 in order
    html = client.get(SYMPTOM).content.decode()
    assert "Publishing is held back until this is fixed:" in html
    assert "The checks go round in a loop (“Trigger matching event.” → “Verify webhook" in html


def test_a_check_saved_in_place_redraws_the_flow(client, editor, published):
    response = edit_check(client, headers={"HX-Request": "true"}, on_ok="outcome:resolved")
    html = response.content.decode()
    assert '<div id="flow-section" hx-swap-oob="true">' in html
    assert "Passed → Resolved" in html
