"""Team leads: the review queue and its CSV, comments and review status, and insights."""

import csv
from urllib.parse import urlencode

from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.vary import vary_on_headers

from diagnostics.content import search
from diagnostics.content.models import SearchCount
from diagnostics.diagnosis.models import Case, ReviewConflict
from diagnostics.diagnosis.views import case_url, get_case_or_404, render_case
from diagnostics.http import post_only, render_htmx, with_links
from diagnostics.review import evidence, insights
from diagnostics.review.forms import (
    CommentForm,
    InsightsForm,
    PageForm,
    ReviewFilterForm,
    ReviewForm,
)
from diagnostics.review.models import Comment
from diagnostics.review.paging import page_of
from diagnostics.review.panel import list_query
from diagnostics.review.tallies import (
    CheckDay,
    CheckTotal,
    StepDay,
    StepTotal,
    SymptomDay,
    SymptomTotal,
)
from diagnostics.staff.models import display_name
from diagnostics.staff.roles import staff_page

MATCHES_CAP = 1_000  # an exact count grows with the data; past this the queue says "more than"


@staff_page("diagnostics.review_case")
@vary_on_headers("HX-Request")
def review_queue(request):
    given = without_empty(request.GET)
    if given != request.GET and not request.htmx:
        return redirect(f"{request.path}?{given.urlencode()}" if given else request.path)
    form, paging = ReviewFilterForm(given), PageForm(given)
    cases = form.filter(Case.objects.for_review_list())
    page = page_of(cases, **paging.position())
    # Each case links back to this list and on to the next case in it (see review_panel).
    back = urlencode({"from": filters_of(given).urlencode()})
    for case in page.cases:
        case.token = case.session.token
    with_links(page.cases, "diagnostics:case_detail", "token")
    for case in page.cases:
        case.url = f"{case.url}?{back}"
    matches = cases.order_by()[: MATCHES_CAP + 1].count()
    context = {"form": form, "paging": paging, "page": page, "matches": matches_text(matches)}
    status = 400 if form.errors else 200  # as on insights: the message says what to fix
    response = render_htmx(request, "review/queue.html", "results", context, status=status)
    if request.htmx:  # the address bar shows only the filters given, not every empty one
        response["HX-Push-Url"] = f"{request.path}?{given.urlencode()}" if given else request.path
    return response


def without_empty(query):
    """The query string without its empty parameters (`?q=&symptom=&...` from the form)."""
    kept = QueryDict(mutable=True)
    for name, values in query.lists():
        kept.setlist(name, [value for value in values if value])
        if not kept.getlist(name):
            del kept[name]
    return kept


def filters_of(query):
    """The query string's filters, without the paging position."""
    filters = query.copy()
    for name in ("after", "before", "last"):
        filters.pop(name, None)
    return filters


def matches_text(matches):
    if matches > MATCHES_CAP:
        return f"More than {MATCHES_CAP:,} cases match"
    return ngettext("%(n)d case matches", "%(n)d cases match", matches) % {"n": matches}


class _Echo:
    def write(self, value):
        return value


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A cell a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


CSV_HEADER = ["saved_at", "symptom", "ticket", "outcome", "resolved_by", "review_status",
              "ran_by", "summary", "solved_problem", "feedback", "link"]  # fmt: skip


@staff_page("diagnostics.review_case")
def review_export(request):
    """The filtered list as CSV, streamed row by row so a large export never sits in memory."""
    form = ReviewFilterForm(request.GET)
    if not form.is_valid():
        problems = "; ".join(
            f"{form[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()
        )
        return HttpResponse(
            f"No CSV: the filters are not valid. {problems}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    cases = form.filter(Case.objects.for_review().select_related("resolved_by"))
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_HEADER)
        for case in cases.iterator(chunk_size=2_000):
            cells = [
                case.saved_at.isoformat(),
                case.session.symptom_title,
                case.ticket,
                case.get_outcome_display(),
                case.resolved_by.title if case.resolved_by else "",
                case.get_review_status_display(),
                display_name(case.ran_by) or "Customer",
                case.summary,
                case.get_helped_display(),
                case.helped_reason,
                request.build_absolute_uri(case.get_absolute_url()),
            ]
            yield writer.writerow([spreadsheet_safe(cell) for cell in cells])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cases.csv"'
    return response


@post_only(lambda token: f"{case_url(token)}#comments")
@staff_page("diagnostics.review_case")
def add_comment(request, token):
    session = get_case_or_404(token)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render_case(request, session, partial="comments", comment_form=form, status=400)
    Comment.add(session.case, request.user, form.cleaned_data["body"])
    if not request.htmx:
        return redirect(f"{session.get_absolute_url()}{list_query(request)}#comments")
    return render_case(request, session, partial="comments")  # the thread, and an empty form


@post_only(lambda token: f"{case_url(token)}#review")
@staff_page("diagnostics.review_case")
def set_review(request, token):
    session = get_case_or_404(token)
    case = session.case
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return render_case(request, session, partial="review", review_form=form, status=400)
    try:
        case.review(form.cleaned_data["status"], request.user, form.cleaned_data["version"])
    except ReviewConflict:
        case.refresh_from_db()
        return render_case(request, session, partial="review", conflict=True, status=409)
    if not request.htmx:
        return redirect(f"{session.get_absolute_url()}{list_query(request)}#review")
    return render_case(request, session, partial="review")


@staff_page("diagnostics.review_case")
def review_insights(request):
    form = InsightsForm(request.GET)
    if not form.is_valid():
        return render(request, "review/insights.html", {"form": form}, status=400)
    if form.has_range():
        symptoms = form.filter_days(SymptomDay.objects.all())
        checks = form.filter_days(CheckDay.objects.all())
        steps = form.filter_days(StepDay.objects.all())
    else:  # all time: one row per symptom and check, whatever the number of cases
        symptoms, checks = SymptomTotal.objects.all(), CheckTotal.objects.all()
        steps = StepTotal.objects.all()
    detail, revision = form.cleaned_data["symptom"], form.cleaned_data["revision"]
    report = insights.report(symptoms, checks, detail=detail)
    branched = detail is not None and insights.add_steps(
        report["detail_checks"], steps.filter(symptom=detail)
    )
    shown = report["symptoms"] if "all" in request.GET else report["symptoms"][: insights.TOP]
    never = report["never_resolve"]
    # Checks are flagged for the symptoms listed (and the one chosen), most cases first.
    listed = list(dict.fromkeys([*([detail.pk] if detail else []), *(s.symptom_id for s in shown)]))
    flags = evidence.symptom_flags(report["symptoms"]) + evidence.check_flags(listed)
    context = {
        "form": form,
        **report,
        "shown": shown,
        "hidden": len(report["symptoms"]) - len(shown),
        "chart": insights.chart(shown),
        "never_resolve": never,
        "never_hidden": report["never_count"] - len(never),
        "flags": flags[: evidence.SHOWN],
        "flags_hidden": max(0, len(flags) - evidence.SHOWN),
        "not_found": search.not_found(form.filter_days(SearchCount.objects.all())),
        "compared": (
            evidence.before_and_after(detail, revision, form.filter_dates(Case.objects.all()))
            if detail and revision
            else None
        ),
        "recent": evidence.RECENT,
        "branched": branched,
    }
    return render(request, "review/insights.html", context)
