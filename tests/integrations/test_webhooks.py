"""Webhooks to a real receiver on 127.0.0.1, signed as Standard Webhooks says, retried and
logged by the task queue's real worker."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from standardwebhooks import Webhook

from diagnostics.integrations.models import Attempt, Delivery, DeliveryState, Endpoint
from diagnostics.integrations.sending import AddressRefused, check_url
from tests.factories import make_case, save_case, start_session
from tests.integrations.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def local_receivers(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_RETRY_DELAYS = [0, 0, 0]


def run_worker():
    """The queue's own worker, until nothing is left that is due."""
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--queue-name", "*",
        verbosity=0, stdout=StringIO(),
    )  # fmt: skip


def endpoint(url, events=("case.saved",)):
    return Endpoint.objects.create(url=url, events=list(events))


def test_a_saved_case_reaches_the_receiver_signed_with_the_endpoint_s_secret():
    with Receiver([200]) as receiver:
        hook = endpoint(receiver.url)
        session = start_session()
        save_case(session, summary="Fixed by the URL")
        run_worker()
    [got] = receiver.received
    body = Webhook(hook.secret).verify(got.body, got.headers)  # raises unless signed right
    assert body["type"] == "case.saved"
    record = body["data"]["case"]
    assert record["url"].endswith(f"/cases/{session.token}/")
    assert record["summary"] == "Fixed by the URL"
    assert got.headers["webhook-id"] == Delivery.objects.get().message_id
    assert Delivery.objects.get().state == DeliveryState.SUCCEEDED


def test_a_failing_receiver_gets_every_retry_with_the_same_webhook_id():
    with Receiver([500, 500, 200]) as receiver:
        endpoint(receiver.url)
        make_case()
        run_worker()
    ids = {got.headers["webhook-id"] for got in receiver.received}
    assert len(receiver.received) == 3
    assert len(ids) == 1
    attempts = list(Attempt.objects.order_by("number").values_list("number", "status_code"))
    assert attempts == [(1, 500), (2, 500), (3, 200)]
    assert Delivery.objects.get().state == DeliveryState.SUCCEEDED


def test_410_gone_turns_the_endpoint_off():
    with Receiver([410]) as receiver:
        hook = endpoint(receiver.url)
        make_case()
        run_worker()
        make_case()  # nothing more is sent to it
        run_worker()
    hook.refresh_from_db()
    assert not hook.enabled
    assert "410" in hook.disabled_reason
    assert len(receiver.received) == 1


def test_retries_run_out_and_the_delivery_is_given_up():
    with Receiver([503]) as receiver:
        endpoint(receiver.url)
        make_case()
        run_worker()
    assert len(receiver.received) == 4  # the first attempt and three retries
    assert Delivery.objects.get().state == DeliveryState.FAILED


def test_a_rotated_secret_and_the_old_one_both_verify_for_a_day():
    with Receiver([200]) as receiver:
        hook = endpoint(receiver.url)
        old = hook.secret
        new = hook.rotate_secret()
        make_case()
        run_worker()
    [got] = receiver.received
    Webhook(old).verify(got.body, got.headers)
    Webhook(new).verify(got.body, got.headers)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1/hook", "http://localhost/hook", "http://10.0.0.5/", "http://[::1]/",
     "http://169.254.169.254/latest/meta-data/", "ftp://example.com/", "http://user:pw@example.com/"],
)  # fmt: skip
def test_private_loopback_and_link_local_addresses_are_refused(settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(AddressRefused):
        check_url(url)


def test_the_clock_is_scheduled_once_and_schedules_its_next_run():
    from django_tasks_db.models import DBTaskResult

    from diagnostics.integrations.jobs import CLOCK, ensure_scheduled

    call_command("schedule_jobs", stdout=StringIO())
    call_command("schedule_jobs", stdout=StringIO())
    assert DBTaskResult.objects.filter(task_path=CLOCK).count() == 1
    assert ensure_scheduled() is False
    run_worker()  # runs the clock once; it queues its next run a minute on
    waiting = DBTaskResult.objects.filter(task_path=CLOCK, status="READY")
    assert waiting.count() == 1
    assert waiting.get().run_after is not None


def test_what_a_customer_typed_reaches_the_receiver_only_masked(client):
    with Receiver([200]) as receiver:
        endpoint(receiver.url)
        session = start_session()
        client.post(
            f"/cases/{session.token}/checks/1/",
            {"status": "problem", "note": "card 4111 1111 1111 1111, mail jo@example.com"},
        )
        client.post(
            f"/cases/{session.token}/save/",
            {"outcome": "not_resolved", "summary": "IBAN DE89370400440532013000"},
        )
        run_worker()
    [got] = receiver.received
    body = got.body.decode()
    for secret in ("4111", "jo@example.com", "DE8937"):
        assert secret not in body
    case = json.loads(body)["data"]["case"]
    assert case["checks"][0]["note"] == "card [card number removed], mail [e-mail address removed]"
    assert case["summary"] == "IBAN [IBAN removed]"


def test_a_receiver_that_drips_its_answer_cannot_hold_the_worker(monkeypatch):
    import socket
    import threading
    import time

    from diagnostics.integrations import sending

    monkeypatch.setattr(sending, "TIMEOUT", 1)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def drip():
        conn, _ = server.accept()
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
        for _ in range(10):
            time.sleep(0.4)
            try:
                conn.sendall(b"x")
            except OSError:
                break
        conn.close()

    threading.Thread(target=drip, daemon=True).start()
    started = time.monotonic()
    answer = sending.post(f"http://127.0.0.1:{server.getsockname()[1]}/", "{}", {}, 500)
    assert time.monotonic() - started < 2.5
    assert answer.status_code == 200
    server.close()


def test_a_clock_that_died_with_its_worker_is_started_again_by_the_next_event():
    from django_tasks_db.models import DBTaskResult

    from diagnostics.integrations.jobs import CLOCK, ensure_scheduled

    ensure_scheduled()
    DBTaskResult.objects.filter(task_path=CLOCK).update(
        status="RUNNING", started_at=timezone.now() - timedelta(hours=1)
    )
    with Receiver([200]) as receiver:
        endpoint(receiver.url)
        make_case()  # an event: it checks the clock is going
    assert DBTaskResult.objects.filter(task_path=CLOCK, status="READY").count() == 1
