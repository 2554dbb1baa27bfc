"""Sending one webhook: where it may go, how it is signed, and the HTTP request itself.

Addresses are checked when an endpoint is saved and again at every send, on the address the
request then connects to (a name that resolved to a public address yesterday may resolve to
127.0.0.1 today): the connection is made to the checked address, with the name kept for TLS.
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from standardwebhooks import Webhook

TIMEOUT = 10  # seconds, for connecting and for each read
USER_AGENT = "diagnostic-portal-webhooks/1"


class AddressRefused(Exception):
    """The URL may not be sent to: what is wrong, in words."""


def check_url(url):
    """The (scheme, host, port, path, address) to send to; AddressRefused when the URL is not
    http(s) or resolves to an address the portal must not reach."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("must start with http:// or https:// and name a host")
    if parts.username or parts.password:
        raise AddressRefused("must not contain a user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise AddressRefused("has a port that is not a number from 1 to 65535") from exc
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"names a host that does not resolve ({parts.hostname})") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        for address in addresses:
            if not all(a.is_global and not a.is_multicast for a in [address, *embedded(address)]):
                raise AddressRefused(
                    f"resolves to {address}, a loopback, private or link-local address the "
                    "portal does not send to (set WEBHOOKS_ALLOW_PRIVATE_ADDRESSES=true to "
                    "allow it)"
                )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.scheme, parts.hostname, port, path, str(addresses[0])


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded(address):
    """IPv4 addresses an IPv6 one carries (mapped, 6to4, Teredo, NAT64, compatible): a
    network that translates them would reach those."""
    if address.version != 6:
        return []
    found = [address.ipv4_mapped, address.sixtofour, *(address.teredo or ())]
    packed = int(address)
    if address in NAT64 or packed >> 32 == 0:
        found.append(ipaddress.IPv4Address(packed & 0xFFFFFFFF))
    return [a for a in found if a is not None]


def sign(secrets, message_id, timestamp, body):
    """The webhook-signature header: one "v1,<base64>" per secret, space-separated."""
    when = datetime.fromtimestamp(timestamp, tz=UTC)
    return " ".join(Webhook(secret).sign(message_id, when, body) for secret in secrets)


@dataclass
class Answer:
    status_code: int | None
    duration_ms: int
    excerpt: str = ""
    error: str = ""


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def first_bytes(response, sock, started, length):
    """The start of the answer, read until TIMEOUT from the start of the request at most: a
    receiver that drips its answer must not hold the worker."""
    chunks, size = [], 0
    while size < length * 4:
        remaining = TIMEOUT - (time.monotonic() - started)
        if remaining <= 0 or response.fp is None:
            break
        sock.settimeout(remaining)
        try:
            chunk = response.read1(length * 4 - size)
        except (OSError, http.client.HTTPException):
            break
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks).decode("utf-8", "replace")[:length]


def post(url, body, headers, excerpt_length):
    """POST `body` to `url` (checked again now), never following a redirect. Returns what
    came back, or the error, and how long it took."""
    started = time.monotonic()

    def took():
        return int((time.monotonic() - started) * 1000)

    try:
        scheme, host, port, path, address = check_url(url)
    except AddressRefused as exc:
        return Answer(None, took(), error=f"Not sent: the URL {exc}")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout=TIMEOUT)
    try:
        connection.request(
            "POST",
            path,
            body=body.encode(),
            headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
        sock = connection.sock  # before getresponse(), which may hand it to the response
        response = connection.getresponse()
        excerpt = first_bytes(response, sock, started, excerpt_length)
        return Answer(response.status, took(), excerpt=excerpt)
    except (OSError, http.client.HTTPException) as exc:
        return Answer(None, took(), error=f"{type(exc).__name__}: {exc}"[:300])
    finally:
        connection.close()
