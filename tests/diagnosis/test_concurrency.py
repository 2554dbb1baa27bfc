"""No lost writes: many people ticking one session at once all keep their work."""

import threading

import pytest
from django.db import connections
from django.test import Client

from tests.factories import make_symptom, start_session

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_ticking_one_session_lose_nothing():
    session = start_session(make_symptom(checks=THREADS))
    barrier = threading.Barrier(THREADS)
    statuses = []

    def tick(position):
        try:
            client = Client()
            barrier.wait(timeout=10)  # all threads post at the same moment
            response = client.post(
                f"/cases/{session.token}/checks/{position}/",
                {"status": "problem" if position % 2 else "ok", "note": f"thread {position}"},
                headers={"HX-Request": "true"},
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tick, args=(p,)) for p in range(1, THREADS + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200] * THREADS
    saved = list(session.results.order_by("position").values_list("position", "status", "note"))
    assert saved == [
        (p, "problem" if p % 2 else "ok", f"thread {p}") for p in range(1, THREADS + 1)
    ]
