"""The diagnoses one browser started, kept in that browser's session only, so the symptom
page can offer "Continue the diagnosis you started" without any page listing cases."""

from diagnostics.diagnosis.models import DiagnosticSession

REMEMBERED = 10  # diagnoses a browser keeps its way back to


def remember_started(request, session):
    """Keep the session's token in this browser's own session, so it can be offered again
    here (and only here: nothing lists cases)."""
    tokens = [session.token, *request.session.get("started", [])]
    request.session["started"] = tokens[:REMEMBERED]
    return session


def started_here(request, symptom=None):
    """Diagnoses this browser started and nobody has saved yet, newest first: one query, none
    for a browser that started none."""
    tokens = request.session.get("started")
    if not tokens:
        return []
    sessions = DiagnosticSession.objects.filter(token__in=tokens, case__isnull=True)
    if symptom is not None:
        sessions = sessions.filter(symptom=symptom)
    return list(sessions.order_by("-started_at"))


def may_answer_feedback(request, case):
    """Whether this browser may say if the case helped: nobody has yet, or this browser did
    (it can change its answer; another browser cannot overwrite it)."""
    return not case.helped or answered_here(request, case)


def answered_here(request, case):
    return case.session.token in request.session.get("answered", [])


def remember_answered(request, case):
    tokens = [case.session.token, *request.session.get("answered", [])]
    request.session["answered"] = list(dict.fromkeys(tokens))[:REMEMBERED]
