"""What each event sends: connected to the portal's signals when the app is ready."""

from django.dispatch import receiver

from diagnostics import signals
from diagnostics.diagnosis.models import DiagnosticSession
from diagnostics.diagnosis.record import case_record, person
from diagnostics.integrations.events import emit


def record_of(case):
    return case_record(DiagnosticSession.objects.for_page().get(pk=case.session_id))


@receiver(signals.case_saved)
def case_saved(sender, case, **kwargs):
    emit("case.saved", lambda: {"case": record_of(case)})


@receiver(signals.case_reviewed)
def case_reviewed(sender, case, by, **kwargs):
    emit("case.reviewed", lambda: {"case": record_of(case), "reviewed_by": person(by)})


@receiver(signals.case_answered)
def case_answered(sender, case, **kwargs):
    emit("case.answered", lambda: {"case": record_of(case)})


@receiver(signals.comment_added)
def comment_added(sender, comment, **kwargs):
    emit(
        "comment.added",
        lambda: {
            "case": record_of(comment.case),
            "comment": {
                "author": person(comment.author),
                "body": comment.body,
                "created_at": comment.created_at.isoformat(),
            },
        },
    )


@receiver(signals.playbook_published)
def playbook_published(sender, revision, **kwargs):
    emit(
        "playbook.published",
        lambda: {
            "revision": {
                "number": revision.number,
                "title": revision.title,
                "message": revision.message,
                "published_at": revision.imported_at.isoformat(),
                "published_by": person(revision.imported_by),
                "source": revision.source,
                "changes": {
                    name: getattr(revision, name)
                    for name in (
                        "symptoms_added",
                        "symptoms_changed",
                        "symptoms_retired",
                        "checks_added",
                        "checks_changed",
                        "checks_retired",
                    )
                },
            }
        },
    )
