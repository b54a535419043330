"""Migration operations shared by the apps.

``drop_key_indexes``: a foreign key's own index dropped when a composite index led by
the same column serves its lookups. Django's ``AlterField(db_index=False)`` rebuilds the
whole table on SQLite (copy, drop, rename), minutes at a million order lines; this
changes the model state the same way but only drops the index, on both databases.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.db.models import ForeignKey


def _key_index(schema_editor: Any, table: str, column: str) -> str | None:
    """The name of the plain one-column index on ``table.column``, if there is one."""
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if (
            info["index"]
            and info["columns"] == [column]
            and not (info["unique"] or info["primary_key"] or info["foreign_key"])
        ):
            return str(name)
    return None


def drop_key_indexes(
    app_label: str, keys: list[tuple[str, str, ForeignKey[Any, Any]]]
) -> migrations.SeparateDatabaseAndState:
    """For each ``(model_name, field_name, field)`` (``field`` the key as it becomes,
    with ``db_index=False``): the state altered, the key's own index dropped (created
    again when migrating backwards)."""

    def forward(apps: Any, schema_editor: Any) -> None:
        for model_name, field_name, _field in keys:
            model = apps.get_model(app_label, model_name)
            column = model._meta.get_field(field_name).column
            name = _key_index(schema_editor, model._meta.db_table, column)
            if name is not None:
                schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def backward(apps: Any, schema_editor: Any) -> None:
        for model_name, field_name, _field in keys:
            model = apps.get_model(app_label, model_name)
            field = model._meta.get_field(field_name)
            if _key_index(schema_editor, model._meta.db_table, field.column) is None:
                schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    return migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.AlterField(model_name=model_name, name=field_name, field=field)
            for model_name, field_name, field in keys
        ],
        database_operations=[migrations.RunPython(forward, backward)],
    )
