from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import ngettext

from diagnostics import throttle
from diagnostics.diagnosis.models import DiagnosticSession


class Command(BaseCommand):
    help = "Delete sessions never saved as a case after some days, and old rate-limit counters."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.STALE_SESSION_DAYS,
            help=f"age in days (default: STALE_SESSION_DAYS, {settings.STALE_SESSION_DAYS})",
        )

    def handle(self, *args, days, **options):
        _, by_model = DiagnosticSession.objects.stale(days).delete()
        sessions = by_model.get("diagnostics.DiagnosticSession", 0)
        deleted = ngettext("Deleted %(n)d session", "Deleted %(n)d sessions", sessions) % {
            "n": sessions
        }
        self.stdout.write(f"{deleted} never saved in {days} days.")
        # The rate-limit counters of past hours have done their work.
        throttle.forget_before(timezone.now())
