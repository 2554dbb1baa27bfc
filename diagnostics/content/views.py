"""The public symptom pages, and the playbook page where admins import and export it."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from diagnostics.content.forms import PlaybookUploadForm
from diagnostics.content.models import PlaybookRevision, Symptom
from diagnostics.content.playbook import (
    PlaybookError,
    export_playbook,
    import_playbook,
    read_playbook,
)
from diagnostics.diagnosis.forms import StartForm
from diagnostics.diagnosis.remembered import started_here
from diagnostics.http import with_links
from diagnostics.staff.roles import is_agent, staff_page


def symptom_index(request):
    symptoms = with_links(list(Symptom.objects.for_index()), "diagnostics:symptom_detail", "key")
    return render(request, "content/symptom_index.html", {"symptoms": symptoms})


def symptom_detail(request, key, start_form=None, status=200):
    symptom = get_object_or_404(Symptom.objects.for_page(), key=key)
    context = {
        "symptom": symptom,
        # Agents start diagnoses for a customer and note the ticket; customers just start.
        "start_form": (start_form or StartForm()) if is_agent(request.user) else None,
        "started": started_here(request, symptom)[:1],
    }
    return render(request, "content/symptom_detail.html", context, status=status)


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
    revisions = PlaybookRevision.objects.history()[:10]
    context = {"form": form, "errors": errors, "revisions": revisions}
    return render(request, "content/playbook.html", context, status=status)


@staff_page("diagnostics.manage_playbook")
def playbook_export(request):
    response = HttpResponse(export_playbook(), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="playbook.yaml"'
    return response
