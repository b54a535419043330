"""``tag_key`` on people and organizations: the record's tag ids as ",3,7,", kept by
triggers on the tags tables, and in the list indexes (with the team) so "tag + city, by
name" is answered from one index range instead of probing the tags table per record.

The column is added with plain ALTER TABLE: Django would rebuild the whole table on
SQLite for a NOT NULL column, minutes at a million records, for the same result.
"""

from django.db import migrations, models

TABLES = [("contacts_person", "person"), ("contacts_organization", "organization")]


def _key_sql(vendor, tags_table, owner_column, owner_ref):
    aggregate = (
        "group_concat(tag_id, ',')" if vendor == "sqlite" else "string_agg(tag_id::text, ',')"
    )
    return (
        f"coalesce((SELECT ',' || {aggregate} || ',' FROM {tags_table} "
        f"WHERE {owner_column} = {owner_ref}), '')"
    )


def _statements(vendor):
    up, down = [], []
    for table, owner in TABLES:
        tags = f"{table}_tags"
        column = f"{owner}_id"
        up.append(f"ALTER TABLE {table} ADD COLUMN tag_key text DEFAULT '' NOT NULL")
        up.append(f"UPDATE {table} SET tag_key = {_key_sql(vendor, tags, column, f'{table}.id')}")
        if vendor == "sqlite":
            for event, row in (("INSERT", "NEW"), ("DELETE", "OLD")):
                up.append(
                    f"CREATE TRIGGER {tags}_key_{event.lower()} AFTER {event} ON {tags} "
                    f"BEGIN UPDATE {table} SET tag_key = "
                    f"{_key_sql(vendor, tags, column, f'{row}.{column}')} "
                    f"WHERE id = {row}.{column}; END"
                )
                down.insert(0, f"DROP TRIGGER IF EXISTS {tags}_key_{event.lower()}")
        else:
            function = f"{tags}_key"
            up.append(
                f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"DECLARE owner bigint; BEGIN "
                f"IF TG_OP = 'DELETE' THEN owner := OLD.{column}; "
                f"ELSE owner := NEW.{column}; END IF; "
                f"UPDATE {table} SET tag_key = {_key_sql(vendor, tags, column, 'owner')} "
                f"WHERE id = owner; RETURN NULL; END $$"
            )
            up.append(
                f"CREATE TRIGGER {tags}_key AFTER INSERT OR DELETE ON {tags} "
                f"FOR EACH ROW EXECUTE FUNCTION {function}()"
            )
            down.insert(0, f"DROP FUNCTION IF EXISTS {function}()")
            down.insert(0, f"DROP TRIGGER IF EXISTS {tags}_key ON {tags}")
        down.append(f"ALTER TABLE {table} DROP COLUMN tag_key")
    return up, down


def _run(direction):
    def run(apps, schema_editor):
        up, down = _statements(schema_editor.connection.vendor)
        for sql in up if direction == "up" else down:
            schema_editor.execute(sql)

    return run


def _tag_key():
    return models.TextField(db_default="", default="", editable=False, verbose_name="tag ids")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_partial_trash_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="organization", name="org_name_idx"),
        migrations.RemoveIndex(model_name="organization", name="org_city_name_idx"),
        migrations.RemoveIndex(model_name="person", name="person_name_idx"),
        migrations.RemoveIndex(model_name="person", name="person_city_name_idx"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(model_name="organization", name="tag_key", field=_tag_key()),
                migrations.AddField(model_name="person", name="tag_key", field=_tag_key()),
            ],
            database_operations=[migrations.RunPython(_run("up"), _run("down"))],
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["name", "id", "team", "tag_key"],
                name="org_name_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["city", "name", "id", "team", "tag_key"],
                name="org_city_name_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["last_name", "first_name", "id", "team", "tag_key"],
                name="person_name_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=["city", "last_name", "first_name", "id", "team", "tag_key"],
                name="person_city_name_idx",
            ),
        ),
    ]
