"""Input checks shared by the activity services: linked records the actor may see,
text lengths, aware datetimes and uploaded attachments. Each helper adds messages to
an ``errors`` dict keyed by the input field, so a service reports every problem of a
request at once and saves nothing."""

from __future__ import annotations

import datetime
import mimetypes
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.models import Organization, Person
from clientela.core.models import User
from clientela.core.permissions import restrict

Errors = dict[str, list[str]]

#: File types people attach to a customer's history: documents, images, mail.
ALLOWED_EXTENSIONS = frozenset(
    {
        "pdf",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "webp",
        "heic",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "rtf",
        "txt",
        "csv",
        "eml",
    }
)

#: Leading bytes of programs and scripts: a renamed ``.exe`` is refused whatever its name.
_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE / DOS
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",  # Mach-O 32/64, both byte orders, and fat binaries
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",
)


def add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def clean_text(
    model: type[Model], data: Any, names: tuple[str, ...], errors: Errors
) -> dict[str, str]:
    """The text fields present in ``data``, stripped and within the model's limits
    (``full_clean`` does not check ``max_length`` of TextFields)."""
    cleaned: dict[str, str] = {}
    for name in names:
        if name not in data:
            continue
        value = data[name]
        if value is not None and not isinstance(value, str):
            add(errors, name, _("Enter text."))
            continue
        value = (value or "").strip()
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit is not None and len(value) > limit:
            add(
                errors,
                name,
                _("At most %(limit)s characters (this has %(n)s).")
                % {"limit": limit, "n": len(value)},
            )
            continue
        cleaned[name] = value
    return cleaned


def clean_datetime(
    value: Any, field: str, errors: Errors, *, required: bool
) -> datetime.datetime | None:
    if value is None:
        if required:
            add(errors, field, _("This field is required."))
        return None
    if not isinstance(value, datetime.datetime):
        add(errors, field, _("Enter a date and time."))
        return None
    if timezone.is_naive(value):
        add(errors, field, _("Give the time zone of the date and time."))
        return None
    return value


def _ids(value: Any, field: str, errors: Errors) -> list[int] | None:
    if not isinstance(value, list | tuple) or any(type(i) is not int for i in value):
        add(errors, field, _("Give a list of whole-number ids."))
        return None
    return list(dict.fromkeys(value))


def clean_people(actor: User, value: Any, errors: Errors) -> list[Person] | None:
    """The people of ``person_ids``, each one the actor may see."""
    ids = _ids(value, "person_ids", errors)
    if ids is None:
        return None
    visible = restrict(Person.objects.filter(deleted_at__isnull=True), actor, Person.RESOURCE)
    found = {p.pk: p for p in visible.filter(pk__in=ids)}
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        add(errors, "person_ids", _("Unknown person id(s): %(ids)s.") % {"ids": ", ".join(unknown)})
        return None
    return [found[i] for i in ids]


def clean_organization(actor: User, value: Any, errors: Errors) -> Organization | None:
    if value is None:
        return None
    if type(value) is not int:
        add(errors, "organization_id", _("An organization id is a whole number."))
        return None
    visible = restrict(
        Organization.objects.filter(deleted_at__isnull=True), actor, Organization.RESOURCE
    )
    org = visible.filter(pk=value).first()
    if org is None:
        add(errors, "organization_id", _("Unknown organization id: %(id)s.") % {"id": value})
    return org


def clean_users(value: Any, field: str, errors: Errors) -> list[User] | None:
    ids = _ids(value, field, errors)
    if ids is None:
        return None
    found = {u.pk: u for u in User.objects.filter(pk__in=ids, is_active=True)}
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        add(errors, field, _("Unknown user id(s): %(ids)s.") % {"ids": ", ".join(unknown)})
        return None
    return [found[i] for i in ids]


def clean_related(data: Any, errors: Errors) -> tuple[str, int | None] | None:
    """The generic link to a higher app's record, checked for shape only (this app
    cannot resolve ``"sales.deal"``; the higher app's service validates the id)."""
    if "related_type" not in data and "related_id" not in data:
        return None
    related_type = data.get("related_type") or ""
    related_id = data.get("related_id")
    if not isinstance(related_type, str) or len(related_type) > 50:
        add(errors, "related_type", _("At most 50 characters."))
        return None
    if related_id is not None and (type(related_id) is not int or related_id <= 0):
        add(errors, "related_id", _("A record id is a positive whole number."))
        return None
    if bool(related_type) != (related_id is not None):
        add(errors, "related_id", _("Give both the kind and the id of the related record."))
        return None
    return related_type, related_id


def max_attachment_bytes() -> int:
    return int(getattr(settings, "CLIENTELA_MAX_ATTACHMENT_MB", 10)) * 1024 * 1024


def clean_attachments(files: Any, errors: Errors) -> list[UploadedFile]:
    """Uploaded files within the size limit, of an allowed type, and not programs."""
    if not isinstance(files, list | tuple):
        add(errors, "attachments", _("Give a list of files."))
        return []
    limit = max_attachment_bytes()
    for upload in files:
        if not isinstance(upload, UploadedFile):
            add(errors, "attachments", _("Give a list of files."))
            return []
        name = PurePath(upload.name or "").name
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if upload.size is None or upload.size > limit:
            add(
                errors,
                "attachments",
                _("%(name)s is larger than %(mb)s MB.")
                % {"name": name, "mb": limit // (1024 * 1024)},
            )
            continue
        if ext not in ALLOWED_EXTENSIONS:
            add(
                errors,
                "attachments",
                _("%(name)s: this type of file cannot be attached.") % {"name": name},
            )
            continue
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        if head.startswith(_EXECUTABLE_MAGIC):
            add(errors, "attachments", _("%(name)s looks like a program.") % {"name": name})
    return list(files)


def content_type_of(upload: UploadedFile) -> str:
    guessed, _encoding = mimetypes.guess_type(upload.name or "")
    return guessed or "application/octet-stream"
