"""Django's own sign-in pages, with the portal's limits where Django has none."""

from django.conf import settings
from django.contrib.auth import views as auth_views

from diagnostics import throttle
from diagnostics.http import client_address

TOO_MANY_RESETS = (
    "Too many password reset requests from here or for this address. Please wait an hour, "
    "then try again."
)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per client address and per e-mail address asked for,
    so the page cannot be used to flood an inbox. The answer is the same whether an account
    has that address or not: the limit counts the address asked for either way."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        allowed = throttle.allow(
            "reset-client", client_address(self.request), settings.PASSWORD_RESETS_PER_HOUR
        ) and throttle.allow("reset-email", email, settings.PASSWORD_RESETS_PER_EMAIL_PER_HOUR)
        if not allowed:
            form.add_error(None, TOO_MANY_RESETS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
