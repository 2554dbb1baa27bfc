from django.urls import path

from diagnostics import views

app_name = "diagnostics"
urlpatterns = [
    path("", views.symptom_index, name="symptom_index"),
    path("symptoms/<str:key>/", views.symptom_detail, name="symptom_detail"),
    path("symptoms/<str:key>/start/", views.start_session, name="start_session"),
    path("cases/<str:token>/", views.case_detail, name="case_detail"),
    path("cases/<str:token>/checks/<int:position>/", views.tick, name="tick"),
    path("cases/<str:token>/save/", views.save_case, name="save_case"),
    path("cases/<str:token>/comments/", views.add_comment, name="add_comment"),
    path("cases/<str:token>/review/", views.set_review, name="set_review"),
    path("my-cases/", views.my_cases, name="my_cases"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/cases.csv", views.review_export, name="review_export"),
    path("review/insights/", views.review_insights, name="review_insights"),
    path("playbook/", views.playbook, name="playbook"),
    path("playbook/export/", views.playbook_export, name="playbook_export"),
]
