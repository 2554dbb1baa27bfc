"""The admins' webhooks pages and `manage.py webhooks`."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diagnostics.integrations.models import Attempt, Delivery, Endpoint
from diagnostics.staff.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def resolvable(monkeypatch):
    """No DNS here: example.com resolves to a public documentation-free address."""
    import socket

    real = socket.getaddrinfo

    def fake(host, port, *args, **kwargs):
        if host.endswith("example.com"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


def add(client, url="https://helpdesk.example.com/hooks", events=("case.saved",)):
    return client.post("/settings/webhooks/", {"url": url, "events": list(events), "enabled": "on"})


def test_a_new_webhook_s_secret_is_shown_once(client, admin):
    response = add(client)
    endpoint = Endpoint.objects.get()
    assert response["Location"] == f"/settings/webhooks/{endpoint.pk}/"
    first = client.get(response["Location"]).content.decode()
    assert endpoint.secret in first
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret not in client.get(response["Location"]).content.decode()
    assert AuditEntry.objects.filter(action="webhook added", actor=admin).exists()


def test_a_private_address_is_refused_with_the_reason(client, admin):
    response = add(client, url="http://127.0.0.1:8000/hook")
    assert response.status_code == 400
    assert "resolves to 127.0.0.1, a loopback, private or link-local address" in (
        response.content.decode()
    )
    assert not Endpoint.objects.exists()


def test_rotating_keeps_the_old_secret_signing_for_a_day(client, admin):
    add(client)
    endpoint = Endpoint.objects.get()
    old = endpoint.secret
    client.get(f"/settings/webhooks/{endpoint.pk}/")  # the first showing
    client.post(f"/settings/webhooks/{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    assert endpoint.signing_secrets() == [endpoint.secret, old]
    assert endpoint.secret in client.get(f"/settings/webhooks/{endpoint.pk}/").content.decode()


def test_send_test_event_and_send_again_queue_a_delivery(client, admin):
    add(client)
    endpoint = Endpoint.objects.get()
    client.post(f"/settings/webhooks/{endpoint.pk}/test/")
    delivery = Delivery.objects.get()
    assert delivery.event == "test"
    Delivery.objects.filter(pk=delivery.pk).update(state="failed")
    client.post(f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/again/")
    delivery.refresh_from_db()
    assert delivery.state == "pending"


def test_only_admins_manage_webhooks(client, lead):
    assert client.get("/settings/webhooks/").status_code == 403
    assert add(client).status_code == 403


def test_the_webhook_pages_run_the_same_queries_however_long_the_log(client, admin):
    add(client)
    endpoint = Endpoint.objects.get()
    client.get(f"/settings/webhooks/{endpoint.pk}/")  # the secret's one showing
    pages = ["/settings/webhooks/", f"/settings/webhooks/{endpoint.pk}/"]

    def queries_with(deliveries):
        Delivery.objects.all().delete()
        for _ in range(deliveries):
            delivery = Delivery.objects.create(endpoint=endpoint, event="case.saved", payload="{}")
            Attempt.objects.create(delivery=delivery, number=1, status_code=500)
        counts = []
        for url in pages:
            client.get(url)  # the first request after sign-in also updates the session
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    few, many = queries_with(3), queries_with(60)
    assert few == many
    assert few[0] <= 8
    assert few[1] <= 11


def test_the_command_adds_lists_and_removes_endpoints():
    out = StringIO()
    call_command("webhooks", "add", "https://helpdesk.example.com/h",
                 "--events", "case.saved,comment.added", stdout=out, stderr=StringIO())  # fmt: skip
    found = re.search(r"id: (\d+)\nsecret: (whsec_\S+)", out.getvalue())
    endpoint = Endpoint.objects.get(pk=found.group(1))
    assert endpoint.secret == found.group(2)
    assert endpoint.events == ["case.saved", "comment.added"]
    listing = StringIO()
    call_command("webhooks", "list", stdout=listing)
    assert f"{endpoint.pk}\ton\thttps://helpdesk.example.com/h" in listing.getvalue()
    with pytest.raises(CommandError, match=r"Unknown events: case\.deleted"):
        call_command("webhooks", "add", "https://x.example.com/", "--events", "case.deleted")
    with pytest.raises(CommandError, match="loopback, private or link-local"):
        call_command("webhooks", "add", "http://10.1.2.3/", "--events", "case.saved")
    call_command("webhooks", "remove", str(endpoint.pk), stdout=StringIO())
    assert not Endpoint.objects.exists()
    with pytest.raises(CommandError, match="No webhook endpoint"):
        call_command("webhooks", "remove", str(endpoint.pk))


def test_send_again_to_a_webhook_turned_off_says_to_turn_it_on(client, admin):
    add(client)
    endpoint = Endpoint.objects.get()
    delivery = Delivery.objects.create(
        endpoint=endpoint, event="case.saved", payload="{}", state="failed"
    )
    endpoint.disable("410")
    response = client.post(
        f"/settings/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/again/", follow=True
    )
    assert "turn it on first" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.state == "failed"


@pytest.mark.parametrize(
    "url",
    ["http://[::127.0.0.1]/", "http://[64:ff9b::a00:1]/", "http://[2002:7f00:1::]/",
     "http://[::ffff:10.0.0.1]/"],
)  # fmt: skip
def test_ipv6_addresses_carrying_a_private_ipv4_are_refused(url):
    from diagnostics.integrations.sending import AddressRefused, check_url

    with pytest.raises(AddressRefused):
        check_url(url)


def test_removing_a_webhook_asks_first(client, admin):
    add(client)
    endpoint = Endpoint.objects.get()
    page = client.get(f"/settings/webhooks/{endpoint.pk}/remove/")
    assert "Remove this webhook?" in page.content.decode()
    assert Endpoint.objects.exists()
    client.post(f"/settings/webhooks/{endpoint.pk}/remove/")
    assert not Endpoint.objects.exists()


def test_the_command_refuses_a_bad_url_in_words_and_keeps_each_event_once():
    with pytest.raises(CommandError, match="url"):
        call_command("webhooks", "add", "https://helpdesk.example.com/a b", "--events",
                     "case.saved")  # fmt: skip
    call_command("webhooks", "add", "https://helpdesk.example.com/a", "--events",
                 "case.saved,case.saved", stdout=StringIO(), stderr=StringIO())  # fmt: skip
    assert Endpoint.objects.get().events == ["case.saved"]


def test_an_unknown_case_s_json_is_a_json_404(client):
    response = client.get("/cases/nope.json")
    assert response.status_code == 404
    assert response.json() == {"error": "No case has this link."}
