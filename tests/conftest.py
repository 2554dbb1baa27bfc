import os
from pathlib import Path

import pytest

from diagnostics.staff.models import Role, SecuritySettings
from tests.factories import import_shipped_playbook, make_user

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture
def screenshot(page):
    """Save the page at desktop and phone width under test-artifacts/screenshots/."""
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)

    def take(name):
        for label, size in (("desktop", (1280, 800)), ("phone", (390, 844))):
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.screenshot(path=folder / f"{name}-{label}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

    return take


@pytest.fixture
def problems(page):
    """Console errors (CSP violations are reported there) and uncaught exceptions."""
    seen = []
    page.on("console", lambda m: m.type == "error" and seen.append(m.text))
    page.on("pageerror", lambda e: seen.append(str(e)))
    return seen


@pytest.fixture(autouse=True)
def no_shared_page_cache(settings):
    # Each test makes its own content, often under the same revision number: pages shared
    # between visitors are cached only in the tests of that cache (tests/content/test_shared).
    settings.SHARED_PAGE_CACHE = "none"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests only need passwords to match.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# -- Staff, signed in through the test client --------------------------------------------------


def signed_in(client, role, name):
    first, last = name.split()
    user = make_user(role, username=role.name.lower(), first_name=first, last_name=last)
    client.force_login(user)
    # The settings row a migration makes, as a portal always has it: a browser test's flush
    # (transactional) on the same worker may have removed it, and its first read would then
    # add three queries to a page's pinned count.
    SecuritySettings.load()
    return user


@pytest.fixture
def agent(client):
    return signed_in(client, Role.AGENT, "Alex Agent")


@pytest.fixture
def lead(client):
    return signed_in(client, Role.LEAD, "Lee Lead")


@pytest.fixture
def editor(client):
    return signed_in(client, Role.EDITOR, "Eddie Editor")


@pytest.fixture
def admin(client):
    return signed_in(client, Role.ADMIN, "Ada Admin")


@pytest.fixture
def shipped_playbook(db):
    """The playbook the portal ships with, imported as `make run` imports it."""
    import_shipped_playbook()
