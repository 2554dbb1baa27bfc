"""Real Chromium: an agent signs in with a second factor and runs a diagnosis for a ticket."""

import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from diagnostics.staff.models import Role, SecuritySettings
from tests.factories import PASSWORD, import_shipped_playbook, make_user, totp_code

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_an_agent_with_a_second_factor_runs_a_diagnosis_for_a_ticket(live_server, page, screenshot):
    import_shipped_playbook()
    SecuritySettings.objects.update_or_create(pk=1, defaults={"require_second_factor": True})
    agent = make_user(Role.AGENT, username="alex", first_name="Alex", last_name="Agent")
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))

    page.goto(live_server.url + "/accounts/login/?next=/symptoms/webhooks-not-firing/")
    screenshot("login")
    page.get_by_label("Username").fill("alex")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # The policy is on and Alex has no app yet: set one up before anything else.
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    expect(page.locator(".qr svg")).to_be_visible()
    screenshot("enrol")
    page.get_by_label("Code").fill(totp_code(TOTPDevice.objects.get(user=agent)))
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator(".codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them").click()
    expect(page).to_have_url(live_server.url + "/symptoms/webhooks-not-firing/")

    # Sign out and in again: now the code step comes after the password.
    page.get_by_role("button", name=re.compile("Sign out")).click()
    page.goto(live_server.url + "/accounts/login/?next=/symptoms/webhooks-not-firing/")
    page.get_by_label("Username").fill("alex")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
    page.get_by_label("Code").fill(totp_code(TOTPDevice.objects.get(user=agent), steps_ahead=1))
    page.get_by_role("button", name="Continue").click()

    page.get_by_label("Ticket reference").fill("ZD-1234")
    page.get_by_role("button", name="Start diagnosis").click()
    expect(page.locator(".byline")).to_contain_text("Ticket ZD-1234")
    expect(page.locator(".byline")).to_contain_text("started by Alex Agent")
    page.locator("#check-1").get_by_label("Passed", exact=True).check()
    expect(page.locator("#progress")).to_have_text("1 of 5 checked, 0 problems found")
    page.locator("#check-2").get_by_label("Problem found", exact=True).check()
    expect(page.locator("#progress")).to_have_text("2 of 5 checked, 1 problem found")
    page.get_by_label("Resolved", exact=True).check()
    page.get_by_label("Which check fixed it?").select_option(label="2. Trigger matching event.")
    page.get_by_role("button", name="Save case").click()
    expect(page.locator(".facts")).to_contain_text("by Alex Agent")

    page.get_by_role("link", name="My cases").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    expect(page.locator(".lede")).to_have_text("Diagnoses run or saved by Alex Agent.")
    row = page.locator("table.cases tbody tr").first
    expect(row).to_contain_text("Webhooks not firing")
    expect(row).to_contain_text("ZD-1234")
    expect(row).to_contain_text("Resolved")
    screenshot("my-cases")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems == []
