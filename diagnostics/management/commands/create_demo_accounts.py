import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

DEMO_ACCOUNTS = [("admin", "Demo admin")]


class Command(BaseCommand):
    help = "Create the demo staff accounts with random passwords, printed once."

    def handle(self, *args, **options):
        User = get_user_model()
        for username, description in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                self.stdout.write(
                    f"{description} “{username}” already exists; its password was printed when it"
                    f" was created. Reset it with: .venv/bin/python manage.py changepassword"
                    f" {username}"
                )
                continue
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser(username, email="", password=password)
            self.stdout.write(
                self.style.SUCCESS(f"{description}: username “{username}”, password {password}")
            )
