from django.core.management.base import BaseCommand, CommandError

from diagnostics.content.playbook import PlaybookError, import_playbook, read_playbook_file


class Command(BaseCommand):
    help = "Import a YAML playbook: update symptoms and checks by key, add new, retire the rest."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path to the playbook YAML file")

    def handle(self, *args, file, **options):
        try:
            playbook = read_playbook_file(file)
        except PlaybookError as exc:
            raise CommandError("\n".join(exc.lines())) from exc
        result = import_playbook(playbook, source=f"manage.py import_playbook {file}")
        self.stdout.write(f"{file}: {result.summary}")
