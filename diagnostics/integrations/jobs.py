"""Keeping the portal's clock running: one `every_minute` task is always waiting in the queue.

`manage.py schedule_jobs` (run by `make run`, and on each deploy after `migrate`) starts it;
each run schedules the next. A run lost with a killed worker is replaced by the next
`schedule_jobs`, or by the next event sent (each one checks the clock is going).
"""

from datetime import timedelta

from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

CLOCK = "diagnostics.integrations.tasks.every_minute"


def waiting_clock():
    """The clock's next run, waiting or running; a run started long ago died with its worker
    (the task stays "running" for ever) and does not count."""
    recently = timezone.now() - timedelta(minutes=10)
    return DBTaskResult.objects.filter(task_path=CLOCK).filter(
        Q(status=TaskResultStatus.READY)
        | Q(status=TaskResultStatus.RUNNING, started_at__gte=recently)
    )


def ensure_scheduled():
    """Start the clock unless a run is already waiting; returns whether it started one."""
    from diagnostics.integrations.tasks import every_minute

    if waiting_clock().exists():
        return False
    every_minute.enqueue()
    return True


def schedule_next_minute():
    from diagnostics.integrations.tasks import every_minute

    waiting = DBTaskResult.objects.filter(task_path=CLOCK, status=TaskResultStatus.READY)
    if not waiting.exists():
        every_minute.using(run_after=timezone.now() + timedelta(minutes=1)).enqueue()


def run_daily_jobs_if_due():
    """Retention, once a day (it records when it last ran)."""
    from diagnostics.privacy.retention import run_if_due

    run_if_due()
