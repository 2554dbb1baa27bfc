from django.contrib import admin

from diagnostics.diagnosis.models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Cases are history: readable here, never edited. Deleting one (or many) goes through
    `Case.delete`, which takes it out of the tallies."""

    list_display = ["session", "outcome", "saved_at"]
    list_filter = ["outcome", "symptom"]
    list_select_related = ["session"]
    readonly_fields = ["session", "symptom", "outcome", "resolved_by", "summary", "saved_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
