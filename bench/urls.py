from django.http import HttpResponse
from django.urls import include, path

from diagnostics.content.models import Symptom


def floor(request):
    """The benchmark's floor: one row by primary key through the whole middleware stack, so
    each page's speed can be read as a share of the cheapest possible one."""
    symptom = Symptom.objects.only("title").get(pk=1)
    return HttpResponse(symptom.title, content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor),
    path("", include("portal.urls")),
]

from portal.urls import handler400, handler403, handler404, handler500  # noqa: E402

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
