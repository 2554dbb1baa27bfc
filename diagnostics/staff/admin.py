from django.contrib import admin

from diagnostics.staff.models import SecuritySettings


@admin.register(SecuritySettings)
class SecuritySettingsAdmin(admin.ModelAdmin):
    """One row of portal-wide settings: it can be changed, not added twice or deleted."""

    def has_add_permission(self, request):
        return not SecuritySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
