from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from diagnostics.diagnosis.models import DiagnosticSession


class Command(BaseCommand):
    help = "Delete diagnostic sessions that were never saved as a case after some days."

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
