"""The portable case record: one JSON document for a case (or a diagnosis still running), the
same at its share link (`/cases/<token>.json`) and in every webhook about it.

The schema is versioned (`schema`): fields are only ever added within a version; a field
renamed or removed makes a new one. The README documents it.
"""

from django.conf import settings
from django.urls import reverse

from diagnostics.staff.models import display_name

SCHEMA = "diagnostic-portal/case/1"


def person(user):
    """Who did something: their username and name, or None for a customer."""
    if user is None:
        return None
    return {"username": user.get_username(), "name": display_name(user)}


def when(moment):
    return moment.isoformat() if moment else None


def path_end(end):
    if end and "symptom" in end:
        return {"symptom": {"key": end["symptom"], "title": end.get("title", end["symptom"])}}
    return end


def case_record(session, base_url=None):
    """The record of `session` (loaded with `DiagnosticSession.objects.for_page()`: no
    further queries). `base_url` makes the share link absolute: the request's own address,
    or PORTAL_URL when there is no request (a webhook)."""
    case = session.case if session.is_saved else None
    results = list(session.results.all())
    link = (base_url or settings.PORTAL_URL) + reverse(
        "diagnostics:case_detail", args=[session.token]
    )
    rows = session.rows()
    resolving = None
    if case is not None and case.resolved_by_id:
        resolving = next((r for r in results if r.pk == case.resolved_by_id), None)
    return {
        "schema": SCHEMA,
        "url": link,
        "state": "saved" if case else "running",
        "symptom": {"key": session.symptom.key, "title": session.symptom_title},
        "playbook_revision": session.revision.number if session.revision else None,
        "ticket": session.ticket,
        "started_at": when(session.started_at),
        "started_by": person(session.started_by),
        "checks": [
            {
                "position": r.position,
                "key": r.key,
                "title": r.title,
                "result": r.status,
                "note": r.note,
                "path": r.state,  # on_path, skipped, left (answered, no longer applies), ahead
            }
            for r in rows
        ],
        # The path the answers led along (playbook schema 2); every check in order without
        # rules. `ended` is the rule that ended it: {"outcome": ...} or {"symptom": ...}.
        "path": {
            "checks": session.path.walked if session.branched else [r.key for r in rows],
            "ended": path_end(session.path.end),
        },
        "continued_from": (
            (base_url or settings.PORTAL_URL) + session.continued_from.get_absolute_url()
            if session.continued_from
            else None
        ),
        "outcome": case.outcome if case else None,
        "resolved_by": (
            {"position": resolving.position, "key": resolving.key, "title": resolving.title}
            if resolving
            else None
        ),
        "summary": case.summary if case else "",
        "saved_at": when(case.saved_at) if case else None,
        "saved_by": person(case.saved_by) if case else None,
        "feedback": (
            {"helped": case.helped, "reason": case.helped_reason, "at": when(case.helped_at)}
            if case and case.helped
            else None
        ),
        "review": (
            {
                "status": case.review_status,
                "reviewed_by": person(case.reviewed_by),
                "reviewed_at": when(case.reviewed_at),
            }
            if case
            else None
        ),
    }
