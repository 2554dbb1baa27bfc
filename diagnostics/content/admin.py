from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import reverse
from django.utils.html import format_html

from diagnostics.content.models import Category, Check, PlaybookRevision, Symptom


class ReadOnlyContent:
    """Content changes only through the portal's editor or an upload, so that every change is
    in a draft, published as a revision, and never silently overwritten by the next upload.
    The admin shows it; the editor changes it."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PointToTheEditor:
    def changelist_view(self, request, extra_context=None):
        self.point_to_editor(request)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.point_to_editor(request)
        return super().change_view(request, object_id, form_url, extra_context)

    def point_to_editor(self, request):
        if request.method == "GET":
            messages.info(
                request,
                format_html(
                    'Shown read-only: change content in the <a href="{}">playbook editor</a>, '
                    "where every change is a draft and every publish a revision.",
                    reverse("diagnostics:playbook"),
                ),
            )


class CheckInline(ReadOnlyContent, admin.StackedInline):
    """Checks in order under their symptom. Stacked, not a table: every field keeps its own
    label (screen readers need one) and the form fits a laptop screen."""

    model = Check
    fields = [("position", "key", "published"), "title", "help"]
    ordering = ["position", "key"]
    extra = 0
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})},
    }


@admin.register(Category)
class CategoryAdmin(PointToTheEditor, ReadOnlyContent, admin.ModelAdmin):
    list_display = ["title", "key", "position"]
    search_fields = ["title", "key"]


@admin.register(Symptom)
class SymptomAdmin(PointToTheEditor, ReadOnlyContent, admin.ModelAdmin):
    list_display = ["title", "key", "category", "position", "published", "visibility"]
    list_filter = ["published", "visibility", "category"]
    list_select_related = ["category"]
    search_fields = ["title", "key"]
    inlines = [CheckInline]


@admin.register(PlaybookRevision)
class PlaybookRevisionAdmin(admin.ModelAdmin):
    list_display = ["number", "message", "imported_at", "imported_by", "source", "counts_text"]
    exclude = ["document"]
    list_select_related = ["imported_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # history is never rewritten: cases name their revision
