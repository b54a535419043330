"""The company profile's one write: the settings page's form, validated whole (the
logo included) before anything is stored, and audited."""

from __future__ import annotations

import hashlib
import io
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries
from PIL import Image, UnidentifiedImageError

from clientela.core import company
from clientela.core.audit import changes_between, record_audit
from clientela.core.choices import AuditAction, Language
from clientela.core.models import CompanyProfile
from clientela.core.models.accounts import validate_time_zone
from clientela.core.normalize import normalize_email, normalize_phone
from clientela.core.services.records import _require_admin

#: The largest logo file accepted, and the largest side it is kept at (a letterhead
#: prints it a few centimetres wide; a bigger one only makes every PDF heavier).
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 1200
#: Refused before decoding: a small file can claim a huge canvas (a "pixel bomb").
LOGO_MAX_PIXELS = 40_000_000
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}
TEXT_LIMITS = {"name": 200, "legal_name": 200, "address": 500, "tax_id": 50, "website": 200}
ADDRESS_MAX_LINES = 6


class CompanyData(TypedDict, total=False):
    name: str
    legal_name: str
    address: str
    tax_id: str
    email: str
    phone: str
    website: str
    country: str
    language: str
    time_zone: str
    #: A new logo (an uploaded file), or None to keep the current one.
    logo: Any
    remove_logo: bool


Errors = dict[str, list[str]]


def company_profile_get() -> CompanyProfile:
    """The stored profile, or an unsaved blank one."""
    return CompanyProfile.objects.filter(pk=1).first() or CompanyProfile(pk=1)


def profile_snapshot(profile: CompanyProfile) -> dict[str, Any]:
    return {
        name: getattr(profile, name) or ""
        for name in (
            *TEXT_LIMITS,
            "email",
            "phone",
            "country",
            "language",
            "time_zone",
        )
    } | {"logo": profile.logo.name or ""}


def _text(errors: Errors, key: str, value: Any) -> str:
    if value is not None and not isinstance(value, str):
        errors[key] = [_("Enter text.")]
        return ""
    text = (value or "").strip()
    if key == "address":
        text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
        if text.count("\n") >= ADDRESS_MAX_LINES:
            errors[key] = [_("At most %(n)d lines.") % {"n": ADDRESS_MAX_LINES}]
    if len(text) > TEXT_LIMITS[key]:
        errors[key] = [_("At most %(limit)d characters.") % {"limit": TEXT_LIMITS[key]}]
    return text


def _clean_choices(profile: CompanyProfile, data: CompanyData, errors: Errors) -> None:
    if "country" in data:
        country = str(data.get("country") or "").strip().upper()
        if country and country not in countries:
            errors["country"] = [_("Choose a country from the list.")]
        profile.country = country
    if "language" in data:
        language = str(data.get("language") or "")
        if language and language not in Language.values:
            errors["language"] = [_("Choose a language we offer.")]
        profile.language = language
    if "time_zone" in data:
        zone = str(data.get("time_zone") or "").strip()
        if zone:
            try:
                validate_time_zone(zone)
            except ValidationError as exc:
                errors["time_zone"] = list(exc.messages)
        profile.time_zone = zone


def _clean_contact(profile: CompanyProfile, data: CompanyData, errors: Errors) -> None:
    if "email" in data:
        raw = data.get("email") or ""
        try:
            profile.email = normalize_email(raw) if str(raw).strip() else ""
        except ValidationError as exc:
            errors["email"] = list(exc.messages)
    if "phone" in data:
        raw = data.get("phone") or ""
        try:
            region = profile.country or company.default_country()
            profile.phone = normalize_phone(raw, region) if str(raw).strip() else ""
        except ValidationError as exc:
            errors["phone"] = list(exc.messages)
    if "website" in data:
        website = _text(errors, "website", data.get("website"))
        if website and "website" not in errors:
            try:
                URLValidator(schemes=["http", "https"])(website)
            except ValidationError:
                errors["website"] = [_("Enter a web address starting with https://.")]
        profile.website = website


def clean_logo(upload: Any) -> tuple[bytes, str]:
    """A PNG or JPEG logo, re-encoded (metadata dropped, at most ``LOGO_MAX_SIDE``
    pixels a side) as (content, extension); ``ValidationError`` for anything else."""
    size = getattr(upload, "size", None)
    if size is None or size > LOGO_MAX_BYTES:
        raise ValidationError(
            _("The logo may be at most %(mb)d MB.") % {"mb": LOGO_MAX_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    refused = ValidationError(_("Upload the logo as a PNG or JPEG image."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            if kind not in LOGO_FORMATS:
                raise refused
            if probe.width * probe.height > LOGO_MAX_PIXELS:
                raise ValidationError(_("The logo's image is too large; use a smaller one."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
            out = io.BytesIO()
            if kind == "PNG":
                converted = (
                    image if image.mode in ("RGB", "RGBA", "L", "LA") else image.convert("RGBA")
                )
                converted.save(out, format="PNG", optimize=True)
            else:
                image.convert("RGB").save(out, format="JPEG", quality=90)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise refused from None
    return out.getvalue(), LOGO_FORMATS[kind]


def _store_logo(content: bytes, extension: str) -> str:
    digest = hashlib.sha256(content).hexdigest()[:16]
    return default_storage.save(f"company/logo-{digest}.{extension}", ContentFile(content))


def _delete_file_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def company_profile_update(*, actor: Any, data: CompanyData) -> CompanyProfile:
    """Save the profile (creating it at the first save). Nothing is stored, neither
    the values nor the logo file, unless every value is right."""
    _require_admin(actor)
    profile, created = CompanyProfile.objects.select_for_update().get_or_create(pk=1)
    before = profile_snapshot(profile)
    errors: Errors = {}
    for key in TEXT_LIMITS:
        if key in data and key != "website":
            setattr(profile, key, _text(errors, key, data.get(key)))
    _clean_choices(profile, data, errors)
    _clean_contact(profile, data, errors)
    logo: tuple[bytes, str] | None = None
    if data.get("logo") is not None:
        try:
            logo = clean_logo(data["logo"])
        except ValidationError as exc:
            errors["logo"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    profile.full_clean()
    old_logo = profile.logo.name or ""
    # The file is written last, once nothing can refuse the profile any more.
    if logo is not None:
        profile.logo.name = _store_logo(*logo)
    elif data.get("remove_logo"):
        profile.logo.name = ""
    if profile.logo.name != old_logo:
        _delete_file_on_commit(old_logo)
    profile.save()
    changes = changes_between(before, profile_snapshot(profile))
    if changes or created:
        action = AuditAction.CREATE if created else AuditAction.UPDATE
        record_audit(actor=actor, instance=profile, action=action, changes=changes)
    transaction.on_commit(company.forget_profile)
    return profile
