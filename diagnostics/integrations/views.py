"""The admins' webhooks pages under /settings/webhooks/."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from diagnostics.http import post_only
from diagnostics.integrations.events import emit, enqueue_deliveries
from diagnostics.integrations.forms import EndpointForm
from diagnostics.integrations.models import Attempt, Delivery, DeliveryState, Endpoint
from diagnostics.staff.audit import record
from diagnostics.staff.roles import staff_page

webhooks_page = staff_page("diagnostics.manage_webhooks")
SECRET_KEY = "webhook_secret_once"  # in the person's session until the page shows it once


def to_list(*args):
    return reverse("diagnostics:webhooks")


def to_endpoint(pk, *args):
    return reverse("diagnostics:webhook_detail", args=[pk])


def show_secret_once(request, endpoint, secret):
    request.session[SECRET_KEY] = {"endpoint": endpoint.pk, "secret": secret}


@webhooks_page
def webhooks(request):
    form = EndpointForm(request.POST or None, initial={"enabled": True})
    if request.method == "POST" and form.is_valid():
        endpoint = form.save()
        show_secret_once(request, endpoint, endpoint.secret)
        record(request.user, "webhook added", endpoint.url, {"events": endpoint.events})
        return redirect(endpoint)
    endpoints = Endpoint.objects.all()
    context = {"form": form, "endpoints": endpoints}
    return render(
        request, "integrations/webhooks.html", context, status=400 if form.errors else 200
    )


@webhooks_page
def webhook_detail(request, pk):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    form = EndpointForm(request.POST or None, instance=endpoint)
    if request.method == "POST" and form.is_valid():
        endpoint = form.save()
        if endpoint.enabled and endpoint.disabled_reason:
            endpoint.enable()  # turned on again by hand: start counting failures afresh
        record(request.user, "webhook changed", endpoint.url, {"changed": form.changed_data})
        messages.success(request, "Saved the webhook.")
        return redirect(endpoint)
    revealed = request.session.get(SECRET_KEY)
    secret = None
    if revealed and revealed.get("endpoint") == endpoint.pk:
        secret = request.session.pop(SECRET_KEY)["secret"]
    deliveries = Paginator(
        Delivery.objects.filter(endpoint=endpoint).prefetch_related(
            Prefetch("attempt_log", queryset=Attempt.objects.order_by("number"))
        ),
        20,
    ).get_page(request.GET.get("page"))
    context = {"endpoint": endpoint, "form": form, "secret": secret, "deliveries": deliveries}
    return render(request, "integrations/webhook.html", context, status=400 if form.errors else 200)


@webhooks_page
@post_only(to_endpoint)
def rotate_secret(request, pk):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    show_secret_once(request, endpoint, endpoint.rotate_secret())
    record(request.user, "webhook secret rotated", endpoint.url)
    messages.success(
        request, "A new secret is in use. The old one also signs for the next 24 hours."
    )
    return redirect(endpoint)


@webhooks_page
@post_only(to_endpoint)
def send_test(request, pk):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    with transaction.atomic():
        emit("test", {"message": "A test event from the diagnostic portal."}, [endpoint])
    messages.success(request, "A test event is on its way: its attempt appears below.")
    return redirect(endpoint)


@webhooks_page
@post_only(to_endpoint)
def send_again(request, pk, delivery_pk):
    """The same message (the same webhook-id) once more, now."""
    delivery = get_object_or_404(
        Delivery.objects.select_related("endpoint"), pk=delivery_pk, endpoint_id=pk
    )
    if not delivery.endpoint.enabled and delivery.event != "test":
        messages.error(request, "This webhook is turned off: turn it on first, then send again.")
        return redirect(endpoint_url_with_log(pk))
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.PENDING, claimed_until=None, next_attempt_at=delivery.created_at
        )
        transaction.on_commit(lambda: enqueue_deliveries([delivery.pk]))
    messages.success(request, f"{delivery.event} ({delivery.message_id}) will be sent again.")
    return redirect(endpoint_url_with_log(pk))


def endpoint_url_with_log(pk):
    return to_endpoint(pk) + "#deliveries"


@webhooks_page
def remove_webhook(request, pk):
    """Asks first (GET), then removes the endpoint with its delivery log (POST)."""
    endpoint = get_object_or_404(Endpoint, pk=pk)
    if request.method != "POST":
        pending = endpoint.deliveries.filter(state=DeliveryState.PENDING).count()
        context = {"endpoint": endpoint, "pending": pending}
        return render(request, "integrations/remove.html", context)
    endpoint.delete()
    record(request.user, "webhook removed", endpoint.url)
    messages.success(request, f"Removed the webhook to {endpoint.url}.")
    return redirect(to_list())
