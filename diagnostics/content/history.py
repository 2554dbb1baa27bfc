"""The playbook's history at /playbook/history/: every revision, each one's content, any two
compared, and "Restore", which publishes a new revision equal to an old one (history is never
rewritten)."""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from diagnostics.content.changes import compare
from diagnostics.content.forms import RestoreForm
from diagnostics.content.models import PlaybookDraft, PlaybookRevision
from diagnostics.content.playbook import (
    PlaybookError,
    current_playbook,
    import_playbook,
    read_playbook,
)
from diagnostics.staff.roles import staff_page

history_page = staff_page("diagnostics.view_playbookrevision")


def revision_playbook(revision):
    """The playbook a revision published, or None when it was recorded before revisions kept
    their content."""
    if not revision.document:
        return None
    return read_playbook(revision.document.encode(), name=f"revision {revision.number}")


def get_revision(number):
    if number > 2**31:
        raise Http404
    return get_object_or_404(PlaybookRevision.objects.select_related("imported_by"), number=number)


@history_page
def history(request):
    revisions = PlaybookRevision.objects.history()
    return render(request, "content/history.html", {"revisions": revisions})


@history_page
def revision_detail(request, number):
    revision = get_revision(number)
    current = PlaybookRevision.objects.current()
    context = {
        "revision": revision,
        "playbook": revision_playbook(revision),
        "is_current": current.number == revision.number,
        "current_number": current.number,
    }
    return render(request, "content/revision.html", context)


@history_page
def revision_yaml(request, number):
    revision = get_revision(number)
    if not revision.document:
        raise Http404("This revision was recorded before revisions kept their content.")
    response = HttpResponse(revision.document, content_type="application/yaml; charset=utf-8")
    filename = f"playbook-revision-{revision.number}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CompareForm(forms.Form):
    old = forms.TypedChoiceField(label="From revision", coerce=int)
    new = forms.TypedChoiceField(label="To revision", coerce=int)

    def __init__(self, *args, numbers, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(n, f"Revision {n}") for n in numbers]
        self.fields["old"].choices = self.fields["new"].choices = choices


@history_page
def compare_revisions(request):
    numbers = list(
        PlaybookRevision.objects.exclude(document="")
        .order_by("-number")
        .values_list("number", flat=True)
    )
    form = CompareForm(request.GET or None, numbers=numbers)
    changes = old = new = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            old = get_revision(form.cleaned_data["old"])
            new = get_revision(form.cleaned_data["new"])
            changes = compare(revision_playbook(old), revision_playbook(new))
        else:
            status = 400
    elif len(numbers) >= 2:
        form = CompareForm(initial={"old": numbers[1], "new": numbers[0]}, numbers=numbers)
    context = {"form": form, "changes": changes, "old": old, "new": new}
    return render(request, "content/compare.html", context, status=status)


@staff_page("diagnostics.manage_playbook")
def restore(request, number):
    """Show what restoring `number` changes against the published content; on POST publish a
    new revision equal to it. A draft in progress is kept (it still says what it changes)."""
    revision = get_revision(number)
    playbook = revision_playbook(revision)
    if playbook is None:
        raise Http404("This revision was recorded before revisions kept their content.")
    form = RestoreForm(
        request.POST or None, initial={"message": f"Restore revision {revision.number}"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                result = import_playbook(
                    playbook,
                    source=f"restore of revision {revision.number}",
                    user=request.user,
                    message=form.cleaned_data["message"],
                    name=f"revision {revision.number}",
                    strict_owners=False,
                )
        except PlaybookError as exc:
            messages.error(request, "Cannot restore: " + "; ".join(exc.lines()))
        else:
            if result.revision:
                messages.success(request, f"Restored revision {number} as {result.summary}.")
                return redirect(result.revision)
            messages.info(request, f"The published content already equals revision {number}.")
            return redirect("diagnostics:playbook_history")
    context = {
        "revision": revision,
        "form": form,
        "changes": compare(current_playbook(), playbook),
        "draft": PlaybookDraft.get(),
    }
    return render(request, "content/restore.html", context, status=400 if form.is_bound else 200)
