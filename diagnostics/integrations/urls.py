from django.urls import path

from diagnostics.integrations import views

urlpatterns = [
    path("settings/webhooks/", views.webhooks, name="webhooks"),
    path("settings/webhooks/<int:pk>/", views.webhook_detail, name="webhook_detail"),
    path("settings/webhooks/<int:pk>/rotate/", views.rotate_secret, name="rotate_secret"),
    path("settings/webhooks/<int:pk>/test/", views.send_test, name="send_test_event"),
    path(
        "settings/webhooks/<int:pk>/deliveries/<int:delivery_pk>/again/",
        views.send_again,
        name="send_again",
    ),
    path("settings/webhooks/<int:pk>/remove/", views.remove_webhook, name="remove_webhook"),
]
