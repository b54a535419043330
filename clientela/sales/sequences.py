"""The gap-free sequences of numbered documents (``DocumentSequence``: quotes, orders,
tickets) and the taking of their numbers. The model is listed in ``sales.models``."""

from __future__ import annotations

from django.db import connection, models


class DocumentSequence(models.Model):
    """The next number of a numbered document kind ("quote", "order"; "ticket", whose
    numbers run on across years under year 0) per year, taken
    under a row lock inside the transaction that saves the document, so numbers have
    no gaps: a rolled-back save gives its number back."""

    kind = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="sequence_kind_year")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


def take_numbers(kind: str, year: int, count: int = 1) -> int:
    """Take the next ``count`` numbers of ``kind`` in ``year``; the last one taken. One
    ``UPDATE … RETURNING``, whose row lock holds until the caller's transaction ends
    (call it inside one, as late as possible): a rolled-back save gives its numbers
    back, so there are no gaps."""
    table = connection.ops.quote_name(DocumentSequence._meta.db_table)
    # The model's own table name, no outside input.
    step = (
        f"UPDATE {table} SET last = last + %s "  # noqa: S608
        "WHERE kind = %s AND year = %s RETURNING last"
    )
    with connection.cursor() as cursor:
        cursor.execute(step, [count, kind, year])
        row = cursor.fetchone()
        if row is None:  # the kind's first number this year
            DocumentSequence.objects.get_or_create(kind=kind, year=year)
            cursor.execute(step, [count, kind, year])
            row = cursor.fetchone()
    return int(row[0])
