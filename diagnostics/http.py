"""Small helpers every domain's views share: answering htmx, links in bulk, the client."""

import ipaddress
from functools import wraps

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html


def whole_page(request):
    """Whether `render_htmx` will draw the whole page (not just the partial htmx asked for):
    a plain request, or htmx restoring history."""
    return not request.htmx or request.htmx.history_restore_request


def render_htmx(request, template, partial, context, status=200):
    """The named partial of `template` for an htmx request, the whole page otherwise.
    A history restore asks for the whole page, as a plain request would."""
    if not whole_page(request):
        template = f"{template}#{partial}"
    return render(request, template, context, status=status)


def with_links(objects, view_name, field, attribute="url"):
    """Give each object a `url` (or another `attribute`) from one reverse() instead of one
    each: on a list of a few hundred symptoms, reversing per row was most of the page's time.
    "~" never appears in a key or token, so it marks where each one goes."""
    pattern = reverse(view_name, args=["~"])
    for obj in objects:
        setattr(obj, attribute, pattern.replace("~", getattr(obj, field), 1))
    return objects


def csrf_field(request):
    """The CSRF form field, made once for a page with a form on every row of a long list:
    `{% csrf_token %}` masks the token anew for each form."""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )


def client_address(request):
    """The client's address, the one place lockouts and limits learn it. Behind NUM_PROXIES
    trusted proxies it is the entry the farthest of them added to X-Forwarded-For (entries
    before it can be forged by the client); when the header is missing, short or not an
    address, it is the connecting address, never an empty one all such clients would share."""
    connecting = request.META.get("REMOTE_ADDR", "")
    if settings.NUM_PROXIES:
        forwarded = [part.strip() for part in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(forwarded) >= settings.NUM_PROXIES:
            try:
                return str(ipaddress.ip_address(forwarded[-settings.NUM_PROXIES]))
            except ValueError:
                pass
    return connecting


def post_only(where):
    """A view that acts only on POST. A GET (a reload after an error, an address pasted from
    the bar) is sent to `where(*args, **kwargs)` (a URL), never to a blank 405 page; any other
    method is still refused."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                return redirect(where(*args, **kwargs))
            return HttpResponseNotAllowed(["POST"])

        return wrapper

    return decorate


def favicon(request):
    """/favicon.ico, which browsers ask for on pages that name no icon (the Django admin's)."""
    return redirect(static("favicon.svg"), permanent=True)
