"""Bad input gets a clear 4xx in the portal's layout, never a 500, and changes nothing."""

import re

import pytest
from django.test import Client

from diagnostics.diagnosis.models import DiagnosticSession
from diagnostics.staff.models import Role
from tests.factories import make_symptom, make_user, start_session

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"
LAYOUT = 'class="site-header"'


@pytest.fixture
def client():
    """A browser that sends its CSRF token, as a real one does."""
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def token_for(client, url):
    html = client.get(url).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize(
    "content_type",
    [
        f"{FORM}; charset=latin-1",
        f"{FORM}; charset=bogus",
        "multipart/form-data; charset=latin-1; boundary=x",
    ],
)
@pytest.mark.parametrize("url", ["/", "/symptoms/{key}/start/", "/accounts/login/", "/review/"])
def test_a_form_in_another_charset_gets_a_400_in_the_layout(client, content_type, url):
    symptom = make_symptom()
    token = token_for(client, "/accounts/login/")
    body = f"csrfmiddlewaretoken={token}&username=a%E9".encode()
    # Set as the header: the test client itself cannot encode for an unknown charset.
    response = client.post(
        url.format(key=symptom.key), body, content_type=FORM, CONTENT_TYPE=content_type
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert LAYOUT in html
    assert "only as UTF-8" in html
    assert not DiagnosticSession.objects.exists()


@pytest.mark.parametrize(
    "body", [b"status=ok&note=caf%E9", b"status=ok&note=caf\xe9", b"status=ok&note=%FF%FE"]
)
def test_a_note_that_is_not_utf8_is_refused_and_nothing_is_stored(client, body):
    session = start_session()
    token = token_for(client, session.get_absolute_url())
    response = client.post(
        f"/cases/{session.token}/checks/1/", b"csrfmiddlewaretoken=" + token.encode() + b"&" + body,
        content_type=FORM,
    )  # fmt: skip
    assert response.status_code == 400
    assert "only as UTF-8" in response.content.decode()
    result = session.results.get(position=1)
    assert (result.status, result.note) == ("pending", "")


def test_a_ticket_that_is_not_utf8_starts_nothing(client):
    client.force_login(make_user(Role.AGENT))
    symptom = make_symptom()
    token = token_for(client, "/accounts/login/")
    body = f"csrfmiddlewaretoken={token}&ticket=ZD-%FF".encode()
    response = client.post(f"/symptoms/{symptom.key}/start/", body, content_type=FORM)
    assert response.status_code == 400
    assert not DiagnosticSession.objects.exists()


def test_a_query_that_is_not_utf8_gets_a_400(client):
    client.force_login(make_user(Role.LEAD))
    response = client.get("/review/?q=%FF")
    assert response.status_code == 400
    assert LAYOUT in response.content.decode()


def test_utf8_text_in_any_script_is_kept(client):
    session = start_session()
    token = token_for(client, session.get_absolute_url())
    note = "Café, Straße, 東京, emoji 🎉"
    response = client.post(
        f"/cases/{session.token}/checks/1/",
        {"csrfmiddlewaretoken": token, "status": "ok", "note": note},
    )
    assert response.status_code == 302
    assert session.results.get(position=1).note == note


def test_a_form_without_its_token_gets_a_403_that_says_why(client):
    response = client.post("/accounts/login/", {"username": "a", "password": "b"})
    html = response.content.decode()
    assert response.status_code == 403
    assert LAYOUT in html
    assert "security check failed" in html
    assert "Reload the page" in html


def test_a_403_uses_the_layout_and_says_why(client):
    client.force_login(make_user(Role.AGENT))
    response = client.get("/review/")
    html = response.content.decode()
    assert response.status_code == 403
    assert LAYOUT in html
    assert "does not have the role this page needs" in html
    assert 'href="/my-cases/"' in html  # the menu, to go on from here


def test_a_404_uses_the_layout(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert LAYOUT in response.content.decode()


def test_an_error_page_that_cannot_be_drawn_still_answers(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the layout is broken")

    monkeypatch.setattr("diagnostics.errors.render", broken)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.content.decode()


def test_a_refusal_is_logged_as_one_line_and_a_server_error_with_its_traceback():
    import logging
    import sys

    from diagnostics.errors import NoTracebackBelow500

    try:
        raise PermissionError("no")
    except PermissionError:
        info = sys.exc_info()
    refusal = logging.LogRecord("django.request", 30, "", 0, "Forbidden", (), info)
    refusal.status_code = 403
    failure = logging.LogRecord("django.request", 40, "", 0, "Server error", (), info)
    failure.status_code = 500
    NoTracebackBelow500().filter(refusal)
    NoTracebackBelow500().filter(failure)
    assert refusal.exc_info is None
    assert failure.exc_info == info


def test_anyone_may_start_without_a_token_but_signed_in_staff_need_theirs(client):
    # The shared symptom page carries no per-visitor token: starting is harmless for a
    # visitor. A signed-in agent's start (with a ticket) is checked as every staff form is.
    symptom = make_symptom()
    assert client.post(f"/symptoms/{symptom.key}/start/").status_code == 302
    client.force_login(make_user(Role.AGENT))
    response = client.post(f"/symptoms/{symptom.key}/start/", {"ticket": "ZD-1"})
    assert response.status_code == 403
    token = token_for(client, f"/symptoms/{symptom.key}/")
    response = client.post(
        f"/symptoms/{symptom.key}/start/", {"ticket": "ZD-1", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
