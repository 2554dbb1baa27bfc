from django import forms
from django.contrib import admin
from django.db import models

from diagnostics.content.models import Category, Check, PlaybookRevision, Symptom


class CheckInline(admin.TabularInline):
    """Checks in order under their symptom, narrow enough to fit a laptop screen."""

    model = Check
    fields = ["position", "key", "title", "help", "published"]
    ordering = ["position", "key"]
    extra = 1
    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"size": 24})},
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 32})},
        models.PositiveIntegerField: {
            "widget": forms.NumberInput(attrs={"class": "vIntegerField"})
        },
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
