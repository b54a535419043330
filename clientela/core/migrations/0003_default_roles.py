"""Data migration: the six built-in roles (rights are filled per resource by
``roles_ensure_defaults`` in the post_migrate handler, as resources register)."""

from django.db import migrations

ROLES = [
    ("admin", "Admin"),
    ("manager", "Manager"),
    ("sales", "Sales"),
    ("marketing", "Marketing"),
    ("support", "Support"),
    ("read_only", "Read-only"),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    for key, name in ROLES:
        Role.objects.get_or_create(key=key, defaults={"name": name})


def remove_roles(apps, schema_editor):
    apps.get_model("core", "Role").objects.filter(key__in=[k for k, _ in ROLES]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_index")]

    operations = [migrations.RunPython(create_roles, remove_roles)]
