import csv
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from diagnostics import insights
from diagnostics.forms import (
    CommentForm,
    InsightsForm,
    PlaybookUploadForm,
    ReviewFilterForm,
    ReviewForm,
    SaveCaseForm,
    StartForm,
    TickForm,
)
from diagnostics.models import (
    Case,
    CheckDay,
    CheckResult,
    CheckTotal,
    Comment,
    DiagnosticSession,
    PlaybookRevision,
    ReviewConflict,
    SessionClosed,
    Symptom,
    SymptomDay,
    SymptomTotal,
    client_fingerprint,
)
from diagnostics.playbook import PlaybookError, export_playbook, import_playbook, read_playbook

CLOSED_MESSAGE = "This diagnosis has been saved as a case, so its results can no longer change."
ALREADY_SAVED = "This case was already saved, perhaps from another tab. Nothing was changed."


def with_links(objects, view_name, field):
    """Give each object a `url` from one reverse() instead of one each: on a list of a few
    hundred symptoms, reversing per row was most of the page's time. "~" never appears in a
    key or token, so it marks where each one goes."""
    pattern = reverse(view_name, args=["~"])
    for obj in objects:
        obj.url = pattern.replace("~", getattr(obj, field), 1)
    return objects


def symptom_index(request):
    symptoms = with_links(list(Symptom.objects.for_index()), "diagnostics:symptom_detail", "key")
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
            **review_context(request, session.case),
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

    tick = {"position": position, "form": form}
    if not request.htmx:
        session = DiagnosticSession.objects.for_page().get(pk=result.session_id)
        return render_session(request, session, tick=tick, message=CLOSED_MESSAGE, status=status)
    # The fragment needs only this session's results (for the progress line): one query.
    session = result.session
    prefetch_related_objects([session], "results")
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


# -- Team leads: reviewing cases --------------------------------------------------------------


def can_review(user):
    return user.has_perm("diagnostics.review_case")


def review_context(request, case, *, comment_form=None, review_form=None, conflict=False):
    """What a reviewer sees on a case: the thread and the review status. Nothing (and no
    query) for anyone else."""
    if not can_review(request.user):
        return {}
    return {
        "reviewer": True,
        "comments": case.comments.select_related("author"),
        "comment_form": comment_form or CommentForm(),
        "review_form": review_form or ReviewForm(initial={"version": case.version}),
        "conflict": conflict,
    }


@staff_page("diagnostics.review_case")
@vary_on_headers("HX-Request")
def review_queue(request):
    form = ReviewFilterForm(request.GET)
    cases = form.filter(Case.objects.for_review())
    page = cases.page(
        after=form.position("after"), before=form.position("before"), last="last" in request.GET
    )
    for case in page.cases:
        case.token = case.session.token
    with_links(page.cases, "diagnostics:case_detail", "token")
    matches = cases.order_by()[:1001].count()  # capped: an exact count grows with the data
    context = {
        "form": form,
        "page": page,
        "matches": "More than 1,000 cases match"
        if matches > 1000
        else f"{matches} case{'s' if matches != 1 else ''} match{'es' if matches == 1 else ''}",
    }
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "diagnostics/review_queue.html#results", context)
    return render(request, "diagnostics/review_queue.html", context)


class _Echo:
    def write(self, value):
        return value


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


@staff_page("diagnostics.review_case")
def review_export(request):
    """The filtered list as CSV, streamed row by row so a large export never sits in memory."""
    form = ReviewFilterForm(request.GET)
    cases = form.filter(Case.objects.for_review().select_related("resolved_by"))
    writer = csv.writer(_Echo())
    header = ["saved_at", "symptom", "ticket", "outcome", "resolved_by", "review_status",
              "ran_by", "summary", "link"]  # fmt: skip

    def rows():
        yield writer.writerow(header)
        for case in cases.iterator(chunk_size=2_000):
            cells = [
                case.saved_at.isoformat(),
                case.session.symptom_title,
                case.ticket,
                case.get_outcome_display(),
                case.resolved_by.title if case.resolved_by else "",
                case.get_review_status_display(),
                (case.ran_by.get_full_name() or case.ran_by.username) if case.ran_by else "",
                case.summary,
                request.build_absolute_uri(case.get_absolute_url()),
            ]
            yield writer.writerow([spreadsheet_safe(cell) for cell in cells])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response


@require_POST
@staff_page("diagnostics.review_case")
def add_comment(request, token):
    session = get_object_or_404(
        DiagnosticSession.objects.for_page(), token=token, case__isnull=False
    )
    form = CommentForm(request.POST)
    if form.is_valid():
        Comment.objects.create(
            case=session.case, author=request.user, body=form.cleaned_data["body"]
        )
        if not request.htmx:
            return redirect(f"{session.get_absolute_url()}#comments")
        form = None  # a fresh, empty form under the new comment
    context = {
        "session": session,
        "case": session.case,
        **review_context(request, session.case, comment_form=form),
    }
    status = 200 if form is None else 400
    if request.htmx:
        return render(request, "diagnostics/case.html#comments", context, status=status)
    return render(request, "diagnostics/case.html", context, status=status)


@require_POST
@staff_page("diagnostics.review_case")
def set_review(request, token):
    session = get_object_or_404(
        DiagnosticSession.objects.for_page(), token=token, case__isnull=False
    )
    case = session.case
    form = ReviewForm(request.POST)
    conflict, status = False, 400
    if form.is_valid():
        try:
            case.review(form.cleaned_data["status"], request.user, form.cleaned_data["version"])
        except ReviewConflict:
            case.refresh_from_db()
            conflict, status = True, 409
        else:
            if not request.htmx:
                return redirect(f"{session.get_absolute_url()}#review")
            status = 200
    fresh = ReviewForm(initial={"version": case.version})
    context = {
        "session": session,
        "case": case,
        **review_context(
            request, case, review_form=fresh if status != 400 else form, conflict=conflict
        ),
    }
    template = "diagnostics/case.html#review" if request.htmx else "diagnostics/case.html"
    return render(request, template, context, status=status)


@staff_page("diagnostics.review_case")
def review_insights(request):
    form = InsightsForm(request.GET)
    if not form.is_valid():
        return render(request, "diagnostics/insights.html", {"form": form}, status=400)
    if form.has_range():
        symptoms = form.filter_days(SymptomDay.objects.all())
        checks = form.filter_days(CheckDay.objects.all())
    else:  # all time: one row per symptom and check, whatever the number of cases
        symptoms, checks = SymptomTotal.objects.all(), CheckTotal.objects.all()
    report = insights.report(symptoms, checks, detail=form.cleaned_data["symptom"])
    shown = report["symptoms"] if "all" in request.GET else report["symptoms"][: insights.TOP]
    never = report["never_resolve"]
    context = {
        "form": form,
        **report,
        "shown": shown,
        "hidden": len(report["symptoms"]) - len(shown),
        "chart": insights.chart(shown),
        "never_resolve": never[: insights.NEVER_SHOWN],
        "never_hidden": max(0, len(never) - insights.NEVER_SHOWN),
    }
    return render(request, "diagnostics/insights.html", context)


def bench_floor(request):
    """The benchmark's floor: one row by primary key through the whole middleware stack,
    so each page's speed can be read as a share of the cheapest possible one. Not found
    unless the BENCH_FLOOR setting is on."""
    if not settings.BENCH_FLOOR:
        raise Http404
    symptom = Symptom.objects.only("title").get(pk=1)
    return HttpResponse(symptom.title, content_type="text/plain")
