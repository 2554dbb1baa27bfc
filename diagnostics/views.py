from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from diagnostics.forms import PlaybookUploadForm, SaveCaseForm, StartForm, TickForm
from diagnostics.models import (
    Case,
    CheckResult,
    DiagnosticSession,
    PlaybookRevision,
    SessionClosed,
    Symptom,
    client_fingerprint,
)
from diagnostics.playbook import PlaybookError, export_playbook, import_playbook, read_playbook

CLOSED_MESSAGE = "This diagnosis has been saved as a case, so its results can no longer change."
ALREADY_SAVED = "This case was already saved, perhaps from another tab. Nothing was changed."


def symptom_index(request):
    symptoms = Symptom.objects.for_index()
    return render(request, "diagnostics/symptom_index.html", {"symptoms": symptoms})


def staff_page(permission):
    """Signed-in staff with `permission` only: the login page for anyone else who is not
    signed in, 403 for staff without it."""

    def decorate(view):
        return login_required(permission_required(permission, raise_exception=True)(view))

    return decorate


def symptom_detail(request, key, start_form=None, status=200):
    symptom = get_object_or_404(Symptom.objects.for_page(), key=key)
    context = {
        "symptom": symptom,
        # Agents start diagnoses for a customer and note the ticket; customers just start.
        "start_form": (start_form or StartForm()) if is_agent(request.user) else None,
    }
    return render(request, "diagnostics/symptom_detail.html", context, status=status)


def is_agent(user):
    return user.has_perm("diagnostics.run_diagnosis")


def client_address(request):
    """The client's address; behind NUM_PROXIES trusted proxies, the one the nearest
    proxy saw (earlier X-Forwarded-For entries can be forged by the client)."""
    if settings.NUM_PROXIES:
        forwarded = request.headers.get("X-Forwarded-For", "").split(",")
        if len(forwarded) >= settings.NUM_PROXIES:
            return forwarded[-settings.NUM_PROXIES].strip()
    return request.META.get("REMOTE_ADDR", "")


@require_POST
def start_session(request, key):
    symptom = get_object_or_404(Symptom.objects.for_page(), key=key)
    if is_agent(request.user):
        form = StartForm(request.POST)
        if not form.is_valid():
            return symptom_detail(request, key, start_form=form, status=400)
        session = DiagnosticSession.start(
            symptom, started_by=request.user, ticket=form.cleaned_data["ticket"]
        )
        return redirect(session)

    fingerprint = client_fingerprint(client_address(request))
    since = timezone.now() - timedelta(hours=1)
    recent = DiagnosticSession.objects.started_from(fingerprint, since).count()
    if recent >= settings.DIAGNOSIS_STARTS_PER_HOUR:
        return render(request, "diagnostics/too_many_starts.html", {"symptom": symptom}, status=429)
    session = DiagnosticSession.start(symptom, client_fingerprint=fingerprint)
    return redirect(session)


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


@private_link
def case_detail(request, token):
    session = get_object_or_404(DiagnosticSession.objects.for_page(), token=token)
    return render_session(request, session)


def render_session(request, session, *, save_form=None, tick=None, message="", status=200):
    """The live session page, or the read-only case once saved."""
    if session.is_saved:
        context = {
            "session": session,
            "case": session.case,
            "message": message,
            "share_url": request.build_absolute_uri(session.get_absolute_url()),
        }
        return render(request, "diagnostics/case.html", context, status=status)
    context = {
        "session": session,
        "save_form": save_form or SaveCaseForm(session=session),
        "tick": tick,
    }
    return render(request, "diagnostics/session.html", context, status=status)


@private_link
@require_POST
def tick(request, token, position):
    result = get_object_or_404(
        CheckResult.objects.select_related("session__case"),
        session__token=token,
        position=position,
    )
    form = TickForm(request.POST)
    status = 200 if form.is_valid() else 400
    if form.is_valid():
        try:
            result.record(**form.cleaned_data)
        except SessionClosed:
            form.add_error(None, CLOSED_MESSAGE)
            status = 409
    if status == 200 and not request.htmx:
        return redirect(f"{result.session.get_absolute_url()}#check-{position}")

    session = DiagnosticSession.objects.for_page().get(pk=result.session_id)
    tick = {"position": position, "form": form}
    if not request.htmx:
        return render_session(request, session, tick=tick, message=CLOSED_MESSAGE, status=status)
    row = next(r for r in session.results.all() if r.position == position)
    if status == 400:  # give back what was typed, so a too-long note can be shortened
        row.note = form.data.get("note", "")
    context = {"session": session, "result": row, "tick": tick}
    return render(request, "diagnostics/tick.html", context, status=status)


@private_link
@require_POST
def save_case(request, token):
    session = get_object_or_404(DiagnosticSession.objects.for_page(), token=token)
    if session.is_saved:
        return render_session(request, session, message=ALREADY_SAVED, status=409)
    form = SaveCaseForm(request.POST, session=session)
    if not form.is_valid():
        return render_session(request, session, save_form=form, status=400)
    try:
        with transaction.atomic():
            form.save(saved_by=request.user if request.user.is_authenticated else None)
    except IntegrityError:
        # Another tab saved this session between our check and our insert.
        session = DiagnosticSession.objects.for_page().get(pk=session.pk)
        return render_session(request, session, message=ALREADY_SAVED, status=409)
    return redirect(session)


@staff_page("diagnostics.run_diagnosis")
def my_cases(request):
    cases = Paginator(Case.objects.ran_by(request.user), 25).get_page(request.GET.get("page"))
    in_progress = DiagnosticSession.objects.filter(
        started_by=request.user, case__isnull=True
    ).order_by("-started_at")[:10]
    context = {"cases": cases, "in_progress": in_progress}
    return render(request, "diagnostics/my_cases.html", context)


@staff_page("diagnostics.manage_playbook")
def playbook(request):
    form = PlaybookUploadForm(request.POST or None, request.FILES or None)
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            name, data = form.read()
            try:
                content = read_playbook(data, name=name)
            except PlaybookError as exc:
                errors = exc.lines()
            else:
                source = f"upload {name} by {request.user.get_username()}"
                result = import_playbook(content, source=source, user=request.user)
                messages.success(request, f"{name}: {result.summary}.")
                return redirect("diagnostics:playbook")
    revisions = PlaybookRevision.objects.select_related("imported_by")[:10]
    context = {"form": form, "errors": errors, "revisions": revisions}
    return render(request, "diagnostics/playbook.html", context, status=status)


@staff_page("diagnostics.manage_playbook")
def playbook_export(request):
    response = HttpResponse(export_playbook(), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="playbook.yaml"'
    return response
