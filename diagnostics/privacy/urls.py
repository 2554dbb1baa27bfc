from django.urls import path

from diagnostics.privacy import views

urlpatterns = [
    path("settings/privacy/", views.privacy, name="privacy"),
    path("settings/privacy/rules/", views.add_rule, name="add_masking_rule"),
    path("settings/privacy/rules/<int:pk>/", views.toggle_rule, name="toggle_masking_rule"),
    path("settings/privacy/rules/<int:pk>/remove/", views.remove_rule, name="remove_masking_rule"),
    path("settings/privacy/retention/", views.save_retention, name="save_retention"),
    path("settings/privacy/retention/run/", views.run_retention, name="run_retention"),
]
