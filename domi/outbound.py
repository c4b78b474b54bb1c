"""Requests the server makes to addresses that people typed in (booking-system webhooks): no SSRF.

A URL is refused unless every address its host resolves to is public (not loopback, link-local, private,
shared, multicast or reserved, IPv4 inside IPv6 included) and, where DOMI_OUTBOUND_REQUIRE_HTTPS is on (it
is in production), it is https. The check runs when the URL is saved and again when a request is sent,
after DNS; the connection is then made to the very address that was checked (the Host header and the TLS
certificate check still name the host), so a name that resolves elsewhere a second later (DNS rebinding)
gains nothing. Redirects are not followed. Of the reply only the status and the size are kept.

DOMI_OUTBOUND_ALLOWED_NETWORKS lists networks let through all the same (a booking system on the company's
own network); it is empty unless set.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(ValueError):
    """The URL may not be called from the server."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written in the URL, without brackets
    port: int
    path: str  # with the query
    address: str  # the checked address the connection goes to


@dataclass(frozen=True)
class Reply:
    status: int
    size: int  # bytes of the body read (at most DOMI_OUTBOUND_MAX_REPLY_BYTES)


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(net, strict=False) for net in getattr(settings, "DOMI_OUTBOUND_ALLOWED_NETWORKS", [])]


def address_is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour or (address.teredo[1] if address.teredo else None)
        if embedded is not None and not address_is_public(embedded):
            return False
    return address.is_global and not address.is_multicast and not address.is_reserved


def _check_address(address: IPAddress) -> None:
    if any(address in network for network in _allowed_networks()):
        return
    if not address_is_public(address):
        raise AddressRefused(f"{address} is not a public address.")


def resolve(url: str) -> Target:
    """The URL's parts and one checked address to connect to; AddressRefused when any address is not public."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused("The URL is not valid.") from exc
    scheme = parts.scheme.lower()
    require_https = getattr(settings, "DOMI_OUTBOUND_REQUIRE_HTTPS", False)
    if scheme not in ("http", "https") or (require_https and scheme != "https"):
        raise AddressRefused("Only https URLs are allowed." if require_https else "Only http(s) URLs are allowed.")
    host = parts.hostname
    if not host:
        raise AddressRefused("The URL has no host.")
    if parts.username or parts.password:
        raise AddressRefused("The URL may not carry a user name or password.")
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"{host} does not resolve.") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise AddressRefused(f"{host} does not resolve.")
    # Every address, not only the first: a name may list a public address beside a private one.
    for address in addresses:
        _check_address(address)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


def post(url: str, *, body: bytes, headers: dict[str, str], timeout: float) -> Reply:
    """POST to the URL's checked address. AddressRefused, or urllib3's HTTPError when the exchange fails."""
    target = resolve(url)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if ":" not in target.host else f"[{target.host}]"
    if target.port != default_port:
        host_header = f"{host_header}:{target.port}"
    options = {"host": target.address, "port": target.port, "timeout": timeout, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            **options,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    else:
        pool = urllib3.HTTPConnectionPool(**options)
    limit = getattr(settings, "DOMI_OUTBOUND_MAX_REPLY_BYTES", 64 * 1024)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            size = 0
            for chunk in response.stream(8192):
                size += len(chunk)
                if size >= limit:
                    break
        finally:
            response.release_conn()
        return Reply(status=response.status, size=size)
    finally:
        pool.close()
