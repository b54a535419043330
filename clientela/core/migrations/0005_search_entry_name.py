"""The folded words of each search entry's title, which ranking compares the query with
(filled for the entries already there by 0006).

Added with plain ``ALTER TABLE … ADD COLUMN``: Django's SQLite backend would rebuild the
table for a NOT NULL column, and dropping the old table drops the triggers that keep its
FTS5 index in step (migration 0002)."""

from django.db import migrations, models

ADD = "ALTER TABLE core_searchentry ADD COLUMN name text DEFAULT '' NOT NULL"
DROP = "ALTER TABLE core_searchentry DROP COLUMN name"


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_merge_actions")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(ADD, DROP)],
            state_operations=[
                migrations.AddField(
                    model_name="searchentry",
                    name="name",
                    field=models.TextField(blank=True, db_default=""),
                ),
            ],
        ),
    ]
