"""Copies each person's birthday date into ``birthday_md`` (month * 100 + day) and
``birthday_year``: one UPDATE in the database's own SQL (a million people in a few
seconds; the ORM's month/day lookups call a Python function per row on SQLite).

Backwards, a birthday without a year gets 1604 as its year (Apple's mark for "no year",
a leap year so 29 February survives): the old date column cannot hold none.
"""

from typing import Any

from django.db import migrations

FORWARD = {
    "sqlite": (
        "UPDATE contacts_person SET"
        " birthday_md = CAST(strftime('%m%d', birthday) AS INTEGER),"
        " birthday_year = CAST(strftime('%Y', birthday) AS INTEGER)"
        " WHERE birthday IS NOT NULL"
    ),
    "postgresql": (
        "UPDATE contacts_person SET"
        " birthday_md = (EXTRACT(MONTH FROM birthday) * 100 + EXTRACT(DAY FROM birthday))::integer,"
        " birthday_year = EXTRACT(YEAR FROM birthday)::integer"
        " WHERE birthday IS NOT NULL"
    ),
}

BACKWARD = {
    "sqlite": (
        "UPDATE contacts_person SET birthday = printf('%04d-%02d-%02d',"
        " COALESCE(birthday_year, 1604), birthday_md / 100, birthday_md % 100)"
        " WHERE birthday_md IS NOT NULL"
    ),
    "postgresql": (
        "UPDATE contacts_person SET birthday = make_date("
        " COALESCE(birthday_year, 1604), birthday_md / 100, birthday_md % 100)"
        " WHERE birthday_md IS NOT NULL"
    ),
}


def _run(statements: dict[str, str]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        # No parameters: the SQL goes to the driver as it is ("%" included).
        schema_editor.execute(statements[schema_editor.connection.vendor], None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0008_person_birthday_month_day"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
