"""The table of the shared cache."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.env import CACHE_TABLE


class SharedCacheEntry(models.Model):
    """One entry of the shared cache when it lives in the database
    (``CLIENTELA_CACHE_URL=db://``, the default): the rate-limit counts every web
    process must see. Django's ``DatabaseCache`` reads and writes this table with SQL of
    its own; the model is here so that ``migrate`` creates the table on every install,
    SQLite and PostgreSQL alike (the columns are those of ``createcachetable``), and
    ``flush`` empties it. Not a CRM record, so no timestamps: ``expires`` is all it
    needs."""

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = CACHE_TABLE
        ordering = ["cache_key"]
        verbose_name = _("shared cache entry")
        verbose_name_plural = _("shared cache entries")

    def __str__(self) -> str:
        return self.cache_key
