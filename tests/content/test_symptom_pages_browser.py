"""Real Chromium: what a customer sees when support sends them a link."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_customer_finds_a_symptom_and_sees_its_checks(
    live_server, page, screenshot, shipped_playbook
):
    problems = []
    page.on("console", lambda m: m.type in ("error", "warning") and problems.append(m.text))
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", name="What are you seeing?")).to_be_visible()
    expect(page.locator(".symptom-list a")).to_have_count(8)
    screenshot("index")

    page.get_by_role("link", name="Webhooks not firing").click()
    expect(page).to_have_url(live_server.url + "/symptoms/webhooks-not-firing/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Webhooks not firing")
    checks = page.locator(".check-list > li .check-title")
    expect(checks).to_have_count(5)
    expect(checks.first).to_have_text("Verify webhook URL and event subscriptions.")
    screenshot("symptom")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems == []


def test_an_unknown_symptom_link_shows_the_not_found_page(live_server, page, screenshot):
    response = page.goto(live_server.url + "/symptoms/nothing-here/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    screenshot("not-found")
