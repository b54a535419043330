"""The default consent purposes (admins rename them or add more; the keys stay)."""

from typing import Any

from django.db import migrations

PURPOSES = (
    ("newsletter", "Newsletter", "News and articles, now and then.", 10),
    ("offers", "Offers", "Promotions, discounts and new products.", 20),
    ("events", "Events", "Invitations to events and webinars.", 30),
    ("surveys", "Surveys", "Questions about our products and service.", 40),
)


def add_purposes(apps: Any, schema_editor: Any) -> None:
    purpose = apps.get_model("marketing", "ConsentPurpose")
    for key, name, description, order in PURPOSES:
        purpose.objects.get_or_create(
            key=key, defaults={"name": name, "description": description, "order": order}
        )


def remove_purposes(apps: Any, schema_editor: Any) -> None:
    purpose = apps.get_model("marketing", "ConsentPurpose")
    purpose.objects.filter(key__in=[p[0] for p in PURPOSES], events__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("marketing", "0001_initial")]

    operations = [migrations.RunPython(add_purposes, remove_purposes)]
