"""The portal's pages, one URL module per domain, under one namespace: `diagnostics:tick`."""

from django.urls import path

from diagnostics.content.urls import urlpatterns as content
from diagnostics.diagnosis.urls import urlpatterns as diagnosis
from diagnostics.integrations.urls import urlpatterns as integrations
from diagnostics.privacy.urls import urlpatterns as privacy
from diagnostics.review.urls import urlpatterns as review
from diagnostics.staff.audit import audit_log

app_name = "diagnostics"
urlpatterns = [
    *content,
    *diagnosis,
    *review,
    *integrations,
    *privacy,
    path("settings/audit/", audit_log, name="audit_log"),
]
