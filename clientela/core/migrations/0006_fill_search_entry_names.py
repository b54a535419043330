"""Fill ``SearchEntry.name`` for the entries written before it existed, in batches (one
UPDATE statement run for many rows); reversing it leaves the column as it is."""

from django.db import migrations

BATCH = 5000


def fill(apps, schema_editor):
    from clientela.core.search import folded_name

    entry = apps.get_model("core", "SearchEntry")
    table = schema_editor.connection.ops.quote_name(entry._meta.db_table)
    rows = entry.objects.filter(name="").order_by("pk").values_list("pk", "title")
    last = 0
    while True:
        batch = list(rows.filter(pk__gt=last)[:BATCH])
        if not batch:
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET name = %s WHERE id = %s",  # noqa: S608 - no user text
                [(folded_name(title), pk) for pk, title in batch],
            )
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [("core", "0005_search_entry_name")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
