"""The old birthday date goes (0008 copied it), and the month-day gets its index and
its rules (added after the copy: building an index once is faster than keeping it
during a million-row UPDATE).

On SQLite neither dropping the column nor the rules go through Django's schema editor:
it would rebuild the table to add a CHECK (minutes at a million people), and the
rebuild fails on the triggers that keep ``tag_key`` (0003). The column goes with
ALTER TABLE ... DROP COLUMN, and the rules are triggers that refuse the same rows with
the same constraint names. PostgreSQL gets real CHECK constraints.
"""

from typing import Any

import django.db.models.functions.math
import django.db.models.lookups
from django.db import migrations, models

CONSTRAINTS = [
    models.CheckConstraint(condition=models.Q(('birthday_md__isnull', True), models.Q(('birthday_md__gte', 101), ('birthday_md__lte', 131)), models.Q(('birthday_md__gte', 201), ('birthday_md__lte', 229)), models.Q(('birthday_md__gte', 301), ('birthday_md__lte', 331)), models.Q(('birthday_md__gte', 401), ('birthday_md__lte', 430)), models.Q(('birthday_md__gte', 501), ('birthday_md__lte', 531)), models.Q(('birthday_md__gte', 601), ('birthday_md__lte', 630)), models.Q(('birthday_md__gte', 701), ('birthday_md__lte', 731)), models.Q(('birthday_md__gte', 801), ('birthday_md__lte', 831)), models.Q(('birthday_md__gte', 901), ('birthday_md__lte', 930)), models.Q(('birthday_md__gte', 1001), ('birthday_md__lte', 1031)), models.Q(('birthday_md__gte', 1101), ('birthday_md__lte', 1130)), models.Q(('birthday_md__gte', 1201), ('birthday_md__lte', 1231)), _connector='OR'), name='person_birthday_valid_day'),
    models.CheckConstraint(condition=models.Q(('birthday_year__isnull', True), models.Q(('birthday_md__isnull', False), ('birthday_year__gte', 1900)), _connector='OR'), name='person_birthday_year'),
    models.CheckConstraint(condition=models.Q(models.Q(('birthday_md', 229), _negated=True), ('birthday_year__isnull', True), models.Q(django.db.models.lookups.Exact(django.db.models.functions.math.Mod(models.F('birthday_year'), 4), 0), models.Q(models.Q(django.db.models.lookups.Exact(django.db.models.functions.math.Mod(models.F('birthday_year'), 100), 0), _negated=True), django.db.models.lookups.Exact(django.db.models.functions.math.Mod(models.F('birthday_year'), 400), 0), _connector='OR')), _connector='OR'), name='person_birthday_leap_day'),
]


def _sqlite_rules(model: Any, schema_editor: Any) -> list[str]:
    statements = []
    for constraint in CONSTRAINTS:
        check = constraint._get_check_sql(model, schema_editor)
        for column in ("birthday_md", "birthday_year"):
            check = check.replace(f'"{column}"', f'NEW."{column}"')
        for event, columns in (("INSERT", ""), ("UPDATE", " OF birthday_md, birthday_year")):
            statements.append(
                f"CREATE TRIGGER {constraint.name}_{event.lower()} BEFORE {event}{columns} "
                f"ON contacts_person WHEN NOT ({check}) BEGIN "
                f"SELECT RAISE(ABORT, 'CHECK constraint failed: {constraint.name}'); END"
            )
    return statements


def forward(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("contacts", "Person")
    schema_editor.execute("ALTER TABLE contacts_person DROP COLUMN birthday", None)
    if schema_editor.connection.vendor == "sqlite":
        # Should a later migration rebuild the table, the triggers go with the old one
        # and the rebuilt table carries these rules as CHECKs (they are in the state).
        for sql in _sqlite_rules(model, schema_editor):
            schema_editor.execute(sql, None)
    else:
        for constraint in CONSTRAINTS:
            schema_editor.add_constraint(model, constraint)


def backward(apps: Any, schema_editor: Any) -> None:
    model = apps.get_model("contacts", "Person")
    if schema_editor.connection.vendor == "sqlite":
        for constraint in CONSTRAINTS:
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {constraint.name}_{event}", None)
    else:
        for constraint in CONSTRAINTS:
            schema_editor.remove_constraint(model, constraint)
    schema_editor.execute("ALTER TABLE contacts_person ADD COLUMN birthday date NULL", None)


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0009_fill_birthday_month_day'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name='person', name='birthday'),
                *(migrations.AddConstraint(model_name='person', constraint=c) for c in CONSTRAINTS),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['birthday_md', 'team', 'owner'], name='person_birthday_idx'),
        ),
    ]
