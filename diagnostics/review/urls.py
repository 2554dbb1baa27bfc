from django.urls import path

from diagnostics.review import views

urlpatterns = [
    path("cases/<str:token>/comments/", views.add_comment, name="add_comment"),
    path("cases/<str:token>/review/", views.set_review, name="set_review"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/cases.csv", views.review_export, name="review_export"),
    path("review/insights/", views.review_insights, name="review_insights"),
]
