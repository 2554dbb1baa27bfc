from django import forms
from django.contrib import admin
from django.db import models

from diagnostics.content.models import Category, Check, PlaybookRevision, Symptom


class CheckInline(admin.StackedInline):
    """Checks in order under their symptom. Stacked, not a table: every field keeps its own
    label (screen readers need one) and the form fits a laptop screen."""

    model = Check
    fields = [("position", "key", "published"), "title", "help"]
    ordering = ["position", "key"]
    extra = 1
    formfield_overrides = {
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 3, "cols": 60})},
    }


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "position"]
    list_editable = ["position"]
    search_fields = ["title", "key"]


@admin.register(Symptom)
class SymptomAdmin(admin.ModelAdmin):
    list_display = ["title", "key", "category", "position", "published"]
    list_filter = ["published", "category"]
    list_select_related = ["category"]
    search_fields = ["title", "key"]
    inlines = [CheckInline]


@admin.register(PlaybookRevision)
class PlaybookRevisionAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "imported_at", "source", "summary"]
    list_select_related = ["imported_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
