"""Public pages as shared documents: for visitors who are not signed in, the index, search
results and symptom pages are the same bytes for everyone, so they are rendered once per
published revision and address, kept in the cache, validated with ETag/Last-Modified and
allowed into a shared cache (a CDN) for a short time.

The key holds the revision number read from the database on each request (one query), so a
publish is served at once by every app server, whatever cache backend each one uses.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db.models import Subquery
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import http_date, quote_etag

from diagnostics.content.models import PlaybookRevision, Symptom

KEPT_HEADERS = ("Content-Type", "HX-Replace-Url")


def shared_page(view):
    """Serve `view` to visitors who are not signed in from the cache, per published revision,
    with validators; signed-in staff get their own page, never stored in a shared cache."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
            response = view(request, *args, **kwargs)
            response.setdefault("Cache-Control", "private, no-cache")
            patch_vary_headers(response, ["Cookie"])
            return response
        request.shared_page = True  # the page leaves out everything per visitor
        number, published_at, reviewed_at = published_state()
        # Numbers are not enough: a database restored from a backup numbers its revisions anew.
        version = ".".join(str(t.timestamp()) if t else "0" for t in (published_at, reviewed_at))
        key = page_key(request, f"{number}.{version}")
        etag = quote_etag(key)
        if etag in request.headers.get("If-None-Match", ""):
            return with_validators(HttpResponseNotModified(), etag, published_at)
        cache = caches[settings.SHARED_PAGE_CACHE]
        if stored := cache.get(key):
            content, headers = stored
            return with_validators(HttpResponse(content, headers=headers), etag, published_at)
        response = view(request, *args, **kwargs)
        if response.status_code != 200:
            return response  # errors and redirects are not shared
        stored = (response.content, {h: response[h] for h in KEPT_HEADERS if h in response})
        cache.set(key, stored, settings.SHARED_PAGE_SECONDS_CACHED)
        return with_validators(response, etag, published_at)

    return wrapper


def published_state():
    """(revision number, when it was published, the latest "last reviewed" date): what the
    public pages show changes only with these. One query."""
    newest_review = (  # walks the index on reviewed_at from its end
        Symptom.objects.filter(reviewed_at__isnull=False)
        .order_by("-reviewed_at")
        .values("reviewed_at")[:1]
    )
    row = (
        PlaybookRevision.objects.order_by("-number")
        .annotate(reviewed=Subquery(newest_review))
        .values_list("number", "imported_at", "reviewed")
        .first()
    )
    return row or (0, None, None)


def page_key(request, revision):
    """One entry per published revision, address (with its query) and htmx fragment."""
    address = request.get_full_path()
    fragment = "full" if not request.htmx or request.htmx.history_restore_request else "htmx"
    digest = hashlib.blake2b(f"{fragment} {address}".encode(), digest_size=12).hexdigest()
    return f"shared-page:r{revision}:{digest}"


def with_validators(response, etag, published_at):
    response["ETag"] = etag
    if published_at:
        response["Last-Modified"] = http_date(published_at.timestamp())
    response["Cache-Control"] = f"public, max-age={settings.SHARED_PAGE_MAX_AGE}"
    patch_vary_headers(response, ["Cookie", "HX-Request"])
    return response
