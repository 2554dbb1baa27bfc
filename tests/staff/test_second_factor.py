"""Staff second factor: authenticator apps (TOTP) and single-use backup codes."""

import re
from base64 import b32encode
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from diagnostics.staff.models import SecuritySettings
from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

ENROL = "/accounts/security/authenticator/"
VERIFY = "/accounts/verify/"


def enrolled(user, client):
    """Enrol `user` through the pages; returns the device and the backup codes shown."""
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    client.post(ENROL, {"code": totp_code(device)})
    codes = re.findall(
        r"<li><code>(\w+)</code></li>",
        client.get("/accounts/security/backup-codes/").content.decode(),
    )
    device.refresh_from_db()
    return device, codes


@pytest.fixture
def policy_on():
    SecuritySettings.objects.update_or_create(pk=1, defaults={"require_second_factor": True})


def sign_in(client, next_url="/my-cases/"):
    client.logout()
    return client.post(
        f"/accounts/login/?next={next_url}",
        {"username": "agent", "password": PASSWORD, "next": next_url},
        follow=True,
    )


def test_enrolment_shows_a_qr_code_and_the_key_as_text(client, agent):
    html = client.get(ENROL).content.decode()
    device = TOTPDevice.objects.get(user=agent, confirmed=False)
    assert "<svg" in html
    key = re.search(r'<code class="key">([A-Z2-7 ]+)</code>', html).group(1).replace(" ", "")
    assert key.encode() == b32encode(device.bin_key)


def test_enrolment_needs_a_right_code_then_shows_ten_backup_codes_once(client, agent):
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=agent)
    response = client.post(ENROL, {"code": "000000" if totp_code(device) != "000000" else "111111"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.get(user=agent).confirmed
    # A wrong code locks the device for a second; the person takes longer to type the next.
    TOTPDevice.objects.filter(user=agent).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2)
    )

    response = client.post(ENROL, {"code": totp_code(device)}, follow=True)
    html = response.content.decode()
    assert TOTPDevice.objects.get(user=agent).confirmed
    assert "this is the only time they are shown" in html
    codes = re.findall(r"<li><code>(\w+)</code></li>", html)
    assert len(codes) == 10
    assert client.get("/accounts/security/backup-codes/").status_code == 302  # shown once


def test_with_the_policy_on_staff_without_an_app_are_taken_to_enrolment(client, agent, policy_on):
    response = sign_in(client)
    assert response.redirect_chain[-1][0] == f"{ENROL}?next=%2Fmy-cases%2F"
    assert "Set up an authenticator app" in response.content.decode()


def test_with_the_policy_off_no_code_is_asked(client, agent):
    response = sign_in(client)
    assert response.redirect_chain[-1][0] == "/my-cases/"
    assert response.status_code == 200


def test_staff_with_an_app_give_a_code_before_any_staff_page(client, agent):
    device, _ = enrolled(agent, client)
    response = sign_in(client)
    assert response.redirect_chain[-1][0] == f"{VERIFY}?next=%2Fmy-cases%2F"
    for url in ["/my-cases/", "/admin/", "/accounts/security/"]:
        assert client.get(url)["Location"].startswith(VERIFY)

    response = client.post(VERIFY, {"code": totp_code(device, 1), "next": "/my-cases/"})
    assert response["Location"] == "/my-cases/"
    assert client.get("/my-cases/").status_code == 200


def test_a_backup_code_works_once(client, agent):
    _, codes = enrolled(agent, client)
    sign_in(client)
    response = client.post(VERIFY, {"code": codes[0], "next": "/my-cases/"})
    assert response["Location"] == "/my-cases/"
    assert StaticToken.objects.filter(device__user=agent).count() == 9

    sign_in(client)
    response = client.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()


def test_a_wrong_code_gets_a_clear_error(client, agent):
    device, _ = enrolled(agent, client)
    sign_in(client)
    wrong = "123456" if totp_code(device) != "123456" else "654321"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 400
    assert "That code is not right. Check the time on your phone, or use a backup code." in (
        response.content.decode()
    )
    assert client.get("/my-cases/")["Location"].startswith(VERIFY)


def test_repeated_wrong_codes_lock_the_code_step_and_say_when_to_try_again(client, agent):
    device, _ = enrolled(agent, client)
    sign_in(client)
    # Five wrong codes in a row, the last just now: the next try must wait 16 seconds.
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=agent).update(
            throttling_failure_count=5, throttling_failure_timestamp=timezone.now()
        )
    response = client.post(VERIFY, {"code": totp_code(device, 1)})  # right, but locked
    html = response.content.decode()
    assert response.status_code == 429
    assert re.search(
        r"Too many wrong codes\. Try again in 1[56] seconds \(after [\d:]{8}\)\.", html
    )
    assert client.get("/my-cases/")["Location"].startswith(VERIFY)


def test_the_enrol_page_cannot_be_used_to_skip_the_code(client, agent):
    enrolled(agent, client)
    sign_in(client)
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=agent).count() == 1


def test_new_backup_codes_replace_the_old_ones(client, agent):
    _, old = enrolled(agent, client)
    response = client.post("/accounts/security/backup-codes/new/", follow=True)
    new = re.findall(r"<li><code>(\w+)</code></li>", response.content.decode())
    assert len(new) == 10
    assert set(
        StaticToken.objects.filter(device__user=agent).values_list("token", flat=True)
    ) == set(new)
    assert not set(old) & set(new)


def test_the_password_cannot_be_changed_without_the_code(client, agent):
    enrolled(agent, client)
    sign_in(client)  # the password only
    data = {
        "old_password": PASSWORD,
        "new_password1": "a whole new passphrase 42",
        "new_password2": "a whole new passphrase 42",
    }
    for url in ["/accounts/password_change/", "/accounts/password_change/done/"]:
        assert client.get(url)["Location"].startswith(VERIFY)
    assert client.post("/accounts/password_change/", data)["Location"].startswith(VERIFY)
    agent.refresh_from_db()
    assert agent.check_password(PASSWORD)


def test_only_signing_in_out_and_the_code_step_are_open_before_the_code(client, agent):
    enrolled(agent, client)
    sign_in(client)
    assert client.get(VERIFY).status_code == 200
    for url in [
        "/accounts/security/",
        "/accounts/security/backup-codes/",
        "/accounts/password_reset/",
    ]:
        assert client.get(url)["Location"].startswith(VERIFY), url
    assert client.post("/accounts/logout/")["Location"] == "/"


def test_a_right_code_just_after_a_wrong_one_says_to_wait_a_moment(client, agent):
    device, _ = enrolled(agent, client)
    sign_in(client)
    wrong = "123456" if totp_code(device, 1) != "123456" else "654321"
    client.post(VERIFY, {"code": wrong})
    response = client.post(VERIFY, {"code": totp_code(device, 1)})
    html = response.content.decode()
    assert "Wait a moment, then enter the code again" in html
    assert "That code is not right" not in html


def test_forced_set_up_says_why(client, agent, policy_on):
    html = client.get(ENROL).content.decode()
    assert "This portal requires a second factor for all staff" in html
