"""No lost writes: many people ticking one session at once all keep their work."""

import random
import threading
import time

import pytest
from django.db import connections
from django.test import Client

from diagnostics.diagnosis.models import Case, CheckResult, DiagnosticSession
from diagnostics.review import tallies
from diagnostics.review.tallies import CheckTotal
from tests.factories import make_symptom, start_session

THREADS = 20
HTMX = {"HX-Request": "true"}


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


def in_threads(count, work):
    """Run work(n) for n in 0..count-1 in threads started together; their results in order.
    Each thread has its own database connection, so the database sees real concurrency."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(n):
        try:
            barrier.wait(timeout=10)
            results[n] = work(n)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


ROUNDS = 60
CHECKS = 6


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_tallies_equal_a_recount_after_ticks_race_a_save():
    """Round after round, three clients tick every check while a fourth saves the case 0 to
    20 ms later: whatever the interleaving, the tallies count exactly what the save froze."""
    symptom = make_symptom(checks=CHECKS)
    sessions = [start_session(symptom) for _ in range(ROUNDS)]
    rng = random.Random(7)
    delays = [rng.uniform(0, 0.02) for _ in sessions]
    each_round = threading.Barrier(4)

    def client(n):
        client, statuses = Client(), []
        for session, delay in zip(sessions, delays, strict=True):
            each_round.wait(timeout=10)
            if n == 3:  # the fourth client saves while the other three tick
                time.sleep(delay)
                url = f"/cases/{session.token}/save/"
                statuses.append(client.post(url, {"outcome": "not_resolved", "summary": "Raced"}))
                continue
            for position in range(1, CHECKS + 1):
                url = f"/cases/{session.token}/checks/{position}/"
                statuses.append(client.post(url, {"status": "problem"}, headers=HTMX))
        return [response.status_code for response in statuses]

    ticks_a, ticks_b, ticks_c, saves = in_threads(4, client)
    assert saves == [302] * ROUNDS
    assert set(ticks_a + ticks_b + ticks_c) <= {200, 409}
    assert Case.objects.count() == ROUNDS
    assert tallies.differences() == []
    stored = CheckResult.objects.filter(session__case__isnull=False, status="problem").count()
    assert sum(CheckTotal.objects.values_list("problems", flat=True)) == stored


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sixty_simultaneous_starts_get_exactly_the_limit(settings):
    settings.DIAGNOSIS_STARTS_PER_HOUR = 30
    url = f"/symptoms/{make_symptom().key}/start/"
    statuses = in_threads(60, lambda n: Client().post(url).status_code)
    assert sorted(statuses) == [302] * 30 + [429] * 30
    assert DiagnosticSession.objects.count() == 30
