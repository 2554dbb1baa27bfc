from django.contrib import admin
from django.urls import include, path

from diagnostics.http import favicon
from diagnostics.staff.accounts import PasswordResetView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon),
    path("", include("diagnostics.staff.second_factor.urls")),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("diagnostics.urls")),
]

handler400 = "diagnostics.errors.bad_request"
handler403 = "diagnostics.errors.permission_denied"
handler404 = "diagnostics.errors.page_not_found"
handler500 = "diagnostics.errors.server_error"
