from pathlib import Path

from django.core.management.base import BaseCommand

from diagnostics.content.playbook import export_playbook


class Command(BaseCommand):
    help = "Export the published symptoms and checks as a YAML playbook (stdout without FILE)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="where to write; standard output when absent")

    def handle(self, *args, file=None, **options):
        text = export_playbook()
        if file is None:
            self.stdout.write(text, ending="")
        else:
            Path(file).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {file}")
