from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from diagnostics.staff.models import AuditEntry, SecuritySettings

User = get_user_model()


@admin.register(SecuritySettings)
class SecuritySettingsAdmin(admin.ModelAdmin):
    """One row of portal-wide settings: it can be changed, not added twice or deleted."""

    def has_add_permission(self, request):
        return not SecuritySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """No list of one: straight to the settings themselves."""
        settings = SecuritySettings.load()
        return redirect(reverse("admin:diagnostics_securitysettings_change", args=[settings.pk]))

    def response_change(self, request, obj):
        """Stay on the settings after saving, with the message saying what changed; turning
        on the second factor for someone who has no authenticator sends them to set one up
        from the next page on (the set-up page says why)."""
        state = "on" if obj.require_second_factor else "off"
        messages.success(request, f"Saved: a second factor for staff is {state}.")
        return redirect(request.path)


admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    """People, for Admin-role staff as well as superusers. Only a superuser grants or removes
    superuser status or single permissions, or touches a superuser's account (its form, its
    password): otherwise an admin could make themselves one, or lock one out."""

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return (*fields, "is_superuser", "user_permissions")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


class SuperusersDevicesHidden:
    """Only a superuser sees, changes or deletes a superuser's second factor: otherwise an
    Admin could remove it and leave that account behind its password alone."""

    def get_queryset(self, request):
        devices = super().get_queryset(request)
        if request.user.is_superuser:
            return devices
        return devices.exclude(user__is_superuser=True)


for device_model, device_admin in (
    (TOTPDevice, TOTPDeviceAdmin),
    (StaticDevice, StaticDeviceAdmin),
):
    admin.site.unregister(device_model)
    admin.site.register(
        device_model, type(device_admin.__name__, (SuperusersDevicesHidden, device_admin), {})
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: an audit log nobody can edit or delete from."""

    list_display = ["at", "actor_name", "action", "target"]
    list_filter = ["action"]
    search_fields = ["actor_name", "action", "target"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
