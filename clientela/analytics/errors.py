"""What every analysis raises for input it cannot use: ``BadInput``, a ``ValueError``
with a translated ``message`` a page or the API can show as it is."""

from __future__ import annotations


class BadInput(ValueError):
    """The data or an argument is not valid input. ``message`` (translated) says what is
    wrong; ``row`` is the 1-based position of the offending row when one row is to
    blame."""

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row

    def __str__(self) -> str:
        return self.message
