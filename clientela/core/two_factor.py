"""TOTP two-factor login (django-otp): the device lookups shared by the middleware and
the views, and the few writes that turn a user's device on and off.

A user starts with a *pending* (unconfirmed) device whose secret the setup page shows;
it only counts once the user proves their app produces its codes. Codes are checked by
django-otp itself, which also throttles guessing and refuses a code used before.
"""

from __future__ import annotations

import base64
import datetime
import math
from typing import Any

import segno
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def has_device(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def has_any_device(user: Any) -> bool:
    """A confirmed or pending TOTP device, or backup codes: what a reset removes."""
    return bool(
        TOTPDevice.objects.filter(user=user).exists()
        or StaticDevice.objects.filter(user=user).exists()
    )


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@transaction.atomic
def totp_device_pending(*, user: Any) -> TOTPDevice:
    """The user's unconfirmed device, created on first use so a reload of the setup
    page shows the same secret the user may already have scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


def throttle_wait(device: TOTPDevice) -> int | None:
    """Seconds to wait before another code may be tried, or None when one may."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    locked_until: datetime.datetime | None = (data or {}).get("locked_until")
    if locked_until is None:
        return 1
    return max(1, math.ceil((locked_until - timezone.now()).total_seconds()))


def check_code(device: TOTPDevice, code: str) -> bool:
    """Verify a code against the device (throttled, each code accepted once)."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        verified = bool(locked.verify_token(code))
    device.refresh_from_db()
    return verified


@transaction.atomic
def totp_device_confirm(*, user: Any, device: TOTPDevice) -> TOTPDevice:
    """Mark a device whose code was just verified as the user's one device."""
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@transaction.atomic
def totp_devices_remove(*, user: Any) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def secret_text(device: TOTPDevice) -> str:
    """The secret as authenticator apps expect it typed in: base32, in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning URL as an inline SVG QR code (no external service sees it)."""
    code = segno.make(device.config_url, error="m")
    return str(code.svg_inline(scale=5, border=2, dark="#000", light="#fff"))
