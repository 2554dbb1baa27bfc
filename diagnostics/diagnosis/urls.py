from django.urls import path

from diagnostics.diagnosis import views

urlpatterns = [
    path("symptoms/<str:key>/start/", views.start_session, name="start_session"),
    path("cases/<str:token>/", views.case_detail, name="case_detail"),
    path("cases/<str:token>.json", views.case_json, name="case_json"),
    path("cases/<str:token>/checks/<int:position>/", views.tick, name="tick"),
    path("cases/<str:token>/save/", views.save_case, name="save_case"),
    path("cases/<str:token>/feedback/", views.answer_feedback, name="answer_feedback"),
    path("cases/<str:token>/discard/", views.discard_session, name="discard_session"),
    path("my-cases/", views.my_cases, name="my_cases"),
]
