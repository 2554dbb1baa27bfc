"""The portal's pages, one URL module per domain, under one namespace: `diagnostics:tick`."""

from diagnostics.content.urls import urlpatterns as content
from diagnostics.diagnosis.urls import urlpatterns as diagnosis
from diagnostics.integrations.urls import urlpatterns as integrations
from diagnostics.review.urls import urlpatterns as review

app_name = "diagnostics"
urlpatterns = [*content, *diagnosis, *review, *integrations]
