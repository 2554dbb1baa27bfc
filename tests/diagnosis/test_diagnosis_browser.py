"""Real Chromium: a customer runs a diagnosis, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from diagnostics.diagnosis.models import DiagnosticSession

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SYMPTOM = "/symptoms/webhooks-not-firing/"


@pytest.fixture(autouse=True)
def _shipped(shipped_playbook):
    pass


def tick(page, position, label):
    page.locator(f"#check-{position}").get_by_label(label, exact=True).check()


def no_horizontal_scroll(page):
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 800})
    return width <= 390


def test_a_customer_ticks_every_check_saves_and_shares_the_case(
    live_server, page, browser, screenshot, problems
):
    page.goto(live_server.url + SYMPTOM)
    page.get_by_role("button", name="Start diagnosis").click()
    expect(page).to_have_url(re.compile(r"/cases/[A-Za-z0-9_-]{43}/$"))
    page.wait_for_load_state()  # htmx listening before the first tick
    progress = page.locator("#progress")
    expect(progress).to_have_text("0 of 5 checked, 0 problems found")

    tick(page, 1, "Problem found")
    expect(progress).to_have_text("1 of 5 checked, 1 problem found")
    note = page.locator("#check-1-note")
    note.fill("Subscription for order.created was missing")
    expect(page.locator("#check-1-state")).to_have_text("Saved")  # by itself, after a pause
    expect(note).to_be_focused()  # the person can go on typing
    expect(page.locator("#check-1-save")).to_be_hidden()  # with JavaScript, nothing to press
    tick(page, 2, "Passed")
    expect(progress).to_have_text("2 of 5 checked, 1 problem found")

    # Check 3 with the keyboard only: Tab from check 2's answer to check 3's first choice.
    page.locator("#check-2-ok").focus()
    for _ in range(2):  # the note, then the next row's choices
        page.keyboard.press("Tab")
    expect(page.locator("#check-3-ok")).to_be_focused()
    page.keyboard.press("Space")
    expect(progress).to_have_text("3 of 5 checked, 1 problem found")
    expect(page.locator("#check-3-ok")).to_be_focused()
    page.keyboard.press("ArrowRight")  # moves to and selects "Problem found"
    expect(progress).to_have_text("3 of 5 checked, 2 problems found")
    expect(page.locator("#check-3-problem")).to_be_focused()

    tick(page, 4, "Not applicable")
    tick(page, 5, "Passed")
    expect(progress).to_have_text("5 of 5 checked, 2 problems found")
    screenshot("session")
    assert no_horizontal_scroll(page)

    page.reload()
    expect(progress).to_have_text("5 of 5 checked, 2 problems found")
    expect(page.locator("#check-1-problem")).to_be_checked()
    expect(page.locator("#check-3-problem")).to_be_checked()
    expect(page.locator("#check-4-na")).to_be_checked()
    expect(page.locator("#check-1-note")).to_have_value(
        "Subscription for order.created was missing"
    )

    page.get_by_label("Resolved", exact=True).check()
    page.get_by_label("Which check fixed it?").select_option(
        label="1. Verify webhook URL and event subscriptions."
    )
    page.get_by_label(re.compile("^Summary")).fill("Re-subscribed to order.created.")
    page.get_by_role("button", name="Save case").click()
    expect(page.locator(".outcome")).to_contain_text(
        "Resolved by check 1: Verify webhook URL and event subscriptions."
    )
    link = page.get_by_label("Link to this case").input_value()
    assert link == page.url
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#copy-status")).to_have_text(re.compile("Link copied|Press Ctrl"))
    screenshot("case")
    assert no_horizontal_scroll(page)

    other = browser.new_context()
    second = other.new_page()
    second.goto(link)
    expect(second.locator(".outcome")).to_contain_text("Resolved by check 1")
    expect(second.locator(".summary")).to_have_text("Re-subscribed to order.created.")
    expect(second.locator(".results .status-label")).to_have_text(
        ["Problem found", "Passed", "Problem found", "Not applicable", "Passed"]
    )
    expect(second.locator(".results .note")).to_have_text(
        ["Subscription for order.created was missing"]
    )
    other.close()
    assert problems == []


def test_the_same_diagnosis_works_without_javascript(live_server, browser, problems):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + SYMPTOM)
    page.get_by_role("button", name="Start diagnosis").click()
    for position, label in [(1, "Passed"), (2, "Problem found"), (3, "Passed")]:
        tick(page, position, label)
        page.locator(f"#check-{position}-save").click()  # a plain POST, then a redirect back
        expect(page).to_have_url(re.compile(rf"/cases/[^/]+/#check-{position}$"))
    expect(page.locator("#progress")).to_have_text("3 of 5 checked, 1 problem found")
    expect(page.locator("#check-2-problem")).to_be_checked()

    page.get_by_label("Escalated", exact=True).check()
    page.get_by_label(re.compile("^Summary")).fill("Receiver returns 500.")
    page.get_by_role("button", name="Save case").click()
    expect(page.locator(".outcome")).to_have_text("Escalated")
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()  # needs JavaScript
    expect(page.get_by_label("Link to this case")).to_have_value(page.url)
    context.close()


def test_two_people_ticking_different_checks_at_once_both_keep_their_work(live_server, browser):
    first_context, second_context = browser.new_context(), browser.new_context()
    first, second = first_context.new_page(), second_context.new_page()
    first.goto(live_server.url + SYMPTOM)
    first.get_by_role("button", name="Start diagnosis").click()
    second.goto(first.url)

    tick(first, 1, "Passed")
    tick(second, 2, "Problem found")
    # Each progress line counts what was stored when its own answer was: the other person's
    # answer may or may not have landed just before.
    expect(first.locator("#progress")).to_have_text(
        re.compile(r"^(1 of 5 checked, 0 problems|2 of 5 checked, 1 problem) found$")
    )
    expect(second.locator("#progress")).to_have_text("2 of 5 checked, 1 problem found")

    for page in (first, second):
        page.reload()
        expect(page.locator("#check-1-ok")).to_be_checked()
        expect(page.locator("#check-2-problem")).to_be_checked()
        expect(page.locator("#progress")).to_have_text("2 of 5 checked, 1 problem found")
    assert DiagnosticSession.objects.count() == 1
    first_context.close()
    second_context.close()


def test_the_symptom_page_at_phone_width(live_server, page, screenshot):
    page.goto(live_server.url + SYMPTOM)
    expect(page.get_by_role("button", name="Start diagnosis")).to_be_visible()
    screenshot("symptom-start")
    assert no_horizontal_scroll(page)


def start(page, live_server):
    page.goto(live_server.url + SYMPTOM)
    page.get_by_role("button", name="Start diagnosis").click()
    expect(page).to_have_url(re.compile(r"/cases/[A-Za-z0-9_-]{43}/$"))
    # The address changes before the page's scripts run; a tick before htmx is listening
    # would be a plain radio change that posts nothing (on a busy CI machine it was).
    page.wait_for_load_state()


def test_a_typed_note_survives_a_reload_without_pressing_anything(live_server, page, problems):
    start(page, live_server)
    tick(page, 2, "Problem found")
    page.locator("#check-2-note").click()
    page.keyboard.type("Receiver answers 401 since the key was rotated")
    expect(page.locator("#check-2-state")).to_have_text("Saved")
    page.reload()
    expect(page.locator("#check-2-note")).to_have_value(
        "Receiver answers 401 since the key was rotated"
    )
    # Leaving the field saves at once, without waiting for the pause.
    page.locator("#check-3-note").fill("Checked the logs")
    page.locator("#check-4-ok").focus()
    expect(page.locator("#check-3-state")).to_have_text("Saved")
    page.reload()
    expect(page.locator("#check-3-note")).to_have_value("Checked the logs")
    assert problems == []


@pytest.mark.parametrize("failure", ["abort", "502"])
def test_a_save_that_fails_says_so_keeps_the_answer_and_retries(live_server, page, failure):
    start(page, live_server)
    session = DiagnosticSession.objects.get()

    def fail(route):
        if failure == "abort":
            route.abort()
        else:
            route.fulfill(status=502, body="Bad gateway")

    page.route("**/checks/1/", fail)
    tick(page, 1, "Problem found")
    row = page.locator("#check-1")
    expect(page.locator("#check-1-state")).to_have_text(re.compile("^Not saved"))
    expect(page.locator("#check-1-retry")).to_be_visible()
    expect(row).to_have_class(re.compile("not-saved"))
    expect(page.locator("#check-1-problem")).to_be_checked()  # the choice is kept
    expect(row.locator(".status-label")).to_have_text("Pending")  # not marked saved
    assert session.results.get(position=1).status == "pending"

    page.unroute("**/checks/1/")
    page.locator("#check-1-retry").click()
    expect(page.locator("#check-1-state")).to_have_text("Saved")
    expect(page.locator("#check-1 .status-label")).to_have_text("Problem found")
    assert session.results.get(position=1).status == "problem"


def test_no_content_security_policy_violation_after_resizing_a_note(live_server, page):
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    start(page, live_server)
    # Resizing a textarea by its corner gives it a style attribute; htmx used to carry it
    # onto the swapped row, which the policy refuses.
    page.locator("#check-1-note").evaluate("el => { el.style.height = '140px'; }")
    page.locator("#check-1-note").fill("Resized")
    tick(page, 1, "Passed")
    expect(page.locator("#check-1 .status-label")).to_have_text("Passed")
    tick(page, 2, "Problem found")
    expect(page.locator("#progress")).to_have_text("2 of 5 checked, 1 problem found")
    assert not [m for m in messages if "Content Security Policy" in m]


def test_reloading_a_failed_save_address_goes_back_to_the_diagnosis(live_server, page):
    start(page, live_server)
    case_url = page.url
    page.get_by_role("button", name="Save case").click()  # no outcome: an error
    expect(page.get_by_text("Choose how the diagnosis ended.", exact=True)).to_be_visible()
    page.goto(case_url + "save/")  # what reloading the address bar does
    expect(page).to_have_url(case_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks not firing")


def test_the_browser_that_started_a_diagnosis_is_offered_to_continue_it(live_server, page):
    start(page, live_server)
    case_url = page.url
    page.goto(live_server.url + SYMPTOM)
    link = page.get_by_role("link", name=re.compile("Continue the diagnosis you started at"))
    expect(link).to_be_visible()
    link.click()
    expect(page).to_have_url(case_url)


def test_the_case_gives_a_summary_to_copy_and_prints_without_the_menus(
    live_server, page, screenshot
):
    start(page, live_server)
    tick(page, 1, "Problem found")
    page.locator("#check-1-note").fill("Subscription missing")
    expect(page.locator("#check-1-state")).to_have_text("Saved")
    page.get_by_label("Resolved", exact=True).check()
    page.get_by_label("Which check fixed it?").select_option(index=1)
    page.get_by_role("button", name="Save case").click()
    expect(page.locator(".outcome")).to_contain_text("Resolved by check 1")
    page.get_by_text("Summary for support, as text").click()
    summary = page.get_by_label("Paste this into an e-mail or a ticket").input_value()
    assert summary.startswith("Webhooks not firing: Resolved by check 1")
    assert (
        "1. Verify webhook URL and event subscriptions. — Problem found. Note: Subscription missing"
        in summary
    )
    assert summary.endswith(f"Case record: {page.url}")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy summary for support").click()
    expect(page.locator("#summary-status")).to_have_text(re.compile("Summary copied|Press Ctrl"))
    screenshot("case-summary")

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(page.locator(".print-only")).to_have_text(f"Case record: {page.url}")
    expect(page.locator(".results")).to_contain_text("Subscription missing")
    page.emulate_media(media="screen")
