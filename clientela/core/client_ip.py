"""The address a request comes from: one answer for django-axes' lock-outs and every
rate limit.

``REMOTE_ADDR`` is the other end of the connection. Behind a reverse proxy that is the
proxy, and the client's address is in ``X-Forwarded-For``, which every proxy extends
with the address the request reached it from; whatever a client puts in the header
itself comes first. So the header is believed only when ``REMOTE_ADDR`` is one of
``CLIENTELA_TRUSTED_PROXIES``, and read from the right: the right-most address that is
not a trusted proxy is the client (anything left of it was written by that client and
may be forged). Without trusted proxies the header is ignored.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: IPv6 clients are counted per /64, the block one subscriber usually gets: per single
#: address one machine could draw a new one for every request.
IPV6_PREFIX = 64


def client_ip(request: HttpRequest) -> str:
    """The client's address (AXES_CLIENT_IP_CALLABLE); ``REMOTE_ADDR`` as it is when
    it is not an address (a Unix socket leaves it empty)."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    address = _address(remote)
    if address is None:
        return remote
    return str(_forwarded_client(request, address))


def client_ip_key(request: HttpRequest) -> str:
    """The client's address as rate limits count it: IPv6 by its /64 network."""
    address = _address(client_ip(request))
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return str(address) if address is not None else ""


def _forwarded_client(request: HttpRequest, remote: Address) -> Address:
    proxies = _trusted_proxies(tuple(settings.CLIENTELA_TRUSTED_PROXIES))
    if not _trusted(remote, proxies):
        return remote
    client = remote
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            # Not written by a proxy of ours (they write addresses): stop at the last
            # address one of them vouched for.
            break
        client = address
        if not _trusted(address, proxies):
            break
    return client


@lru_cache(maxsize=8)
def _trusted_proxies(networks: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(network) for network in networks)


def _trusted(address: Address, proxies: tuple[Network, ...]) -> bool:
    return any(address in network for network in proxies if address.version == network.version)


def _address(text: str) -> Address | None:
    """An address as proxies write it: ``203.0.113.7``, ``2001:db8::1``, and also with
    a port (``203.0.113.7:5123``, ``[2001:db8::1]:5123``); an IPv4 address mapped into
    IPv6 (``::ffff:203.0.113.7``) is the IPv4 address."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
