"""Staff who have not given their second factor reach nothing but the code step."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from diagnostics.staff.models import SecuritySettings
from diagnostics.staff.second_factor.devices import has_device

# Reachable while signed in but not yet past the second factor.
OPEN_PATHS = ("/accounts/", "/static/", "/favicon.ico")
SECOND_FACTOR_PATHS = ("/accounts/security/",)


class SecondFactorMiddleware:
    """Send a signed-in user who has not given a code to the code page (when they have an
    authenticator) or to set one up (when the policy requires it), before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and self.guarded(request.path):
            if has_device(user):
                return redirect_with_next("otp_verify", request)
            if SecuritySettings.load().require_second_factor:
                return redirect_with_next("otp_enrol", request)
        return self.get_response(request)

    @staticmethod
    def guarded(path):
        if path.startswith(SECOND_FACTOR_PATHS):
            return path != reverse("otp_enrol")  # the enrol page checks for itself
        return not path.startswith(OPEN_PATHS)


def redirect_with_next(name, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
