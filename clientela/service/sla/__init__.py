"""The SLA arithmetic, pure (no models, no database): business calendars and their
holidays (``calendars``, ``public_holidays``) and the pausable clock (``clock``, which
also re-exports the rest)."""
