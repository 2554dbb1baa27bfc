from django.core.management.base import BaseCommand

from diagnostics.integrations.jobs import ensure_scheduled


class Command(BaseCommand):
    help = (
        "Start the portal's once-a-minute clock in the task queue (resuming webhook "
        "deliveries, daily retention) unless it is already waiting. Safe to run on every deploy."
    )

    def handle(self, *args, **options):
        started = ensure_scheduled()
        self.stdout.write("Scheduled the clock." if started else "The clock is already scheduled.")
