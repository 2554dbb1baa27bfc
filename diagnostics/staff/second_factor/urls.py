from django.urls import path

from diagnostics.staff.second_factor import views

urlpatterns = [
    path("accounts/verify/", views.verify, name="otp_verify"),
    path("accounts/security/", views.overview, name="otp_overview"),
    path("accounts/security/authenticator/", views.enrol, name="otp_enrol"),
    path("accounts/security/backup-codes/", views.backup_codes, name="otp_backup_codes"),
    path(
        "accounts/security/backup-codes/new/",
        views.regenerate_backup_codes,
        name="otp_regenerate_codes",
    ),
]
