"""The second factor's pages: the code step after the password, the person's security page,
setting up an authenticator app and backup codes."""

from base64 import b32encode

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from diagnostics.staff.models import SecuritySettings
from diagnostics.staff.second_factor.devices import (
    confirm_device,
    has_device,
    locked_message,
    locked_until,
    new_backup_codes,
)
from diagnostics.staff.second_factor.forms import CodeForm
from diagnostics.staff.second_factor.middleware import redirect_with_next

SESSION_CODES = "new_backup_codes"


def safe_next(request, default="diagnostics:symptom_index"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


WRONG_CODE = "That code is not right. Check the time on your phone, or use a backup code."


def wait_message(until):
    return (
        "Wait a moment, then enter the code again: after a wrong code, codes are not checked "
        f"for a few seconds (until {timezone.localtime(until):%H:%M:%S})."
    )


@login_required
def verify(request):
    """The second step of signing in: a code from the authenticator app or a backup code.
    Wrong codes lock the devices for 1, 2, 4, 8... seconds (django-otp's throttling)."""
    devices = [
        *TOTPDevice.objects.filter(user=request.user, confirmed=True),
        *StaticDevice.objects.filter(user=request.user, confirmed=True),
    ]
    if request.user.is_verified() or not devices:
        return redirect(safe_next(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and (until := locked_until(devices)):
            short = (until - timezone.now()).total_seconds() < 5
            form.add_error("code", wait_message(until) if short else locked_message(until))
            status = 429
        elif form.is_valid():
            # A right app code sent within the pause after a wrong one is refused too: say so.
            code = form.cleaned_data["code"]
            app_code = code.isdigit() and len(code) == 6
            paused = app_code and locked_until([d for d in devices if isinstance(d, TOTPDevice)])
            device = next((d for d in devices if d.verify_token(code)), None)
            if device:
                django_otp.login(request, device)
                return redirect(safe_next(request))
            until = locked_until(devices)
            # The first few waits are shorter than typing a new code: no need to mention them.
            long_wait = until and (until - timezone.now()).total_seconds() >= 5
            if long_wait:
                form.add_error("code", locked_message(until))
            else:
                form.add_error("code", wait_message(paused) if paused else WRONG_CODE)
    context = {"form": form, "next": safe_next(request)}
    return render(request, "staff/second_factor/verify.html", context, status=status)


@login_required
def overview(request):
    context = {
        "has_app": has_device(request.user),
        "codes_left": StaticToken.objects.filter(
            device__user=request.user, device__confirmed=True
        ).count(),
        "required": SecuritySettings.load().require_second_factor,
    }
    return render(request, "staff/second_factor/overview.html", context)


@login_required
def enrol(request):
    """Set up an authenticator app: scan the QR code (or type the key), then prove it works
    with a code. Someone who already has an app must give a code first, or this page would
    be a way around the second factor."""
    if has_device(request.user) and not request.user.is_verified():
        return redirect_with_next("otp_verify", request)
    device = TOTPDevice.objects.filter(
        user=request.user, confirmed=False
    ).first() or TOTPDevice.objects.create(
        user=request.user, name="Authenticator app", confirmed=False
    )
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if device.verify_token(form.cleaned_data["code"]):
                codes = confirm_device(request.user, device)
                django_otp.login(request, device)
                request.session[SESSION_CODES] = codes
                messages.success(request, "Your authenticator app is set up.")
                return redirect(f"{reverse('otp_backup_codes')}?next={safe_next(request)}")
            form.add_error(
                "code", "That code is not right. Scan the QR code again and enter the new code."
            )
    key = b32encode(device.bin_key).decode()
    context = {
        "form": form,
        # Sent here by the policy rather than by choice: the page says why.
        "required": SecuritySettings.load().require_second_factor,
        # segno draws the SVG from the device's key and our issuer name: nothing a user typed.
        "qr_svg": mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=4)),
        "key_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
        "next": safe_next(request),
    }
    return render(request, "staff/second_factor/enrol.html", context, status=status)


@login_required
def backup_codes(request):
    """Shows new backup codes once: they are taken out of the session as they are shown."""
    codes = request.session.pop(SESSION_CODES, None)
    if not codes:
        return redirect("otp_overview")
    return render(
        request,
        "staff/second_factor/backup_codes.html",
        {"codes": codes, "next": safe_next(request)},
    )


@require_POST
@login_required
def regenerate_backup_codes(request):
    if not request.user.is_verified():
        return redirect_with_next("otp_verify", request)
    request.session[SESSION_CODES] = new_backup_codes(request.user)
    return redirect("otp_backup_codes")
