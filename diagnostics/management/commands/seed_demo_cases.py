import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from diagnostics.content import search
from diagnostics.content.models import Category, Check, PlaybookRevision, Symptom
from diagnostics.diagnosis.models import (
    Case,
    CheckResult,
    DiagnosticSession,
    Helped,
    Outcome,
    ResultStatus,
    ReviewStatus,
)
from diagnostics.review import tallies
from diagnostics.staff.models import Role

BATCH = 2_000
DAYS = 180
NOTES = [
    "Customer confirmed on a call.",
    "Screenshot attached to the ticket.",
    "Setting was off after the last plan change.",
    "Worked after clearing the browser cache.",
    "Logs show 401 responses.",
    "Could not reproduce.",
]
# Generated symptoms are written from these, so search has real words to rank (2,000 of them
# share words the way a large playbook does).
THINGS = [
    "Calendar sync",
    "Invoice export",
    "Password reset email",
    "Mobile app",
    "CSV import",
    "Single sign-on",
    "Chat widget",
    "Report builder",
    "API token",
    "Billing page",
    "Push notification",
    "Team invite",
    "File upload",
    "Search bar",
    "Dashboard chart",
    "Audit log",
    "Slack integration",
    "Webhook retry",
    "Custom domain",
    "Data export",
    "Two-factor prompt",
    "Ticket form",
    "Knowledge base",
    "Printer driver",
    "VPN client",
    "Email forwarding",
    "Phone number port",
    "Payment card",
    "Shipping label",
    "Barcode scanner",
]
TROUBLES = ["fails after the update", "is slow to load", "shows an error", "times out",
            "loses changes", "shows the wrong time zone", "is missing for some users",
            "sends duplicates", "cannot be opened on Safari", "stops after 100 rows",
            "shows blank", "is rejected with 403", "keeps asking to sign in",
            "arrives late", "has garbled characters"]  # fmt: skip
CHECK_TEMPLATES = ["Confirm the {thing} setting is enabled.",
                   "Check the browser console for errors.", "Ask for the exact error message.",
                   "Verify the account's plan includes {thing}.", "Try again in a private window.",
                   "Compare with a second user on the same team.",
                   "Look for the request in the audit log.",
                   "Clear the cache and reload."]  # fmt: skip

SUMMARIES = [
    "Fixed during the call.",
    "Customer will retry tomorrow.",
    "Escalated to engineering with logs.",
    "Configuration corrected.",
    "Known issue, workaround given.",
    "",
]


class Command(BaseCommand):
    help = "Create N saved demo cases across the published symptoms, for demos and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1_000, help="cases to create")
        parser.add_argument(
            "--symptoms", type=int, default=0, help="also generate this many symptoms first"
        )
        parser.add_argument("--seed", type=int, default=42, help="random seed (repeatable)")

    def handle(self, *args, count, symptoms, seed, **options):
        rng = random.Random(seed)
        if symptoms:
            self.generate_symptoms(symptoms, rng)
        playbook = list(Symptom.objects.for_page())
        if not playbook:
            raise CommandError("No published symptoms: import a playbook first.")
        agents = list(
            get_user_model().objects.filter(groups__name__in=[Role.AGENT, Role.LEAD]).distinct()
        )
        revision = PlaybookRevision.objects.current()
        now = timezone.now()
        for start in range(0, count, BATCH):
            with transaction.atomic():
                self.create_batch(min(BATCH, count - start), playbook, agents, revision, rng, now)
        tallies.rebuild()  # bulk inserts skip Case.save(), which keeps the tallies
        self.stdout.write(f"Created {count} saved cases across {len(playbook)} symptoms.")

    def generate_symptoms(self, count, rng):
        category, _ = Category.objects.get_or_create(
            key="generated", defaults={"title": "Generated symptoms", "position": 1_000}
        )
        first = Symptom.objects.filter(key__startswith="generated-").count()
        for n in range(first + 1, first + count + 1):
            thing, trouble = rng.choice(THINGS), rng.choice(TROUBLES)
            symptom = Symptom.objects.create(
                category=category,
                key=f"generated-{n:04d}",
                title=f"{thing} {trouble} ({n})",
                summary=f"Customers say the {thing.lower()} {trouble}, on some accounts only.",
                position=n,
            )
            templates = rng.sample(CHECK_TEMPLATES, rng.randint(5, 8))
            Check.objects.bulk_create(
                Check(symptom=symptom, key=f"check-{i}", title=text.format(thing=thing.lower()),
                      position=i)
                for i, text in enumerate(templates, start=1)
            )  # fmt: skip
        search.reindex()  # made here, not published through an import
        self.stdout.write(f"Generated {count} symptoms with 5 to 8 checks each.")

    def create_batch(self, size, playbook, agents, revision, rng, now):
        plans = []
        for _ in range(size):
            symptom = rng.choice(playbook)
            agent = rng.choice(agents) if agents and rng.random() < 0.7 else None
            started = now - timedelta(seconds=rng.randint(600, DAYS * 86_400))
            plans.append((symptom, agent, started))
        sessions = DiagnosticSession.objects.bulk_create(
            DiagnosticSession(
                symptom=symptom,
                symptom_title=symptom.title,
                revision=revision,
                started_at=started,
                started_by=agent,
                ticket=f"ZD-{rng.randint(1000, 99999)}" if agent else "",
            )
            for symptom, agent, started in plans
        )
        results, outcomes = [], []
        for session, (symptom, _, _) in zip(sessions, plans, strict=True):
            checks = list(symptom.checks.all())
            statuses = rng.choices(
                [ResultStatus.OK, ResultStatus.PROBLEM, ResultStatus.NOT_APPLICABLE],
                weights=[70, 20, 10],
                k=len(checks),
            )
            outcome = rng.choices(list(Outcome), weights=[55, 25, 20])[0]
            fixer = None
            if outcome == Outcome.RESOLVED:
                fixer = rng.randrange(len(checks))
                statuses[fixer] = ResultStatus.PROBLEM  # the check that found what was wrong
            for position, (check, status) in enumerate(zip(checks, statuses, strict=True), 1):
                results.append(
                    CheckResult(
                        session=session,
                        source=check,
                        position=position,
                        key=check.key,
                        title=check.title,
                        status=status,
                        note=rng.choice(NOTES) if rng.random() < 0.15 else "",
                    )
                )
            outcomes.append((outcome, fixer))
        results = CheckResult.objects.bulk_create(results)
        by_session = {}
        for result in results:
            by_session.setdefault(result.session_id, []).append(result)
        Case.objects.bulk_create(
            self.case(session, plan, outcome, by_session[session.pk], fixer, rng)
            for session, plan, (outcome, fixer) in zip(sessions, plans, outcomes, strict=True)
        )

    @staticmethod
    def case(session, plan, outcome, results, fixer, rng):
        symptom, agent, started = plan
        status = rng.choices(list(ReviewStatus), weights=[60, 30, 10])[0]
        saved = started + timedelta(seconds=rng.randint(60, 3_600))
        return Case(  # bulk_create skips save(): set what it copies from the session here
            session=session,
            symptom=symptom,
            outcome=outcome,
            resolved_by=results[fixer] if fixer is not None else None,
            summary=rng.choice(SUMMARIES),
            saved_at=saved,
            saved_by=agent,
            ran_by=agent,
            ticket=session.ticket,
            review_status=status,
            reviewed_at=saved + timedelta(days=1) if status != ReviewStatus.NEW else None,
            # About a third of customers say whether it helped; most who do say yes.
            helped=rng.choices(["", Helped.YES, Helped.NO], weights=[65, 25, 10])[0],
        )
