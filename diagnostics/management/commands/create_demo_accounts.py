import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from diagnostics.staff.models import Role

# username, full name, role; the admin may also open the Django admin.
DEMO_ACCOUNTS = [
    ("agent", "Alex Agent", Role.AGENT),
    ("lead", "Lee Lead", Role.LEAD),
    ("editor", "Eddie Editor", Role.EDITOR),
    ("admin", "Ada Admin", Role.ADMIN),
]


class Command(BaseCommand):
    help = "Create the demo staff (agent, lead, editor, admin); passwords are printed once."

    def handle(self, *args, **options):
        User = get_user_model()
        for username, name, role in DEMO_ACCOUNTS:
            if User.objects.filter(username=username).exists():
                # Said when this ran against another database than local.env's (the cluster's).
                same = ", with the same DATABASE_URL" if os.environ.get("DATABASE_URL") else ""
                self.stdout.write(
                    f"{role.label} “{username}” exists (its password was printed when it was "
                    f"created). Reset it: .venv/bin/python manage.py changepassword {username}"
                    f"{same}"
                )
                continue
            password = secrets.token_urlsafe(12)
            first, last = name.split()
            user = User.objects.create_user(
                username,
                email=f"{username}@example.com",
                password=password,
                first_name=first,
                last_name=last,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
            )
            user.groups.add(Group.objects.get(name=role.value))
            self.stdout.write(
                self.style.SUCCESS(f"{role.label}: username “{username}”, password {password}")
            )
