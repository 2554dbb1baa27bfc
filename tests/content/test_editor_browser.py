"""Real Chromium: an editor writes a symptom, publishes it, revises it, compares and restores,
while a customer's case saved in between keeps the titles it ran with."""

import re

import pytest
from playwright.sync_api import expect

from diagnostics.content.models import PlaybookRevision
from diagnostics.staff.models import Role
from tests.conftest import ARTIFACTS
from tests.factories import import_shipped_playbook, make_user
from tests.test_pages_browser import check_page, sign_in

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

NEW = "/symptoms/chat-widget-does-not-load/"


def test_an_editor_writes_publishes_revises_compares_and_restores(
    live_server, page, browser, screenshot, problems
):
    import_shipped_playbook()
    make_user(Role.EDITOR, username="eddie", first_name="Eddie", last_name="Editor")
    sign_in(page, live_server, "eddie")
    page.get_by_role("link", name="Playbook", exact=True).click()
    check_page(page, "editor-index", screenshot, problems)

    # A new symptom with three checks; its key comes from its title.
    page.get_by_role("link", name="Add a symptom to “Integration issues”").click()
    page.get_by_label("Title").fill("Chat widget does not load")
    expect(page.get_by_label("Key")).to_have_attribute("placeholder", "chat-widget-does-not-load")
    page.get_by_label("Summary").fill("The chat bubble never appears on **your** site.")
    page.get_by_role("button", name="Add to the draft").click()
    expect(page.get_by_role("heading", name="Chat widget does not load", level=1)).to_be_visible()
    titles = ["Check the snippet is installed", "Check the domain allow-list", "Clear the cache"]
    for title in titles:
        page.locator("#id_new-title").fill(title)
        page.get_by_role("button", name="Add check").click()
        expect(page.locator(".editor-checks .check-title").last).to_have_text(title)
    check_page(page, "editor-symptom", screenshot, problems)

    # Keyboard only: Tab from the third check's Edit link to its "Move up" and press Enter.
    page.locator("#edit-check-clear-the-cache").focus()
    page.keyboard.press("Tab")
    expect(page.locator("#up-check-clear-the-cache")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".editor-checks .check-title")).to_have_text(
        ["Check the snippet is installed", "Clear the cache", "Check the domain allow-list"]
    )
    expect(page.locator("#up-check-clear-the-cache")).to_be_focused()  # focus kept after the swap

    # The draft, as the public page will show it; customers do not see it yet.
    page.get_by_role("link", name="See the page as the draft shows it").click()
    expect(page.locator(".draft-banner")).to_contain_text("Draft preview")
    expect(page.locator(".check-list .check-title")).to_have_text(
        ["Check the snippet is installed", "Clear the cache", "Check the domain allow-list"]
    )
    check_page(page, "editor-draft-preview", screenshot, problems)
    customer = browser.new_page()
    assert customer.goto(live_server.url + NEW).status == 404

    # Publish with a message, after seeing exactly what changes.
    page.goto(live_server.url + "/playbook/")
    page.get_by_role("link", name="Review and publish…").click()
    expect(page.locator(".change-added")).to_contain_text("Chat widget does not load")
    check_page(page, "editor-publish", screenshot, problems)
    page.get_by_label("What changed").fill("Add the chat widget symptom")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Published revision 2")

    # A customer runs it and saves a case on revision 2.
    customer.goto(live_server.url + NEW)
    customer.get_by_role("button", name="Start diagnosis").click()
    customer.locator("#check-1").get_by_label("Problem found", exact=True).check()
    expect(customer.locator("#check-1-state")).to_have_text("Saved")
    customer.get_by_label("Resolved", exact=True).check()
    customer.get_by_label("Which check fixed it?").select_option(index=1)
    customer.get_by_role("button", name="Save case").click()
    expect(customer.locator(".outcome")).to_contain_text("Check the snippet is installed")
    case_url = customer.url

    def case_titles_unchanged():
        customer.goto(case_url)
        expect(customer.locator(".results .check-title").first).to_have_text(
            "Check the snippet is installed"
        )

    # The editor renames the first check in place (htmx) and publishes revision 3.
    page.goto(live_server.url + "/playbook/symptoms/chat-widget-does-not-load/")
    page.locator("#edit-check-check-the-snippet-is-installed").click()
    expect(page.locator("#check_title")).to_be_focused()
    page.locator("#check_title").fill("Confirm the snippet is on every page")
    page.locator("li.editing").get_by_role("button", name="Save in draft").click()
    expect(page.locator("#edit-check-check-the-snippet-is-installed")).to_be_focused()
    page.goto(live_server.url + "/playbook/publish/")
    expect(page.locator(".side-by-side .old")).to_have_text("Check the snippet is installed")
    expect(page.locator(".side-by-side .new")).to_have_text("Confirm the snippet is on every page")
    page.get_by_label("What changed").fill("Clearer first check")
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Published revision 3")
    customer.goto(live_server.url + NEW)
    expect(customer.locator(".check-title").first).to_have_text(
        "Confirm the snippet is on every page"
    )
    case_titles_unchanged()  # the case keeps the title it ran with

    # Compare 2 with 3, then restore 2 as revision 4.
    page.goto(live_server.url + "/playbook/history/")
    check_page(page, "editor-history", screenshot, problems)
    page.get_by_role("link", name="Compare two revisions").click()
    page.get_by_label("From revision").select_option("2")
    page.get_by_label("To revision").select_option("3")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator(".side-by-side .old")).to_have_text("Check the snippet is installed")
    check_page(page, "editor-compare", screenshot, problems)
    page.get_by_role("link", name="revision 2").click()
    page.get_by_role("link", name="Restore this revision…").click()
    check_page(page, "editor-restore", screenshot, problems)
    page.get_by_role("button", name="Restore and publish").click()
    expect(page.get_by_role("heading", name=re.compile("Revision 4"))).to_be_visible()
    assert PlaybookRevision.objects.get(number=4).content_hash == (
        PlaybookRevision.objects.get(number=2).content_hash
    )
    customer.goto(live_server.url + NEW)
    expect(customer.locator(".check-title").first).to_have_text("Check the snippet is installed")

    # The case saved on revision 2 names it and shows the titles it ran with, throughout.
    page.goto(case_url)
    expect(page.locator(".facts")).to_contain_text("revision 2")
    expect(page.locator(".results .check-title")).to_have_text(
        ["Check the snippet is installed", "Clear the cache", "Check the domain allow-list"]
    )
    check_page(page, "editor-case-revision", screenshot, problems)


def test_a_move_that_does_not_reach_the_server_says_so(live_server, page):
    import_shipped_playbook()
    make_user(Role.EDITOR, username="eddie", first_name="Eddie", last_name="Editor")
    sign_in(page, live_server, "eddie")
    page.goto(live_server.url + "/playbook/symptoms/webhooks-not-firing/")
    page.route("**/move/", lambda route: route.abort())
    page.locator("#down-check-webhook-url").click()
    expect(page.get_by_role("alert")).to_contain_text("Not done: the portal could not be reached")
    page.unroute("**/move/")
    page.locator("#down-check-webhook-url").click()
    expect(page.locator(".editor-checks > li").first).not_to_have_id("check-webhook-url")


def test_an_editor_makes_a_problem_found_jump_to_the_fix_and_sees_the_flow(
    live_server, page, screenshot, problems
):
    import_shipped_playbook()
    make_user(Role.EDITOR, username="eddie", first_name="Eddie", last_name="Editor")
    sign_in(page, live_server, "eddie")
    page.goto(live_server.url + "/playbook/symptoms/webhooks-not-firing/")
    first = page.locator(".editor-checks > li").first
    first.get_by_role("link", name=re.compile("^Edit")).click()  # the form opens in place
    form = page.locator("#check-webhook-url")
    form.get_by_label("After “Problem found”").select_option(
        label="Go to check: Inspect downstream receiver logs."
    )
    form.get_by_label("After “Passed”").select_option(label="End: Resolved")
    form.get_by_role("button", name="Save in draft").click()
    expect(first).to_contain_text("After “Problem found”: go to “Inspect downstream receiver logs")
    page.reload()
    flow = page.locator("svg.flow")
    expect(flow).to_be_visible()
    expect(flow).to_contain_text("Passed → Resolved")
    flow.screenshot(path=ARTIFACTS / "screenshots" / "editor-flow-diagram.png")
    check_page(page, "editor-flow", screenshot, problems)
    page.goto(live_server.url + "/playbook/publish/")
    expect(page.locator("main")).to_contain_text("What follows")
    check_page(page, "editor-publish-rules", screenshot, problems)
