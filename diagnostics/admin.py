from django.contrib import admin

from diagnostics.models import Case, Category, Check, PlaybookRevision, SecuritySettings, Symptom


class CheckInline(admin.TabularInline):
    model = Check
    fields = ["position", "key", "title", "help", "published"]
    ordering = ["position", "key"]
    extra = 1


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


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Cases are history: readable here, never edited."""

    list_display = ["session", "outcome", "saved_at"]
    list_filter = ["outcome", "symptom"]
    list_select_related = ["session"]
    readonly_fields = ["session", "symptom", "outcome", "resolved_by", "summary", "saved_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SecuritySettings)
class SecuritySettingsAdmin(admin.ModelAdmin):
    """One row of portal-wide settings: it can be changed, not added twice or deleted."""

    def has_add_permission(self, request):
        return not SecuritySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
