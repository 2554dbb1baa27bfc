from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from diagnostics.integrations.models import EVENTS, Endpoint
from diagnostics.integrations.sending import AddressRefused, check_url
from diagnostics.staff.audit import record


class Command(BaseCommand):
    help = "Add, list and remove webhook endpoints (the same as the Webhooks page)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        add = actions.add_parser("add", help="add an endpoint; prints its id and secret")
        add.add_argument("url")
        add.add_argument(
            "--events",
            required=True,
            help=f"comma-separated, from: {', '.join(EVENTS)}",
        )
        add.add_argument("--description", default="")
        add.add_argument("--disabled", action="store_true", help="add it turned off")
        actions.add_parser("list", help="every endpoint with its state")
        remove = actions.add_parser("remove", help="remove an endpoint and its log")
        remove.add_argument("id", type=int)

    def handle(self, *args, action, **options):
        getattr(self, action)(**options)

    def add(self, url, events, description, disabled, **options):
        wanted = list(dict.fromkeys(e.strip() for e in events.split(",") if e.strip()))
        unknown = [e for e in wanted if e not in EVENTS]
        if unknown or not wanted:
            raise CommandError(
                f"Unknown events: {', '.join(unknown) or '(none given)'}. "
                f"Choose from: {', '.join(EVENTS)}"
            )
        try:
            check_url(url)
        except AddressRefused as exc:
            raise CommandError(f"{url}: this URL {exc}") from exc
        endpoint = Endpoint(url=url, events=wanted, description=description, enabled=not disabled)
        try:
            endpoint.full_clean()
        except ValidationError as exc:
            problems = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            raise CommandError(f"{url[:200]}: {problems}") from exc
        endpoint.save()
        record(None, "webhook added (manage.py)", endpoint.url, {"events": endpoint.events})
        self.stdout.write(f"id: {endpoint.pk}\nsecret: {endpoint.secret}")
        self.stderr.write("Keep the secret: it is not shown again.")

    def list(self, **options):
        endpoints = Endpoint.objects.all()
        if not endpoints:
            self.stdout.write("No webhook endpoints.")
        for endpoint in endpoints:
            state = "on" if endpoint.enabled else f"off ({endpoint.disabled_reason or 'by hand'})"
            self.stdout.write(
                f"{endpoint.pk}\t{state}\t{endpoint.url}\t{','.join(endpoint.events)}"
                f"\tfailures in a row: {endpoint.consecutive_failures}"
            )

    def remove(self, id, **options):
        endpoint = Endpoint.objects.filter(pk=id).first()
        if endpoint is None:
            raise CommandError(f"No webhook endpoint with id {id}.")
        endpoint.delete()
        record(None, "webhook removed (manage.py)", endpoint.url)
        self.stdout.write(f"Removed endpoint {id}.")
