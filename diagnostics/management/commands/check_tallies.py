from django.core.management.base import BaseCommand, CommandError

from diagnostics.review import tallies

SHOWN = 20


class Command(BaseCommand):
    help = "Check the insights tallies against a recount of the cases; --repair rebuilds them."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="replace the tallies with the recount"
        )

    def handle(self, *args, repair, **options):
        wrong = tallies.differences()
        if not wrong:
            self.stdout.write("The tallies match a recount of the cases.")
            return
        for model, where, stored, recounted in wrong[:SHOWN]:
            key = ", ".join(str(part) for part in where)
            self.stdout.write(f"{model.__name__} ({key}): stored {stored}, recount {recounted}")
        if len(wrong) > SHOWN:
            self.stdout.write(f"... and {len(wrong) - SHOWN} more.")
        if not repair:
            raise CommandError(
                f"{len(wrong)} tallies differ from a recount. Run with --repair to rebuild them."
            )
        tallies.rebuild()
        self.stdout.write(f"Rebuilt the tallies: {len(wrong)} were wrong, none are now.")
