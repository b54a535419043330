"""Where a webhook may be sent: the SSRF guard (issue 16 items 3 and 7).

A receiver's host is resolved once per request and *every* address it resolves to is
checked (a name that resolves to one public and one private address is refused, or a
DNS answer could pick the private one later); the request then connects to the checked
address itself (``pinned``), so a second lookup between the check and the connection
(DNS rebinding) cannot send it elsewhere. Refused always: link-local addresses
(169.254.0.0/16 with the cloud metadata address, fe80::/10), unspecified, multicast and
reserved ones. Private and loopback addresses only with
``CLIENTELA_WEBHOOKS_ALLOW_PRIVATE`` (receivers on the company's own network; tests).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

#: Metadata services of cloud providers outside the link-local range (Alibaba's;
#: AWS's IPv6 one), refused as link-local ones are.
METADATA = {ipaddress.ip_address("100.100.100.200"), ipaddress.ip_address("fd00:ec2::254")}


class AddressRefused(Exception):
    """A URL that must not be called; the message says why, for the admin."""


@dataclass(frozen=True)
class Target:
    """A checked URL: the address to connect to and the host to name (Host, SNI)."""

    scheme: str
    host: str
    port: int
    address: str


def _plain(address: IPAddress) -> IPAddress:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def refusal(address: IPAddress) -> str:
    """Why ``address`` may not be called ("" when it may)."""
    address = _plain(address)
    if address in METADATA or address.is_link_local:
        return _("%(address)s is a link-local address (such as a cloud metadata service).")
    odd = _("%(address)s is not an address a webhook can be sent to.")
    if address.is_unspecified or address.is_multicast:
        return odd
    if address.is_global:
        return ""
    if address.is_private or address.is_loopback:
        if settings.CLIENTELA_WEBHOOKS_ALLOW_PRIVATE:
            return ""
        return _(
            "%(address)s is a private or loopback address; webhooks to the company's own "
            "network need CLIENTELA_WEBHOOKS_ALLOW_PRIVATE=true."
        )
    return odd  # reserved, shared (carrier-grade NAT), documentation ranges…


def check_url(url: str) -> tuple[str, str, int]:
    """The scheme, host and port of a URL a webhook may be sent to, before any lookup:
    HTTP(S), a host, no credentials; HTTPS unless ``CLIENTELA_WEBHOOKS_ALLOW_HTTP``."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise AddressRefused(_("This is not a valid URL.")) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused(_("Enter an http:// or https:// URL with a host name."))
    if scheme == "http" and not settings.CLIENTELA_WEBHOOKS_ALLOW_HTTP:
        raise AddressRefused(_("Webhooks must use https:// on this server."))
    if parts.username is not None or parts.password is not None:
        raise AddressRefused(_("Leave user names and passwords out of the URL."))
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80)


def resolve(url: str) -> Target:
    """The checked target of ``url``: every address its host resolves to allowed, the
    first of them pinned. ``AddressRefused`` with the reason otherwise; ``OSError``
    when the name cannot be resolved now (the worker retries)."""
    scheme, host, port = check_url(url)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses: list[IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    for address in addresses:
        reason = refusal(address)
        if reason:
            raise AddressRefused(reason % {"address": address})
    if not addresses:
        raise OSError(f"{host} has no address")
    return Target(scheme=scheme, host=host, port=port, address=str(_plain(addresses[0])))


def check_subscription_url(url: str) -> None:
    """``resolve`` for a URL being saved: a name that does not resolve is refused too
    (with its own message), since nothing could be delivered to it."""
    try:
        resolve(url)
    except OSError as exc:
        raise AddressRefused(_("The host of this URL could not be found.")) from exc
