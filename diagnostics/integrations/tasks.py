"""The background work, run by the task queue's worker (`manage.py db_worker`).

- `deliver(delivery_id)`: one attempt at one delivery; on failure it schedules the next
  attempt, with exponential backoff and jitter, until the retries run out.
- `every_minute()`: sends deliveries that are due but that no task holds (their worker was
  killed mid-attempt, or the queue lost the task), runs the daily jobs when a day has passed,
  and schedules itself again. `manage.py schedule_jobs` starts it.
"""

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from diagnostics.integrations.models import (
    RESPONSE_EXCERPT,
    Attempt,
    Delivery,
    DeliveryState,
    Endpoint,
)
from diagnostics.integrations.sending import post, sign

CLAIM = timedelta(seconds=60)  # longer than one attempt can take (10 s timeouts)
JITTER = 0.2  # each delay is stretched or shrunk by up to a fifth


def next_delay(attempt):
    """Seconds to wait after failed attempt number `attempt` (from 1), or None: give up."""
    delays = settings.WEBHOOK_RETRY_DELAYS
    if attempt > len(delays):
        return None
    base = delays[attempt - 1]
    return base * (1 + random.uniform(-JITTER, JITTER))


def claim(delivery_id):
    """Take the delivery for one attempt, if it is due and no one else has it (one query)."""
    now = timezone.now()
    return bool(Delivery.objects.due(now).filter(pk=delivery_id).update(claimed_until=now + CLAIM))


@task()
def deliver(delivery_id):
    if not claim(delivery_id):
        return "not due, already sent, or another worker has it"
    delivery = Delivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None:
        return "removed with its endpoint"
    endpoint = delivery.endpoint
    if not endpoint.enabled and delivery.event != "test":
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.FAILED, claimed_until=None
        )
        return "endpoint disabled"
    timestamp = int(timezone.now().timestamp())
    headers = {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(
            endpoint.signing_secrets(), delivery.message_id, timestamp, delivery.payload
        ),
    }
    answer = post(endpoint.url, delivery.payload, headers, RESPONSE_EXCERPT)
    record(delivery, answer)
    return answer.status_code


@transaction.atomic
def record(delivery, answer):
    """Log the attempt and decide what comes next, all at once."""
    number = delivery.attempts + 1
    Attempt.objects.create(
        delivery=delivery,
        number=number,
        status_code=answer.status_code,
        duration_ms=answer.duration_ms,
        response_excerpt=answer.excerpt,
        error=answer.error,
    )
    endpoint = Endpoint.objects.select_for_update().filter(pk=delivery.endpoint_id).first()
    if endpoint is None:
        return  # removed while this attempt was on its way: its log went with it
    changes = {"attempts": number, "claimed_until": None}
    code = answer.status_code
    if code is not None and 200 <= code < 300:
        changes["state"] = DeliveryState.SUCCEEDED
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    else:
        failures = endpoint.consecutive_failures + 1
        Endpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=failures)
        delay = next_delay(number)
        if code == 410:
            endpoint.disable("The receiver answered 410 Gone: it no longer wants these events.")
            delay = None
        elif failures >= settings.WEBHOOK_MAX_CONSECUTIVE_FAILURES and endpoint.enabled:
            endpoint.disable(f"{failures} deliveries in a row failed.")
        if delay is None or delivery.event == "test":
            changes["state"] = DeliveryState.FAILED
        else:
            run_at = timezone.now() + timedelta(seconds=delay)
            changes["next_attempt_at"] = run_at
            # In this transaction, not after it: the queue is in the same database, so the
            # next attempt and the failed one's record commit together. A worker killed
            # between the two could otherwise leave a retry nobody has queued.
            deliver.using(run_after=run_at).enqueue(delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(**changes)


@task()
def every_minute():
    """The portal's clock: resume deliveries nobody holds, run what is due daily, go again."""
    from diagnostics.integrations.jobs import run_daily_jobs_if_due, schedule_next_minute

    try:
        resumed = resume_deliveries()
        run_daily_jobs_if_due()
    finally:
        schedule_next_minute()
    return f"resumed {resumed}"


def resume_deliveries():
    """Enqueue due deliveries that have waited a minute past their time: their task was lost
    with a worker killed mid-attempt (its claim has expired) or never ran."""
    stale = timezone.now() - timedelta(minutes=1)
    ids = list(
        Delivery.objects.due().filter(next_attempt_at__lt=stale).values_list("pk", flat=True)
    )
    for pk in ids:
        deliver.enqueue(pk)
    return len(ids)
