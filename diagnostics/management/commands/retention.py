from django.core.management.base import BaseCommand

from diagnostics.privacy import retention

LABELS = {
    "cases": "whole saved cases",
    "free_text": "saved cases' typed text (notes, summary, comments, ticket, feedback reason)",
    "sessions": "diagnoses nobody saved",
    "deliveries": "webhook deliveries from the log",
    "payloads": "logged webhook bodies (copies of cases' typed text)",
    "searches": "search counts (words on a day) older than 90 days",
}


class Command(BaseCommand):
    help = "Apply the retention settings now (the task queue does it daily)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be removed; change nothing"
        )

    def handle(self, *args, dry_run, **options):
        found = retention.counts() if dry_run else retention.run()
        prefix = "Would remove" if dry_run else "Removed"
        for kind, label in LABELS.items():
            if kind in found:
                self.stdout.write(f"{prefix}: {found[kind]} {label}")
