from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


class PortalAdminSite(admin.AdminSite):
    """The Django admin, signed into through the portal's own sign-in page (so password
    throttling and the second factor apply), and a plain 403 for staff who are not admins."""

    site_header = site_title = "Diagnostic portal admin"
    index_title = "Content, people and settings"
    site_url = "/"

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            raise PermissionDenied("Only admins can open the admin pages.")
        query = urlencode({"next": request.GET.get("next", reverse("admin:index"))})
        return redirect(f"{reverse('login')}?{query}")
