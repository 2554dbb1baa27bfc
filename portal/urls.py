from django.contrib import admin
from django.urls import include, path

from diagnostics import security, views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("bench/floor/", views.bench_floor),
    path("accounts/verify/", security.verify, name="otp_verify"),
    path("accounts/security/", security.overview, name="otp_overview"),
    path("accounts/security/authenticator/", security.enrol, name="otp_enrol"),
    path("accounts/security/backup-codes/", security.backup_codes, name="otp_backup_codes"),
    path(
        "accounts/security/backup-codes/new/",
        security.regenerate_backup_codes,
        name="otp_regenerate_codes",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("diagnostics.urls")),
]
