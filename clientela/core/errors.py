"""Domain errors raised by services and selectors and mapped to answers by each
interface: form errors on pages, 4xx JSON in the API, messages in the CLI."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = ["NotFound", "PermissionDenied", "ValidationError", "VersionConflict"]


class NotFound(Exception):
    """The record does not exist *or the user may not see it*: the two are never told
    apart, so ids of other teams' records are not disclosed."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or str(_("Not found.")))


class VersionConflict(Exception):
    """The record changed since the client read it (stale ``If-Match``/``version``)."""

    def __init__(self, current_version: int) -> None:
        self.current_version = current_version
        super().__init__(
            str(_("This record was changed by someone else (now version %(v)s)."))
            % {"v": current_version}
        )
