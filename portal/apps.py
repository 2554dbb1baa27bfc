from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "diagnostics.staff.admin_site.PortalAdminSite"
