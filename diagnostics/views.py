from django.shortcuts import get_object_or_404, render

from diagnostics.models import Symptom


def symptom_index(request):
    symptoms = Symptom.objects.for_index()
    return render(request, "diagnostics/symptom_index.html", {"symptoms": symptoms})


def symptom_detail(request, key):
    symptom = get_object_or_404(Symptom.objects.for_page(), key=key)
    return render(request, "diagnostics/symptom_detail.html", {"symptom": symptom})
