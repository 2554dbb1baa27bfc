"""Error pages: in the portal's layout, saying why and offering a way on, and never failing
themselves. If the layout cannot be drawn (the error may have come from what draws it), a
plain page says the same."""

import logging
from urllib.parse import unquote_to_bytes

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.html import escape

logger = logging.getLogger(__name__)

PAGES = {
    400: ("Something in that request could not be read", "400.html"),
    403: ("You cannot open this page", "403.html"),
    404: ("Page not found", "404.html"),
    500: ("Something went wrong", "500.html"),
}
NOT_UTF8 = (
    "The portal reads forms and addresses only as UTF-8 text, and this one was not (or was "
    "declared in another encoding). Nothing was saved. Go back, check what you typed and send "
    "it again from the page."
)


def error_page(request, status, reason="", title=""):
    default_title, template = PAGES[status]
    title = title or default_title
    try:
        return render(request, template, {"title": title, "reason": reason}, status=status)
    except Exception:
        logger.exception("The %s page could not be drawn", status)
        title = escape(title)
        body = f"<!doctype html><html lang=en><title>{title}</title><h1>{title}</h1>"
        if reason:
            body += f"<p>{escape(reason)}</p>"
        return HttpResponse(body + '<p><a href="/">Back to the symptoms</a></p>', status=status)


def bad_request(request, exception=None):
    return error_page(request, 400)


def permission_denied(request, exception=None):
    return error_page(request, 403, _reason(exception))


def page_not_found(request, exception=None):
    return error_page(request, 404)


def server_error(request):
    return error_page(request, 500)


def csrf_failure(request, reason=""):
    """A form sent without its security token, or after it expired."""
    return error_page(
        request,
        403,
        title="The form could not be sent",
        reason="The form’s security check failed: the page may have been open too long, or cookies "
        "are blocked for this site. Reload the page and try again.",
    )


def _reason(exception):
    # Only the portal's own messages (PermissionDenied("Only admins...")) are shown.
    text = str(exception or "")
    return text if text and not text.startswith("<") else ""


class RefuseUndecodableInput:
    """Answer 400, before any view or the CSRF check reads it, a request whose form or query
    is not UTF-8: Django would otherwise store replacement characters in its place, or fail
    on an unknown charset. Nothing it carries is stored."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not self.readable(request):
            return error_page(request, 400, NOT_UTF8)
        return self.get_response(request)

    @staticmethod
    def readable(request):
        query = request.META.get("QUERY_STRING", "")
        try:
            raw_query = query.encode("latin-1")  # WSGI hands the raw bytes over as latin-1
        except UnicodeEncodeError:
            raw_query = query.encode()
        if not _utf8_form(raw_query):
            return False
        if request.method != "POST":
            return True
        charset = request.content_params.get("charset", "utf-8").lower().replace("_", "-")
        if charset not in {"utf-8", "utf8"}:
            return False
        if request.content_type == "application/x-www-form-urlencoded":
            return _utf8_form(request.body)
        if request.content_type == "multipart/form-data":
            # Parsed here, as the CSRF check would; files stay bytes, fields must be text.
            return not any("\ufffd" in value for value in request.POST.values())
        return True


def _utf8_form(raw):
    """Whether urlencoded bytes decode to UTF-8 text, percent escapes included."""
    try:
        raw.decode("utf-8")
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class NoTracebackBelow500(logging.Filter):
    """A refusal (403, 404) is logged as one line: a traceback is for a server error."""

    def filter(self, record):
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = record.exc_text = None
        return True
