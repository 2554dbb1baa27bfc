"""The person's second-factor devices, on django-otp: one authenticator app (TOTP) and a set
of single-use backup codes."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODES = 10


def has_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def locked_until(devices):
    """When a code may next be tried, if wrong codes have locked every device; else None."""
    until = []
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if allowed:
            return None
        until.append(data["locked_until"])
    return min(until, default=None)


def locked_message(until):
    seconds = max(1, round((until - timezone.now()).total_seconds()))
    wait = ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}
    return (
        f"Too many wrong codes. Try again in {wait} (after {timezone.localtime(until):%H:%M:%S})."
    )


@transaction.atomic
def confirm_device(user, device):
    """Make `device` the user's one authenticator and give them fresh backup codes."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return new_backup_codes(user)


def new_backup_codes(user):
    """Replace the user's backup codes; returns them (the only time they are readable)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
