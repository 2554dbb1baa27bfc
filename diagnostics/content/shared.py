"""Public pages as shared documents: for visitors who are not signed in, the index, search
results and symptom pages are the same bytes for everyone, so they are rendered once per
published revision and address, kept in the cache, validated with ETag/Last-Modified and
allowed into a shared cache (a CDN) for a short time.

The key holds the revision number read from the database on each request (one query), so a
publish is served at once by every app server, whatever cache backend each one uses.
"""

import gzip
import hashlib
import re
from datetime import UTC, datetime
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date, quote_etag

from diagnostics.content.models import PlaybookRevision, Symptom

KEPT_HEADERS = ("Content-Type", "HX-Replace-Url")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")


def shared_page(view):
    """Serve `view` to visitors who are not signed in from the cache, per published revision,
    with validators; signed-in staff get their own page, never stored in a shared cache."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if (
            request.method not in ("GET", "HEAD")
            or request.user.is_authenticated
            or len(get_messages(request))  # a message for this visitor (kept, not shown yet)
        ):
            response = view(request, *args, **kwargs)
            response.setdefault("Cache-Control", "private, no-cache")
            patch_vary_headers(response, ["Cookie"])
            return response
        request.shared_page = True  # the page leaves out everything per visitor
        number, published_at, reviewed_at, _ = published_state()
        # Numbers are not enough: a database restored from a backup numbers its revisions anew.
        version = ".".join(str(t.timestamp()) if t else "0" for t in (published_at, reviewed_at))
        key = page_key(request, f"{number}.{version}")
        etag = quote_etag(key)
        if etag in request.headers.get("If-None-Match", ""):
            return with_validators(HttpResponseNotModified(), etag, published_at)
        cache = caches[settings.SHARED_PAGE_CACHE]
        if stored := cache.get(key):
            return with_validators(from_cache(request, *stored), etag, published_at)
        response = view(request, *args, **kwargs)
        if response.status_code != 200:
            return response  # errors and redirects are not shared
        headers = {h: response[h] for h in KEPT_HEADERS if h in response}
        # Kept compressed too: compressing a large index on every request was a good part of
        # its cost. No padding against BREACH: a shared page holds no secret to guess.
        stored = (response.content, gzip.compress(response.content, mtime=0), headers)
        cache.set(key, stored, settings.SHARED_PAGE_SECONDS_CACHED)
        return with_validators(response, etag, published_at)

    return wrapper


class PublishedState(NamedTuple):
    number: int  # the newest revision's
    published_at: datetime | None
    reviewed_at: datetime | None  # the latest "last reviewed" date
    last_symptom: int  # the highest symptom id: notices one made outside a publish (demo data)


def published_state():
    """What the published content is now: pages and fragments that show only that are kept
    under a key made of it. One query, written out: built by the ORM it took most of a
    cached page's time. Every maximum is read from an index."""
    revisions, symptoms = PlaybookRevision._meta.db_table, Symptom._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(number) FROM {revisions}),"
            f" (SELECT MAX(imported_at) FROM {revisions}),"
            f" (SELECT MAX(reviewed_at) FROM {symptoms}),"
            f" (SELECT MAX(id) FROM {symptoms})"
        )
        number, published_at, reviewed_at, last_symptom = cursor.fetchone()
    return PublishedState(number or 0, moment(published_at), moment(reviewed_at), last_symptom or 0)


def published_fragment(name, build):
    """`build()`, kept in the cache until the next publish: for staff pages' parts that only
    a publish changes (the menu of every symptom). One query reads the state."""
    state = published_state()
    published_at = state.published_at.timestamp() if state.published_at else 0
    stamp = f"{state.number}.{published_at}.{state.last_symptom}"
    key = f"fragment:{name}:{stamp}"
    cache = caches[settings.SHARED_PAGE_CACHE]
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, settings.SHARED_PAGE_SECONDS_CACHED)
    return value


def moment(value):
    """A datetime as the database gave it (SQLite: text) made an aware datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def from_cache(request, content, compressed, headers):
    if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(compressed, headers=headers)
        response["Content-Encoding"] = "gzip"  # the gzip middleware leaves it as it is
    else:
        response = HttpResponse(content, headers=headers)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


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
    # Browsers ask again each time (a 304 while nothing changed), so a publish shows at once;
    # a shared cache (a CDN) may keep the page a short while.
    response["Cache-Control"] = f"public, max-age=0, s-maxage={settings.SHARED_PAGE_MAX_AGE}"
    patch_vary_headers(response, ["Cookie", "HX-Request"])
    return response
