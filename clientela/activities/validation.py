"""Input checks of the activity services alone: the generic link to a higher app's
record and uploaded attachments. Like the shared checks (``core.validation``; the
linked people and organization: ``contacts.links``), each adds messages to an
``errors`` dict keyed by the input field."""

from __future__ import annotations

import mimetypes
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from clientela.core.validation import Errors, add

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


def clean_attachments(files: Any, errors: Errors) -> list[UploadedFile[bytes]]:
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


def content_type_of(upload: UploadedFile[bytes]) -> str:
    guessed, _encoding = mimetypes.guess_type(upload.name or "")
    return guessed or "application/octet-stream"
