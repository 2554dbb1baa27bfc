"""Real Chromium, every page of every role, at desktop and phone width: no serious or critical
accessibility problem (axe-core), no console error (CSP violations included), no table cut
off, no text under 14 px. Screenshots go to test-artifacts/screenshots/."""

import re
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import expect

from diagnostics.content.models import Symptom
from diagnostics.diagnosis.models import Case, DiagnosticSession
from diagnostics.integrations.models import Attempt, Delivery, Endpoint
from diagnostics.staff.models import AuditEntry, Role
from tests.factories import PASSWORD, import_shipped_playbook, make_user, start_session

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
AXE = Axe()

# What the checks below measure on a page, in the page.
LAYOUT = """(ownStyles) => {
  const problems = [];
  for (const table of document.querySelectorAll("table")) {
    const box = table.parentElement;
    const scrolls = ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
    const fits = table.scrollWidth <= box.clientWidth + 1;
    const boxInView = box.getBoundingClientRect().right <= window.innerWidth + 1;
    if (!(fits || (scrolls && boxInView))) problems.push("table cut off: " + table.className);
  }
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth + 1) problems.push("page scrolls sideways");
  for (const el of ownStyles ? document.querySelectorAll("main *, header *") : []) {
    if (!el.offsetParent || !el.childNodes.length) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (own && size < 14) problems.push(`text at ${size}px: ${el.textContent.trim().slice(0, 30)}`);
  }
  return problems;
}"""


def check_page(page, name, screenshot, problems):
    # Django's admin keeps its own (smaller) type: only the portal's pages are held to 14 px.
    own_styles = not name.startswith("admin-")
    for width, (w, h) in WIDTHS.items():
        page.set_viewport_size({"width": w, "height": h})
        results = AXE.run(page)
        serious = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])})"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], f"{name} at {width}: {serious}"
        assert page.evaluate(LAYOUT, own_styles) == [], f"{name} at {width}"
    page.set_viewport_size({"width": 1280, "height": 800})
    screenshot(name)
    assert problems == [], name


def sign_in(page, live_server, username):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_every_customer_page(live_server, page, screenshot, problems):
    import_shipped_playbook()
    Symptom.objects.filter(key="webhooks-not-firing").update(published=False)
    for name, path in [("page-index", "/"), ("page-symptom", "/symptoms/high-load-storage-growth/"),
                       ("page-gone", "/symptoms/webhooks-not-firing/"),
                       ("page-not-found", "/no/such/page/")]:  # fmt: skip
        response = page.goto(live_server.url + path)
        if response.status in (404, 410):
            problems.clear()  # the browser logs the 404 status itself
        check_page(page, name, screenshot, problems)
    page.goto(live_server.url + "/symptoms/high-load-storage-growth/")
    page.get_by_role("button", name="Start diagnosis").click()
    page.locator("#check-1").get_by_label("Problem found", exact=True).check()
    page.locator("#check-1-note").fill("Two lines of note,\nso the field must show both.")
    expect(page.locator("#check-1-state")).to_have_text("Saved")
    check_page(page, "page-session", screenshot, problems)
    page.set_viewport_size({"width": 390, "height": 844})
    note = page.locator("#check-1-note")
    assert note.evaluate("el => el.scrollHeight <= el.clientHeight + 1")  # both lines show
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_label("Escalated", exact=True).check()
    page.get_by_role("button", name="Save case").click()
    expect(page.locator(".outcome")).to_have_text("Escalated")
    check_page(page, "page-case", screenshot, problems)


def test_every_staff_page(live_server, page, screenshot, problems):
    import_shipped_playbook()
    admin = make_user(Role.ADMIN, username="ada", first_name="Ada", last_name="Admin")
    make_user(Role.AGENT, username="alex", first_name="Alex", last_name="Agent-with-a-long-name")
    call_command("seed_demo_cases", "--count", "120", stdout=StringIO())
    start_session(started_by=admin, ticket="ZD-4242")
    case = Case.objects.select_related("session").order_by("-saved_at").first()
    endpoint = Endpoint.objects.create(
        url="https://helpdesk.example.com/hooks/portal", events=["case.saved", "comment.added"]
    )
    delivery = Delivery.objects.create(endpoint=endpoint, event="case.saved", payload="{}")
    Attempt.objects.create(delivery=delivery, number=1, status_code=500, duration_ms=31,
                           response_excerpt="Internal Server Error: try later")  # fmt: skip
    AuditEntry.objects.create(actor=admin, actor_name="Ada Admin", action="webhook added",
                              target=endpoint.url, details={"events": endpoint.events})  # fmt: skip
    sign_in(page, live_server, "ada")
    pages = [
        ("staff-my-cases", "/my-cases/"),
        ("staff-review", "/review/"),
        ("staff-review-filtered", "/review/?outcome=escalated&date_from=2026-01-01"),
        ("staff-case", f"{case.get_absolute_url()}?from="),
        ("staff-insights", "/review/insights/"),
        ("staff-insights-symptom", f"/review/insights/?symptom={case.symptom_id}"),
        ("staff-playbook", "/playbook/"),
        ("staff-webhooks", "/settings/webhooks/"),
        ("staff-webhook", f"/settings/webhooks/{endpoint.pk}/"),
        ("staff-privacy", "/settings/privacy/"),
        ("staff-audit", "/settings/audit/"),
        ("staff-security", "/accounts/security/"),
        ("staff-password", "/accounts/password_change/"),
        ("staff-enrol", "/accounts/security/authenticator/"),
        ("admin-index", "/admin/"),
        ("admin-symptom", f"/admin/diagnostics/symptom/{case.symptom_id}/change/"),
        ("admin-security", "/admin/diagnostics/securitysettings/1/change/"),
    ]
    for name, path in pages:
        page.goto(live_server.url + path)
        check_page(page, name, screenshot, problems)
    assert DiagnosticSession.objects.filter(case__isnull=True).exists()


def test_the_sign_in_and_error_pages(live_server, page, screenshot, problems):
    for name, path in [
        ("page-sign-in", "/accounts/login/"),
        ("page-reset", "/accounts/password_reset/"),
    ]:
        page.goto(live_server.url + path)
        check_page(page, name, screenshot, problems)
    make_user(Role.AGENT, username="alex")
    sign_in(page, live_server, "alex")
    page.goto(live_server.url + "/review/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot open this page")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    problems.clear()  # the 403 response itself is logged by the browser
    check_page(page, "page-forbidden", screenshot, problems)
    assert re.search("does not have the role", page.content())
