"""The public symptom pages, and the published playbook as a YAML download."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from diagnostics.content.models import Symptom, sees_staff_only
from diagnostics.content.playbook import (
    export_playbook,
)
from diagnostics.diagnosis.forms import StartForm
from diagnostics.diagnosis.remembered import started_here
from diagnostics.http import with_links
from diagnostics.staff.roles import is_agent, staff_page


def symptom_index(request):
    symptoms = with_links(
        list(Symptom.objects.for_index(request.user)), "diagnostics:symptom_detail", "key"
    )
    return render(request, "content/symptom_index.html", {"symptoms": symptoms})


def symptom_detail(request, key, start_form=None, status=200):
    symptom = Symptom.objects.for_page(request.user).filter(key=key).first()
    if symptom is None:
        return symptom_gone(request, key)
    context = {
        "symptom": symptom,
        # Agents start diagnoses for a customer and note the ticket; customers just start.
        "start_form": (start_form or StartForm()) if is_agent(request.user) else None,
        "started": started_here(request, symptom)[:1],
    }
    return render(request, "content/symptom_detail.html", context, status=status)


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
