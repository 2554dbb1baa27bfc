"""The public symptom pages, and the published playbook as a YAML download."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from diagnostics import throttle
from diagnostics.content import search
from diagnostics.content.flow_diagram import diagram
from diagnostics.content.forms import SearchForm
from diagnostics.content.models import Symptom, sees_staff_only
from diagnostics.content.playbook import (
    export_playbook,
)
from diagnostics.content.shared import shared_page
from diagnostics.diagnosis.forms import StartForm
from diagnostics.diagnosis.models import symptom_titles
from diagnostics.diagnosis.remembered import started_here
from diagnostics.http import client_address, render_htmx, with_links
from diagnostics.staff.roles import is_agent, staff_page


@shared_page
@vary_on_headers("HX-Request")
def symptom_index(request):
    """Every symptom by category, or with `?q=` those matching the search, best first. With
    htmx the results alone, as the person types."""
    form = SearchForm(request.GET)
    words = form.cleaned_data["q"].strip() if form.is_valid() else ""
    context = {"form": form, "words": words}
    if words:
        found = search.search(words, request.user)
        context["found"] = with_links(found, "diagnostics:symptom_detail", "key")
        context["status"] = found_text(len(found), words)
    elif form.is_valid():
        context |= browse(request, form.cleaned_data["category"], form.cleaned_data["page"])
    status = 400 if form.errors else 200
    response = render_htmx(request, "content/symptom_index.html", "results", context, status)
    if request.htmx:  # the address keeps the search, so it can be shared; typing replaces it
        # rather than adding a step to go back through per pause
        response["HX-Replace-Url"] = f"{request.path}?{urlencode({'q': words})}" if words else "/"
    return response


PER_CATEGORY = 15  # symptoms under each category on the index; the rest one link away
PER_PAGE = 100  # symptoms per page of one category


def browse(request, category, page):
    """Symptoms to pick from: the first few of every category, each with a link to all of
    them, or one `category` a page at a time. Bounded whatever the playbook's size: which
    symptoms to show is chosen first, and only those are counted and drawn."""
    visible = Symptom.objects.visible_to(request.user)
    listed = Symptom.objects.for_index(request.user)
    if category is None:
        shown = list(listed.filter(pk__in=visible.first_of_each_category(PER_CATEGORY)))
        totals = dict(
            visible.values("category_id").annotate(n=Count("id")).values_list("category_id", "n")
        )
        for symptom in shown:
            symptom.category.total = totals.get(symptom.category_id, 0)
        return {"symptoms": with_links(shown, "diagnostics:symptom_detail", "key")}
    ids = visible.filter(category=category).order_by("position", "key").values_list("pk")
    page = Paginator(ids, PER_PAGE).get_page(page)
    shown = list(listed.filter(pk__in=[pk for (pk,) in page.object_list]))
    return {
        "symptoms": with_links(shown, "diagnostics:symptom_detail", "key"),
        "category": category,
        "page": page,
    }


def found_text(n, words):
    if not n:
        return f"No symptom matches “{words}”"
    best = " (the best ones)" if n >= search.LIMIT else ""
    return ngettext(
        "%(n)d symptom matches “%(words)s”%(best)s",
        "%(n)d symptoms match “%(words)s”%(best)s",
        n,
    ) % {"n": n, "words": words, "best": best}


SEARCHES_COUNTED_PER_HOUR = 120  # from one client: past this its searches are not counted


def count_search(request, words, found):
    """Count a search for the editors' list, unless this client has been counted a lot
    this hour (a keyed hash of its address; the count itself keeps only the words)."""
    if throttle.allow("search-count", client_address(request), SEARCHES_COUNTED_PER_HOUR):
        search.count(words, found=found)


@csrf_exempt  # sent from the shared index page, which carries no per-visitor token
@require_POST
def search_seen(request):
    """The beacon a search's results send after staying on screen a moment: what someone
    typed and then read is counted, the keystrokes on the way to it are not. The results
    page itself counts nothing, so it can be the same cached bytes for everyone; a search
    made without JavaScript is not counted. Harmless to forge: at most a count, limited per
    client address and hour."""
    form = SearchForm(request.POST)
    words = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if words:
        found = search.search(words, request.user, limit=1)
        count_search(request, words, found=bool(found))
    return HttpResponse(status=204)


@shared_page
def symptom_detail(request, key):
    return symptom_page(request, key)


def symptom_page(request, key, start_form=None, status=200):
    symptom = Symptom.objects.for_page(request.user).filter(key=key).first()
    if symptom is None:
        return symptom_gone(request, key)
    checks = list(symptom.checks.all())
    branched = any(check.rules for check in checks)
    context = {
        "symptom": symptom,
        # Agents start diagnoses for a customer and note the ticket; customers just start.
        "start_form": (start_form or StartForm()) if is_agent(request.user) else None,
        # Shared with every visitor: "continue the diagnosis you started" comes separately.
        "started": [] if hasattr(request, "shared_page") else started_here(request, symptom)[:1],
        "branched": branched,
        # Staff see how the checks lead on, drawn on the server.
        "flow": diagram(checks, symptom_titles(checks))
        if branched and sees_staff_only(request.user)
        else None,
    }  # fmt: skip
    return render(request, "content/symptom_detail.html", context, status=status)


def started_notice(request, key):
    """ "Continue the diagnosis you started" for this browser, fetched by the shared symptom
    page (htmx): per visitor, so never cached; no query for a browser that started none."""
    symptom = get_object_or_404(Symptom.objects.visible_to(request.user), key=key)
    response = render(
        request,
        "content/symptom_detail.html#started",
        {"started": started_here(request, symptom)[:1]},
    )
    response["Cache-Control"] = "private, no-store"
    return response


def symptom_gone(request, key):
    """410 Gone for a symptom the playbook retired, pointing to its replacement if it names
    one the visitor may open; 404 for a key that never was (or that the visitor may not see)."""
    retired = get_object_or_404(
        Symptom.objects.filter(published=False).select_related("replaced_by"), key=key
    )
    if not retired.is_public and not sees_staff_only(request.user):
        raise Http404
    replacement = retired.replaced_by
    if replacement and not Symptom.objects.visible_to(request.user).filter(pk=replacement.pk):
        replacement = None
    context = {"symptom": retired, "replacement": replacement}
    return render(request, "content/symptom_gone.html", context, status=410)


@staff_page("diagnostics.manage_playbook")
def playbook_export(request):
    response = HttpResponse(export_playbook(), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="playbook.yaml"'
    return response
