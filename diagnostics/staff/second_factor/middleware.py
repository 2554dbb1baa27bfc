"""Staff who have not given their second factor reach nothing but the code step."""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from diagnostics.staff.models import SecuritySettings
from diagnostics.staff.second_factor.devices import has_device

# What a person signed in with only a password may open, by URL name: never by path prefix,
# so no page under /accounts/ (changing the password, say) is open by accident. Enrolment
# guards itself: someone who already has an app is sent to the code step from there.
OPEN_URL_NAMES = {"login", "logout", "otp_verify", "otp_enrol"}


class SecondFactorMiddleware:
    """Send a signed-in user who has not given a code to the code page (when they have an
    authenticator) or to set one up (when the policy requires it), before any other page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match.view_name in OPEN_URL_NAMES:
            return None
        if has_device(user):
            return redirect_with_next("otp_verify", request)
        if SecuritySettings.load().require_second_factor:
            return redirect_with_next("otp_enrol", request)
        return None


def redirect_with_next(name, request):
    return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
