"""Who may open what: every URL for every role, and the menu each role sees."""

import re

import pytest
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice

from diagnostics.content.playbook import current_playbook, import_playbook
from diagnostics.http import client_address
from diagnostics.staff.models import Role
from tests.factories import PASSWORD, make_symptom, make_user, save_case, start_session

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", Role.AGENT, Role.LEAD, Role.EDITOR, Role.ADMIN]
LOGIN = "/accounts/login/"


@pytest.fixture
def urls():
    symptom = make_symptom(key="webhooks-not-firing")
    import_playbook(current_playbook(), source="test")  # revision 1
    live, saved = start_session(symptom), start_session(symptom)
    save_case(saved)
    return {
        "/": None,
        "/symptoms/webhooks-not-firing/": None,
        f"/cases/{live.token}/": None,
        f"/cases/{saved.token}/": None,
        "/my-cases/": "run_diagnosis",
        "/review/": "review_case",
        "/review/insights/": "review_case",
        "/review/cases.csv": "review_case",
        "/playbook/": "manage_playbook",
        "/playbook/export/": "manage_playbook",
        "/playbook/publish/": "manage_playbook",
        "/playbook/add-category/": "manage_playbook",
        "/playbook/add-symptom/": "manage_playbook",
        "/playbook/symptoms/webhooks-not-firing/": "manage_playbook",
        "/playbook/symptoms/webhooks-not-firing/draft/": "manage_playbook",
        "/playbook/symptoms/webhooks-not-firing/retire/": "manage_playbook",
        "/playbook/symptoms/webhooks-not-firing/checks/check-1/": "manage_playbook",
        "/playbook/history/": "manage_playbook",
        "/playbook/history/1/": "manage_playbook",
        "/playbook/history/1/yaml/": "manage_playbook",
        "/playbook/history/1/restore/": "manage_playbook",
        "/playbook/history/compare/": "manage_playbook",
        "/settings/webhooks/": "admin",
        "/settings/privacy/": "admin",
        "/settings/audit/": "admin",
        "/admin/": "admin",
        "/admin/diagnostics/symptom/": "admin",
        "/admin/auth/user/": "admin",
        "/accounts/security/": "signed_in",
        "/accounts/password_change/": "signed_in",
        LOGIN: None,
        "/accounts/password_reset/": None,
    }


# What each role may open, beyond the public pages.
ALLOWED = {
    "anonymous": set(),
    Role.AGENT: {"run_diagnosis", "signed_in"},
    Role.LEAD: {"run_diagnosis", "review_case", "signed_in"},
    Role.EDITOR: {"manage_playbook", "signed_in"},
    Role.ADMIN: {"run_diagnosis", "review_case", "manage_playbook", "admin", "signed_in"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_what_it_may(client, urls, role):
    if role != "anonymous":
        client.force_login(make_user(role))
    seen = {}
    for url in urls:
        response = client.get(url, follow=True)  # where a person ends up
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        seen[url] = "login" if final.startswith(LOGIN) and url != LOGIN else response.status_code
    expected = {
        url: 200
        if needs is None or needs in ALLOWED[role]
        else ("login" if role == "anonymous" else 403)
        for url, needs in urls.items()
    }
    assert seen == expected


def test_the_admin_sends_anonymous_visitors_to_the_portal_sign_in(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    assert "Staff sign in" in response.content.decode()


def menu(client):
    """The menu's links, then its buttons, as a person reads them."""
    html = client.get("/").content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S).group(1)
    links = re.findall(r"<a [^>]*>([^<]+)</a>", nav)
    buttons = re.findall(r"<button [^>]*>([^<]+)<", nav)
    return [label.strip() for label in links + buttons]


@pytest.mark.parametrize(
    ("role", "items"),
    [
        ("anonymous", ["Symptoms"]),
        (Role.AGENT, ["Symptoms", "My cases", "Security", "Sign out"]),
        (Role.LEAD, ["Symptoms", "My cases", "Review", "Security", "Sign out"]),
        (Role.EDITOR, ["Symptoms", "Playbook", "Security", "Sign out"]),
        (
            Role.ADMIN,
            [
                "Symptoms",
                "My cases",
                "Review",
                "Playbook",
                "Webhooks",
                "Privacy",
                "Audit log",
                "Admin",
                "Security",
                "Sign out",
            ],
        ),
    ],
)
def test_the_menu_shows_only_what_the_role_may_open(client, role, items):
    if role != "anonymous":
        client.force_login(make_user(role))
    assert menu(client) == items


def test_sign_out_is_a_post(client):
    client.force_login(make_user(Role.AGENT))
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_sign_in_goes_back_to_next_only_on_this_site(client):
    make_user(Role.AGENT, username="agent")
    data = {"username": "agent", "password": PASSWORD}
    response = client.post(f"{LOGIN}?next=/my-cases/", {**data, "next": "/my-cases/"})
    assert response["Location"] == "/my-cases/"
    client.logout()
    response = client.post(LOGIN, {**data, "next": "https://evil.example.com/"})
    assert response["Location"] == "/"


def test_a_wrong_password_gets_a_clear_message(client):
    make_user(Role.AGENT, username="agent")
    response = client.post(LOGIN, {"username": "agent", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_password_attempts_are_locked_out_with_a_message_saying_when(client):
    make_user(Role.AGENT, username="agent")
    for _ in range(5):
        client.post(LOGIN, {"username": "agent", "password": "wrong"})
    response = client.post(LOGIN, {"username": "agent", "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 429
    assert "Too many wrong passwords for this account" in html
    assert "Try again in 0:15:00" in html
    assert "_auth_user_id" not in client.session


def test_password_reset_mails_a_link_to_this_site(client, mailoutbox):
    make_user(Role.AGENT, username="agent", first_name="Alex")
    response = client.post("/accounts/password_reset/", {"email": "agent@example.com"})
    assert response.status_code == 302
    assert len(mailoutbox) == 0  # that address has no account: nothing is sent, nothing said
    user = make_user(Role.AGENT)
    client.post("/accounts/password_reset/", {"email": user.email})
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.subject == "Reset your diagnostic portal password"
    link = re.search(r"http://testserver(/accounts/reset/\S+)", message.body).group(1)
    response = client.get(link, follow=True)
    assert "Choose a new password" in response.content.decode()


def test_every_migrate_restores_the_roles_and_their_permissions():
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    Group.objects.all().delete()
    call_command("migrate", verbosity=0)
    perms = {
        group.name: set(group.permissions.values_list("codename", flat=True))
        for group in Group.objects.all()
    }
    assert perms[Role.AGENT] == {"run_diagnosis"}
    assert perms[Role.LEAD] == {"run_diagnosis", "review_case", "view_case"}
    assert {"manage_playbook", "change_user", "change_securitysettings"} <= perms[Role.ADMIN]
    assert {"manage_playbook", "change_symptom", "view_playbookrevision"} <= perms[Role.EDITOR]
    assert not {"change_user", "change_securitysettings", "run_diagnosis"} & perms[Role.EDITOR]
    assert perms[Role.EDITOR] <= perms[Role.ADMIN]  # admins can do everything editors can


def test_behind_a_proxy_a_request_without_forwarded_for_is_still_locked_out(client, settings):
    settings.NUM_PROXIES = 1
    make_user(Role.AGENT, username="agent")
    for _ in range(5):
        client.post(LOGIN, {"username": "agent", "password": "wrong"}, REMOTE_ADDR="192.0.2.7")
    response = client.post(
        LOGIN, {"username": "agent", "password": PASSWORD}, REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 429


@pytest.mark.parametrize("header", [None, "", " , ", "not-an-address", "203.0.113.5, junk"])
def test_a_missing_or_bad_forwarded_for_falls_back_to_the_connecting_address(rf, settings, header):
    settings.NUM_PROXIES = 1
    headers = {} if header is None else {"X-Forwarded-For": header}
    request = rf.get("/", REMOTE_ADDR="192.0.2.7", headers=headers)
    assert client_address(request) == "192.0.2.7"


def test_behind_two_proxies_the_address_the_farther_one_saw_is_used(rf, settings):
    settings.NUM_PROXIES = 2
    headers = {"X-Forwarded-For": "198.51.100.1, 203.0.113.5, 10.0.0.2"}
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.3", headers=headers)) == "203.0.113.5"


# -- The Django admin: only superusers make superusers ---------------------------------------


def test_an_admin_cannot_make_themselves_superuser(client):
    admin = make_user(Role.ADMIN, username="ada")
    client.force_login(admin)
    url = f"/admin/auth/user/{admin.pk}/change/"
    html = client.get(url).content.decode()
    assert 'name="is_superuser"' not in html
    data = {
        "username": "ada", "is_active": "on", "is_staff": "on", "is_superuser": "on",
        "groups": [g.pk for g in admin.groups.all()], "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    admin.refresh_from_db()
    assert not admin.is_superuser


def test_an_admin_cannot_touch_a_superuser(client):
    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    client.force_login(make_user(Role.ADMIN))
    assert client.get(f"/admin/auth/user/{root.pk}/password/").status_code == 403
    response = client.post(
        f"/admin/auth/user/{root.pk}/password/",
        {
            "password1": "taken over 12345",
            "password2": "taken over 12345",
            "usable_password": "true",
        },
    )
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.check_password(PASSWORD)
    assert client.post(f"/admin/auth/user/{root.pk}/delete/", {"post": "yes"}).status_code == 403


def test_a_superuser_still_grants_superuser_status(admin_client):
    user = make_user(Role.ADMIN, username="ada")
    html = admin_client.get(f"/admin/auth/user/{user.pk}/change/").content.decode()
    assert 'name="is_superuser"' in html


def test_password_resets_are_limited_per_email_whether_or_not_it_has_an_account(
    client, mailoutbox, settings
):
    settings.PASSWORD_RESETS_PER_EMAIL_PER_HOUR = 3
    user = make_user(Role.AGENT)
    answers = {}
    for email in (user.email, "nobody@example.com"):
        statuses = [
            client.post("/accounts/password_reset/", {"email": email}).status_code for _ in range(5)
        ]
        answers[email] = statuses
    assert answers[user.email] == answers["nobody@example.com"] == [302, 302, 302, 429, 429]
    assert len(mailoutbox) == 3


def test_password_resets_are_limited_per_client_address(client, mailoutbox, settings):
    settings.PASSWORD_RESETS_PER_HOUR = 4
    users = [make_user(Role.AGENT) for _ in range(6)]
    statuses = [
        client.post("/accounts/password_reset/", {"email": user.email}).status_code
        for user in users
    ]
    assert statuses == [302] * 4 + [429] * 2
    assert len(mailoutbox) == 4
    response = client.post("/accounts/password_reset/", {"email": users[0].email})
    assert "Too many password reset requests" in response.content.decode()
    other = client.post(
        "/accounts/password_reset/", {"email": users[5].email}, REMOTE_ADDR="192.0.2.99"
    )
    assert other.status_code == 302


def test_an_admin_cannot_see_or_delete_a_superusers_second_factor(client):
    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    device = TOTPDevice.objects.create(user=root, name="Root's phone", confirmed=True)
    client.force_login(make_user(Role.ADMIN))
    assert "Root&#x27;s phone" not in client.get("/admin/otp_totp/totpdevice/").content.decode()
    client.post(
        "/admin/otp_totp/totpdevice/",
        {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"},
    )
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code in (302, 404)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_staff_without_a_role_are_not_shown_the_admin(client):
    client.force_login(User.objects.create_user("staffer", password=PASSWORD, is_staff=True))
    assert 'href="/admin/"' not in client.get("/").content.decode()


def test_a_request_for_another_host_gets_a_400_in_the_layout(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert 'class="site-header"' in response.content.decode()  # drawn, not the fallback
