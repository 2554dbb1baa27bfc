from django.core.management.base import BaseCommand, CommandError

from diagnostics.content.models import PlaybookRevision, Symptom
from diagnostics.content.playbook import PlaybookError, import_playbook, read_playbook_file


class Command(BaseCommand):
    help = (
        "Publish a YAML playbook as a revision: update symptoms and checks by key, add new, "
        "retire the rest."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the playbook YAML file")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="import only into a portal with no content yet (what `make run` does)",
        )
        parser.add_argument(
            "--message", "-m", default="", help="what changed, for the history (one line)"
        )

    def handle(self, *args, file, if_empty, message, **options):
        if if_empty and Symptom.objects.exists():
            # Never undo what admins changed since: the shipped playbook is a starting point.
            revision = PlaybookRevision.objects.current()
            which = f"revision {revision.number}" if revision else "no revision recorded"
            self.stdout.write(f"Kept the current playbook ({which}); {file} was not imported.")
            return
        try:
            playbook = read_playbook_file(file)
            result = import_playbook(
                playbook, source=f"manage.py import_playbook {file}", message=message, name=file
            )
        except PlaybookError as exc:
            raise CommandError("\n".join(exc.lines())) from exc
        self.stdout.write(f"{file}: {result.summary}")
