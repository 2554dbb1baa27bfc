from django.urls import path

from diagnostics.content import views

urlpatterns = [
    path("", views.symptom_index, name="symptom_index"),
    path("symptoms/<str:key>/", views.symptom_detail, name="symptom_detail"),
    path("playbook/", views.playbook, name="playbook"),
    path("playbook/export/", views.playbook_export, name="playbook_export"),
]
