from django.urls import path

from diagnostics import views

app_name = "diagnostics"
urlpatterns = [
    path("", views.symptom_index, name="symptom_index"),
    path("symptoms/<str:key>/", views.symptom_detail, name="symptom_detail"),
]
