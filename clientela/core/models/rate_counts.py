"""The table of the rate-limit counts (``core.rate_limits``, ``CLIENTELA_CACHE_URL=db://``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateCount(models.Model):
    """How many requests one key (``group:rate:key``: "api-token:600/m:…") made in its
    current window, which ends at ``window_end`` (Unix seconds). Written by
    ``core.rate_limits.DatabaseStore`` with one upsert per request; rows whose window
    ended are deleted now and then. Not a CRM record, so no timestamps."""

    key = models.CharField(max_length=255, primary_key=True)
    window_end = models.BigIntegerField(db_index=True)
    count = models.IntegerField()

    class Meta:
        db_table = "clientela_rate_count"
        ordering = ["key"]
        verbose_name = _("rate-limit count")
        verbose_name_plural = _("rate-limit counts")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
