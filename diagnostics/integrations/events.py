"""Turning what happened into webhook deliveries.

A delivery is written in the same transaction as the change it reports (a case saved and its
`case.saved` delivery commit together or not at all), and its task is enqueued once that
transaction commits, so a worker never looks for a delivery that is not there yet.
"""

import json
from functools import partial

from django.db import transaction
from django.utils import timezone

from diagnostics.integrations.models import EVENTS, Delivery, Endpoint


def envelope(event, data):
    """The JSON body every webhook carries: the event's type, when, and its data."""
    body = {"type": event, "timestamp": timezone.now().isoformat(), "data": data}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=False)


def emit(event, data, endpoints=None):
    """Queue `event` with `data` (a callable, run only if an endpoint wants it) for every
    enabled endpoint subscribed to it, or for `endpoints`. Returns the deliveries."""
    assert event in EVENTS or event == "test", event
    if endpoints is None:
        endpoints = [e for e in Endpoint.objects.filter(enabled=True) if e.wants(event)]
    if not endpoints:
        return []
    payload = envelope(event, data() if callable(data) else data)
    deliveries = [Delivery(endpoint=e, event=event, payload=payload) for e in endpoints]
    for delivery in deliveries:
        delivery.save()
    transaction.on_commit(partial(enqueue_deliveries, [d.pk for d in deliveries]))
    return deliveries


def enqueue_deliveries(ids, run_after=None):
    from diagnostics.integrations.jobs import ensure_scheduled
    from diagnostics.integrations.tasks import deliver

    task = deliver.using(run_after=run_after) if run_after else deliver
    for pk in ids:
        task.enqueue(pk)
    ensure_scheduled()  # the clock that resumes lost deliveries: restarted if it died
