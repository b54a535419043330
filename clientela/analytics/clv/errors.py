"""The two ways the lifetime-value models refuse: a purchase history that is not valid
input (``BadHistory``), and a valid one they cannot be fitted to (``ModelDidNotConverge``).
Both carry a translated ``message`` a page or the API can show as it is."""

from __future__ import annotations

from clientela.analytics.errors import BadInput


class BadHistory(BadInput):
    """The purchase history or an argument is not valid input: a negative amount, a
    date that is not a date, a holdout period that ends before it starts. ``message``
    (translated) says what is wrong; ``row`` is the 1-based position of the offending
    transaction when one row is to blame."""


class ModelDidNotConverge(Exception):
    """The model cannot be fitted to this history, said plainly: too few customers, no
    customer who bought twice, an optimiser that found no maximum. ``reason`` is a
    stable code for programs (``too-few-customers``, ``no-repeat-buyers``,
    ``no-spend``, ``unbounded``, ``optimiser``, ``heavy-tailed-spend``,
    ``not-finite``); ``message`` (translated) is for the user. Callers keep their
    previous results when they get it: the models never answer NaN instead."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return self.message
