"""Running a diagnosis: start it, tick its checks, save it as a case; the agent's own list."""

import re
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

from diagnostics import throttle
from diagnostics.content.models import Symptom
from diagnostics.content.views import symptom_page
from diagnostics.diagnosis.forms import FeedbackForm, SaveCaseForm, StartForm, TickForm
from diagnostics.diagnosis.models import (
    Case,
    CheckResult,
    DiagnosticSession,
    FeedbackTaken,
    OffPath,
    SessionClosed,
    SessionGone,
)
from diagnostics.diagnosis.record import case_record
from diagnostics.diagnosis.remembered import (
    answered_here,
    may_answer_feedback,
    remember_answered,
    remember_started,
    started_here,
)
from diagnostics.errors import error_page
from diagnostics.http import client_address, post_only, render_htmx
from diagnostics.review.panel import review_panel
from diagnostics.staff.roles import is_agent, staff_page

TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # as new_token makes them
CLOSED_MESSAGE = "This diagnosis has been saved as a case, so its results can no longer change."
OFF_PATH_MESSAGE = (
    "Your answers no longer lead to this check, so its answer was not changed. The page now "
    "shows the checks on your path."
)
ALREADY_SAVED = "This case was already saved, perhaps from another tab. Nothing was changed."
DISCARDED_MESSAGE = "This diagnosis was discarded, so there is nothing left to answer."


def get_session_or_404(token):
    """The session behind a share link, with everything its page shows (two queries)."""
    return get_object_or_404(DiagnosticSession.objects.for_page(), token=token)


def get_case_or_404(token):
    """The saved session behind a share link, as `get_session_or_404`; 404 while live."""
    return get_object_or_404(DiagnosticSession.objects.for_page(), token=token, case__isnull=False)


def private_link(view):
    """Pages reached by a share link: keep them out of search engines, and keep the token
    out of the Referer header other sites would log. Not `no-referrer`: with it, browsers
    send `Origin: null` on form posts, which fails Django's CSRF origin check."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


def case_url(token, *args):
    return reverse("diagnostics:case_detail", args=[token])


@csrf_exempt  # for visitors not signed in only: see below
@post_only(lambda key: reverse("diagnostics:symptom_detail", args=[key]))
def start_session(request, key):
    """Start a diagnosis. The symptom page is one shared document for every visitor not
    signed in, so its form carries no per-visitor token: starting is harmless (a new private
    link, rate limited per address). Signed-in staff post a token, checked here."""
    if request.user.is_authenticated and (refused := refuse_forged(request)):
        return refused
    symptom = get_object_or_404(Symptom.objects.for_page(request.user), key=key)
    came_from = leading_to(symptom, request.POST.get("continued_from"))
    if is_agent(request.user):
        form = StartForm(request.POST)
        if not form.is_valid():
            return symptom_page(request, key, start_form=form, status=400)
        session = DiagnosticSession.start(
            symptom,
            started_by=request.user,
            ticket=form.cleaned_data["ticket"] or getattr(came_from, "ticket", ""),
            continued_from=came_from,
        )
        return redirect(remember_started(request, session))

    address = client_address(request)
    if not throttle.allow("start", address, settings.DIAGNOSIS_STARTS_PER_HOUR):
        context = {"symptom": symptom, "started": started_here(request)}
        return render(request, "diagnosis/too_many_starts.html", context, status=429)
    session = DiagnosticSession.start(
        symptom, client_fingerprint=throttle.fingerprint(address), continued_from=came_from
    )
    return redirect(remember_started(request, session))


def refuse_forged(request):
    """Django's CSRF check, as the middleware makes it: a 403 response, or None."""
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {})


def leading_to(symptom, token):
    """The diagnosis behind `token` if its path ends by pointing to `symptom` ("continue
    with another symptom"), else None: a link cannot claim a path that did not happen."""
    if not token or not TOKEN.fullmatch(token):
        return None
    session = DiagnosticSession.objects.prefetch_related("results").filter(token=token).first()
    end = session.path.end if session else None
    return session if end and end.get("symptom") == symptom.key else None


@private_link
def case_detail(request, token):
    if wants_json(request):
        return case_json(request, token)
    response = render_session(request, get_session_or_404(token))
    patch_vary_headers(response, ["Accept"])
    return response


def wants_json(request):
    """A client that asks for JSON and not HTML (a browser's Accept lists text/html)."""
    accepted = [media.main_type + "/" + media.sub_type for media in request.accepted_types]
    return "application/json" in accepted and "text/html" not in accepted


@private_link
def case_json(request, token):
    """The portable case record, for anyone with the link."""
    session = DiagnosticSession.objects.for_page().filter(token=token).first()
    if session is None:
        return JsonResponse({"error": "No case has this link."}, status=404)
    record = case_record(session, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = JsonResponse(record, json_dumps_params={"ensure_ascii": False, "indent": 2})
    patch_vary_headers(response, ["Accept"])
    return response


def render_session(request, session, *, save_form=None, tick=None, message="", status=200):
    """The live session page, or the read-only case once saved."""
    if session.is_saved:
        return render_case(request, session, message=message, status=status)
    context = {
        "session": session,
        "save_form": save_form or SaveCaseForm(session=session),
        "tick": tick,
    }
    return render(request, "diagnosis/session.html", context, status=status)


def render_case(
    request, session, *, partial=None, message="", status=200, feedback_form=None, **review
):
    """The saved case's page (or, for htmx, its `partial`), with the review panel for those
    who review: `review` passes the panel a bound form or a conflict to show."""
    case = session.case
    context = {
        "session": session,
        "case": case,
        "message": message,
        "share_url": request.build_absolute_uri(session.get_absolute_url()),
        "may_answer": may_answer_feedback(request, case),
        "feedback_form": feedback_form
        or FeedbackForm(initial={"helped": case.helped, "reason": case.helped_reason}),
        **review_panel(request, case, whole_page=not request.htmx, **review),
    }
    if partial:
        return render_htmx(request, "diagnosis/case.html", partial, context, status=status)
    return render(request, "diagnosis/case.html", context, status=status)


@private_link
@post_only(lambda token, position: f"{case_url(token)}#check-{position}")
def tick(request, token, position):
    result = get_object_or_404(
        CheckResult.objects.select_related("session__case"),
        session__token=token,
        position=position,
    )
    form = TickForm(request.POST)
    status = 200 if form.is_valid() else 400
    closed = False
    if form.is_valid():
        try:
            data = form.cleaned_data
            result.record(data["status"] or None, data["note"])  # None: the answer stays
        except SessionGone:
            return discarded(request)
        except SessionClosed:
            form.add_error(None, CLOSED_MESSAGE)
            status, closed = 409, True
        except OffPath:
            form.add_error(None, OFF_PATH_MESSAGE)
            status = 409
    if status == 200 and not request.htmx:
        return redirect(f"{result.session.get_absolute_url()}#check-{position}")

    tick = {"position": position, "form": form, "saved": status == 200}
    if not request.htmx:  # (the session may have been discarded since: then a 404)
        session = get_object_or_404(DiagnosticSession.objects.for_page(), pk=result.session_id)
        return render_session(request, session, tick=tick, message=CLOSED_MESSAGE, status=status)
    # The fragment needs this session's results (the progress line): a recorded answer left
    # them with the session, read under its lock; otherwise one query.
    session = result.session
    rows = session.rows()
    row = next((r for r in rows if r.position == position), None)
    if row is None:  # discarded between the answer and this read
        return discarded(request)
    if status == 400:  # give back what was typed, so a too-long note can be shortened
        row.note = form.data.get("note", "")
    # A note saved as it is typed gets the progress lines only: its row stays as it is.
    autosave = status == 200 and "autosave" in request.POST
    context = {
        "session": session,
        "result": row,
        "others": [r for r in rows if r.position != position],
        # The outcome the path leads to now, or none while it goes on: never one it left.
        "save_form": SaveCaseForm(session=session) if session.branched else None,
        "tick": tick,
        "autosave": autosave,
        "closed": closed,  # the rest of the page says so too, and leads to the case
    }
    return render(request, "diagnosis/tick.html", context, status=status)


def discarded(request):
    """A diagnosis deleted while a request about it was on its way (its agent discarded it)."""
    return error_page(request, 404, DISCARDED_MESSAGE, title="This diagnosis was discarded")


@private_link
@post_only(case_url)
def save_case(request, token):
    session = get_session_or_404(token)
    if session.is_saved:
        return render_case(request, session, message=ALREADY_SAVED, status=409)
    form = SaveCaseForm(request.POST, session=session)
    if not form.is_valid():
        return render_session(request, session, save_form=form, status=400)
    try:
        with transaction.atomic():
            form.save(saved_by=request.user if request.user.is_authenticated else None)
    except IntegrityError:
        # Another tab saved this session between our check and our insert.
        session = get_session_or_404(token)
        return render_case(request, session, message=ALREADY_SAVED, status=409)
    except ValidationError as error:
        # A tick changed the resolving check after the form was read: show it as it is now.
        session = get_session_or_404(token)
        form = SaveCaseForm(request.POST, session=session)
        form.add_error(None, error)
        return render_session(request, session, save_form=form, status=400)
    return redirect(session)


@staff_page("diagnostics.run_diagnosis")
def my_cases(request):
    cases = Paginator(Case.objects.ran_by(request.user), 25).get_page(request.GET.get("page"))
    in_progress = DiagnosticSession.objects.in_progress_for(request.user)[:10]
    context = {"cases": cases, "in_progress": in_progress}
    return render(request, "diagnosis/my_cases.html", context)


@staff_page("diagnostics.run_diagnosis")
@post_only(lambda token: reverse("diagnostics:my_cases"))
def discard_session(request, token):
    """An agent throws away a diagnosis they started and abandoned; a saved case stays."""
    with transaction.atomic():
        session = get_object_or_404(
            DiagnosticSession.objects.in_progress_for(request.user), token=token
        )
        # Saving takes the session's lock too: a save that got there first has made it a
        # case, which stays; one that comes after finds the session gone.
        DiagnosticSession.objects.lock(session.pk)
        if Case.objects.filter(session=session).exists():
            messages.error(request, "This diagnosis was saved as a case meanwhile, so it stays.")
            return redirect(session)
        session.delete()
    messages.success(request, f"Discarded the diagnosis of “{session.symptom_title}”.")
    return redirect("diagnostics:my_cases")


@private_link
@post_only(lambda token: f"{case_url(token)}#feedback")
def answer_feedback(request, token):
    """ "Did this solve your problem?": once per case, changeable by the browser that
    answered."""
    session = get_case_or_404(token)
    case = session.case
    taken = "Someone already said whether this helped, from another browser."
    if not may_answer_feedback(request, case):
        return render_case(request, session, message=taken, status=409)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return render_case(request, session, feedback_form=form, status=400)
    try:
        case.answer_feedback(
            form.cleaned_data["helped"],
            form.cleaned_data["reason"],
            may_change=answered_here(request, case),
        )
    except FeedbackTaken:  # another browser's first answer landed a moment before this one
        case.refresh_from_db()
        return render_case(request, session, message=taken, status=409)
    remember_answered(request, case)
    messages.success(request, "Thank you: support will see your answer with the case.")
    return redirect(f"{case_url(token)}#feedback")
