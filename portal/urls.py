from django.contrib import admin
from django.urls import include, path

from diagnostics.staff.accounts import PasswordResetView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("diagnostics.staff.second_factor.urls")),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("diagnostics.urls")),
]
