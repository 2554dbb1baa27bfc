"""Real Chromium: a customer runs a branched diagnosis, with JavaScript and without: "problem
found" jumps to the fix, the outcome fills itself in, and the case shows the path."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from diagnostics.content.playbook import import_playbook
from diagnostics.content.playbook_schema import read_playbook
from diagnostics.staff.models import Role
from tests.diagnosis.test_branching import WEBHOOKS
from tests.factories import make_user
from tests.test_pages_browser import check_page, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
SYMPTOM = "/symptoms/webhooks-not-firing/"


@pytest.fixture(autouse=True)
def _branched(db):
    import_playbook(read_playbook(WEBHOOKS.encode()), source="test")


def serious(page):
    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v.get("impact") in {"serious", "critical"}]


def tick(page, position, label):
    page.locator(f"#check-{position}").get_by_label(label, exact=True).check()


def test_problem_found_jumps_to_the_fix_and_the_outcome_fills_in(
    live_server, page, screenshot, problems
):
    page.goto(live_server.url + SYMPTOM)
    page.get_by_role("button", name="Start diagnosis").click()
    page.wait_for_load_state()  # htmx listening before the first tick
    expect(page.locator("#check-2")).to_be_hidden()  # not reached yet
    assert serious(page) == []

    tick(page, 1, "Problem found")
    # The fix appears in place; the log check in between is skipped, not waiting.
    expect(page.locator("#check-2")).to_contain_text("Skipped")
    fix = page.locator("#check-3")
    expect(fix).to_be_visible()
    expect(fix).to_have_class(re.compile("is-next"))
    expect(page.locator("#unanswered")).to_contain_text("3. Correct the URL")
    expect(page.locator("#check-1-problem")).to_be_focused()  # focus stays on the answer

    tick(page, 3, "Passed")
    expect(page.locator("#path-end")).to_contain_text("lead to the outcome Resolved")
    expect(page.get_by_label("Resolved", exact=True)).to_be_checked()
    expect(page.get_by_label("Which check fixed it?")).to_have_value(
        page.locator("#id_resolved_by option", has_text="3. Correct").get_attribute("value")
    )
    expect(page.locator("#unanswered")).to_have_text("Every check on your path has an answer.")
    screenshot("branching-session")
    assert serious(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert serious(page) == []
    page.set_viewport_size({"width": 1280, "height": 800})

    # Changing the first answer takes the path elsewhere; the fix's answer is kept, marked.
    tick(page, 1, "Passed")
    expect(page.locator("#check-3")).to_contain_text("no longer applies")
    expect(page.locator("#check-2-ok")).to_be_visible()
    tick(page, 1, "Problem found")
    expect(page.locator("#check-3-ok")).to_be_checked()

    page.get_by_role("button", name="Save case").click()
    expect(page.locator(".outcome")).to_contain_text("Resolved by check 3")
    results = page.locator(".results > li")
    expect(results.nth(1)).to_contain_text("Skipped")
    expect(results.nth(2)).to_contain_text("Passed")
    screenshot("branching-case")
    assert serious(page) == []
    assert problems == []


def test_the_same_branched_diagnosis_works_without_javascript(live_server, browser, problems):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + SYMPTOM)
    page.get_by_role("button", name="Start diagnosis").click()
    tick(page, 1, "Problem found")
    page.locator("#check-1-save").click()  # a plain POST, then a redirect back
    expect(page).to_have_url(re.compile(r"/cases/[^/]+/#check-1$"))
    expect(page.locator("#check-2")).to_contain_text("Skipped")
    tick(page, 3, "Passed")
    page.locator("#check-3-save").click()
    expect(page.get_by_label("Resolved", exact=True)).to_be_checked()
    page.get_by_role("button", name="Save case").click()
    expect(page.locator(".outcome")).to_contain_text("Resolved by check 3")
    expect(page.locator(".results > li").nth(1)).to_contain_text("Skipped")
    context.close()


def test_a_link_to_another_symptom_continues_there(live_server, page, problems):
    page.goto(live_server.url + SYMPTOM)
    page.get_by_role("button", name="Start diagnosis").click()
    page.wait_for_load_state()
    tick(page, 1, "Passed")
    expect(page.locator("#check-2")).to_be_visible()
    tick(page, 2, "Problem found")
    page.get_by_role("button", name="Continue with “Deliveries fail with TLS errors”").click()
    expect(page.locator("h1")).to_have_text("Deliveries fail with TLS errors")
    expect(page.locator(".byline")).to_contain_text("Continued from Webhooks not firing")
    assert problems == []


def test_an_agent_sees_the_flow_on_the_symptom_page(live_server, page, screenshot, problems):
    make_user(Role.AGENT, username="alex", first_name="Alex", last_name="Agent")
    sign_in(page, live_server, "alex")
    page.goto(live_server.url + SYMPTOM)
    page.locator("summary", has_text="How the checks lead on").click()
    expect(page.locator("svg.flow")).to_contain_text("Passed → Escalated")
    check_page(page, "branching-symptom-staff", screenshot, problems)
