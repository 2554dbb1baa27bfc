"""The queue survives its worker: a real `db_worker` process killed between attempts, or in
the middle of one, and the delivery still arrives, with the same webhook-id."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from diagnostics.integrations.models import Delivery, DeliveryState, Endpoint
from diagnostics.integrations.tasks import resume_deliveries
from tests.factories import ROOT, make_case
from tests.integrations.receiver import Receiver

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def database_url():
    """The test database, for a worker in another process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = f"{db['USER']}:{db['PASSWORD']}@" if db["USER"] else ""
    return f"postgres://{auth}{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker():
    env = {
        **os.environ, "DATABASE_URL": database_url(), "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "true",
        "WEBHOOK_RETRY_DELAYS": "2,2,2", "DEBUG": "false", "SECRET_KEY": "k" * 50,
        "LOCAL_ENV": "",
    }  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--no-reload",
         "--interval", "0.2", "--queue-name", "*", "-v0"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_worker_killed_mid_retry_is_replaced_and_the_delivery_still_arrives(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    with Receiver([500, 200]) as receiver:
        Endpoint.objects.create(url=receiver.url, events=["case.saved"])
        first = start_worker()
        try:
            make_case()
            wait_for(lambda: len(receiver.received) == 1)  # the first attempt failed...
            wait_for(lambda: Delivery.objects.get().attempts == 1)
        finally:
            first.send_signal(signal.SIGKILL)  # ...and its worker dies before the retry
            first.wait()
        assert Delivery.objects.get().state == DeliveryState.PENDING
        second = start_worker()
        try:
            wait_for(lambda: Delivery.objects.get().state == DeliveryState.SUCCEEDED)
        finally:
            second.terminate()
            second.wait()
    assert len(receiver.received) == 2
    assert len({got.headers["webhook-id"] for got in receiver.received}) == 1


def test_a_delivery_held_by_a_worker_that_died_mid_attempt_is_resumed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    with Receiver([200]) as receiver:
        Endpoint.objects.create(url=receiver.url, events=["case.saved"])
        make_case()
        # A worker claimed it and died: its claim ran out, its task is gone.
        Delivery.objects.update(
            claimed_until=timezone.now() - timedelta(seconds=1),
            next_attempt_at=timezone.now() - timedelta(minutes=2),
        )
        DBTaskResult.objects.all().delete()
        assert resume_deliveries() == 1
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload",
                     "--queue-name", "*", verbosity=0, stdout=StringIO())  # fmt: skip
    assert len(receiver.received) == 1
    assert Delivery.objects.get().state == DeliveryState.SUCCEEDED
