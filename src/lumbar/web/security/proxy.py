"""Who is really asking: the client's address and scheme behind the reverse proxies we trust.

`LUMBAR_TRUSTED_PROXIES` lists the addresses (or networks, "10.0.0.0/24") of the proxies in front of
Lumbar. A request whose peer is one of them may tell us, in X-Forwarded-For, whom it forwards and, in
X-Forwarded-Proto, whether the client used HTTPS. From any other peer those headers are dropped: a
client cannot claim another address (to escape sign-in throttling) or claim HTTPS.

This module is imported by the settings: it uses nothing that needs Django's apps loaded.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, MutableMapping
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Kept in request.META by TrustedProxyMiddleware: the TCP peer, before REMOTE_ADDR became the client.
PEER_KEY = "LUMBAR_PEER_ADDR"
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")


class ProxyConfigError(ImproperlyConfigured, ValueError):
    """LUMBAR_TRUSTED_PROXIES holds something that is not an address or a network."""


def parse_trusted_proxies(value: str) -> tuple[Network, ...]:
    """ "127.0.0.1, 10.0.0.0/24, ::1" -> networks. Raises ProxyConfigError naming the bad entry."""
    networks: list[Network] = []
    for raw in value.replace(";", ",").split(","):
        entry = raw.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ProxyConfigError(
                f"LUMBAR_TRUSTED_PROXIES: {entry!r} is not an IP address or network (e.g. 10.0.0.5 or 10.0.0.0/24)"
            ) from None
    return tuple(networks)


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[::1]:1234"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "10.0.0.1:1234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(value: str, networks: Iterable[Network]) -> bool:
    address = _address(value)
    return address is not None and any(address in network for network in networks)


def client_address(peer: str, forwarded_for: str, networks: tuple[Network, ...]) -> str:
    """The client's address: walk X-Forwarded-For from the right while each hop so far is a trusted
    proxy. The first address that is not a trusted proxy is the client; a malformed entry stops the
    walk at the last trusted hop (never at a value the client could have chosen freely)."""
    current = peer
    hops = [hop for hop in (forwarded_for or "").split(",") if hop.strip()]
    while hops and is_trusted(current, networks):
        address = _address(hops.pop())
        if address is None:
            break
        current = str(address)
    return current


def apply_to_meta(meta: MutableMapping[str, Any], networks: tuple[Network, ...]) -> None:
    """Rewrite a request's META in place: REMOTE_ADDR becomes the client's address; forwarded headers
    survive only from a trusted proxy. Idempotent (a second call finds PEER_KEY and does nothing)."""
    if PEER_KEY in meta:
        return
    peer = str(meta.get("REMOTE_ADDR") or "")
    meta[PEER_KEY] = peer
    if networks and is_trusted(peer, networks):
        meta["REMOTE_ADDR"] = client_address(peer, str(meta.get("HTTP_X_FORWARDED_FOR", "")), networks)
        return
    for header in FORWARDED_HEADERS:
        meta.pop(header, None)


def axes_client_address(request: Any) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: sign-in throttling counts failures under the real client address."""
    from django.conf import settings

    apply_to_meta(request.META, tuple(getattr(settings, "LUMBAR_TRUSTED_PROXIES", ())))
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None
