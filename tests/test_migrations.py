"""A database made by an earlier portal migrates forward with nothing lost: its cases, tallies
and revisions read the same through today's code."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from diagnostics.content.models import PlaybookRevision
from diagnostics.content.playbook import current_playbook, read_playbook
from diagnostics.diagnosis.models import Case
from diagnostics.review import tallies
from diagnostics.review.tallies import CheckTotal, SymptomTotal

pytestmark = pytest.mark.django_db(transaction=True)

# The last migration before the tallies were counted: a portal that already had cases.
EARLIER = [("diagnostics", "0008_totals")]


def migrate(targets=None):
    """Migrate to `targets` (the latest when None); returns the models as they are there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def an_earlier_portal(apps):
    """A playbook revision, a symptom with two checks and two saved cases, written through
    the models as the earlier migrations had them."""

    def model(name):
        return apps.get_model("diagnostics", name)

    revision = model("PlaybookRevision").objects.create(
        number=1, title="Earlier playbook", content_hash="0" * 64, source="test"
    )
    category = model("Category").objects.create(key="integrations", title="Integrations")
    symptom = model("Symptom").objects.create(
        category=category, key="webhooks-not-firing", title="Webhooks not firing"
    )
    checks = [
        model("Check").objects.create(symptom=symptom, key=key, title=key, position=i)
        for i, key in enumerate(["webhook-url", "trigger-event"], start=1)
    ]
    saved = timezone.now() - timedelta(days=2)
    for n, outcome in enumerate(["resolved", "escalated"]):
        session = model("DiagnosticSession").objects.create(
            token=f"earlier-token-{n}",
            symptom=symptom,
            symptom_title=symptom.title,
            revision=revision,
        )
        results = [
            model("CheckResult").objects.create(
                session=session,
                source=check,
                position=check.position,
                key=check.key,
                title=check.title,
                status="problem" if check.position == 2 else "ok",
            )
            for check in checks
        ]
        model("Case").objects.create(
            session=session,
            symptom=symptom,
            outcome=outcome,
            saved_at=saved,
            resolved_by=results[1] if outcome == "resolved" else None,
        )


def test_an_earlier_database_migrates_forward_and_reads_the_same(client, admin):
    try:
        an_earlier_portal(migrate(EARLIER))
        migrate()
        assert PlaybookRevision.objects.current().title == "Earlier playbook"
        cases = Case.objects.for_review()
        assert [case.outcome for case in cases] == ["escalated", "resolved"]
        assert cases[1].resolved_by.key == "trigger-event"
        # The tallies were counted from the cases the portal already had.
        assert SymptomTotal.objects.get().cases == 2
        assert CheckTotal.objects.get(key="trigger-event").resolved == 1
        assert tallies.differences() == []
        page = client.get("/cases/earlier-token-0/").content.decode()
        assert "Resolved" in page
        assert "revision 1" in page
        # The newest revision now keeps its content, so history can show and restore it, and
        # it is what the export says is published.
        revision = PlaybookRevision.objects.current()
        assert read_playbook(revision.document.encode()) == current_playbook()
        assert client.get("/playbook/history/1/").status_code == 200
    finally:
        migrate()
