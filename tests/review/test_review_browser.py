"""Real Chromium: a team lead works through the review list."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from diagnostics.content.models import Symptom
from diagnostics.diagnosis.models import Case
from diagnostics.staff.models import Role
from tests.factories import PASSWORD, import_shipped_playbook, make_user

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in_lead(live_server, page):
    import_shipped_playbook()
    make_user(Role.AGENT, first_name="Alex", last_name="Agent")
    call_command("seed_demo_cases", "--count", "400", stdout=StringIO())
    make_user(Role.LEAD, username="lee", first_name="Lee", last_name="Lead")
    page.goto(live_server.url + "/accounts/login/?next=/review/")
    page.get_by_label("Username").fill("lee")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Review cases")).to_be_visible()
    return page


def test_a_lead_reviews_an_escalated_case_and_it_leaves_the_new_list(
    live_server, signed_in_lead, screenshot
):
    page = signed_in_lead
    problems = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    webhooks = Symptom.objects.get(key="webhooks-not-firing")
    expected = Case.objects.filter(symptom=webhooks, outcome="escalated", review_status="new")

    page.get_by_label("Symptom").select_option(label="Webhooks not firing")
    page.get_by_label("Outcome").select_option(label="Escalated")
    page.get_by_label("Review").select_option(label="New")
    count = f"{expected.count()} cases match"
    expect(page.locator("#results h2")).to_have_text(count)  # updated in place by htmx
    expect(page).to_have_url(re.compile(rf"symptom={webhooks.pk}&outcome=escalated&status=new"))
    expect(page.locator("#results tbody tr").first).to_contain_text("Escalated")
    screenshot("review-list")

    page.reload()  # the URL followed the filters: a bookmark shows the same list
    expect(page.locator("#results h2")).to_have_text(count)
    expect(page.get_by_label("Outcome")).to_have_value("escalated")

    first = page.locator("#results tbody tr a").first
    token = first.get_attribute("href").split("/")[2]
    first.click()
    expect(page.get_by_role("heading", name="Review", exact=True)).to_be_visible()
    # A comment box resized by its corner carries a style attribute: no swap may copy it.
    page.get_by_label("Add a comment").evaluate("el => { el.style.height = '150px'; }")
    page.get_by_label("Add a comment").fill("Engineering confirmed a **retry** bug.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.locator(".comments li").last).to_contain_text("Engineering confirmed a retry bug.")
    expect(page.locator(".comments li strong").last).to_have_text("retry")  # Markdown
    expect(page.locator(".comments li").last).to_contain_text("Lee Lead")
    expect(page.get_by_label("Add a comment")).to_have_value("")
    page.get_by_role("button", name="Mark reviewed").click()
    expect(page.locator("#review .badge")).to_have_text("Reviewed")
    expect(page.locator("#review")).to_contain_text("by Lee Lead")
    expect(page.locator("#mark-reviewed")).to_be_focused()  # focus kept after the swap
    screenshot("review-case")

    page.go_back()
    page.reload()
    expect(page.locator("#results h2")).to_have_text(f"{expected.count()} cases match")
    expect(page.locator(f'#results a[href^="/cases/{token}/"]')).to_have_count(0)
    page.get_by_label("Review").select_option(label="Reviewed")
    expect(page.locator(f'#results a[href^="/cases/{token}/"]')).to_have_count(1)

    page.get_by_role("link", name="What resolves what").click()
    expect(page.get_by_role("heading", name="Outcomes per symptom")).to_be_visible()
    expect(page.locator(".chart svg g")).to_have_count(
        Symptom.objects.filter(cases__isnull=False).distinct().count()
    )
    screenshot("insights")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems == []
