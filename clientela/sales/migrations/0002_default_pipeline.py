"""A default pipeline "Sales" with the usual stages, so a new installation has a board
to put deals on. Stage names are data (an admin renames them on the pipelines page)."""

from django.db import migrations

STAGES = [
    # name, probability, is_won, is_lost
    ("New", 10, False, False),
    ("Qualified", 25, False, False),
    ("Proposal", 50, False, False),
    ("Negotiation", 75, False, False),
    ("Won", 100, True, False),
    ("Lost", 0, False, True),
]


def create_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    if Pipeline.objects.exists():
        return
    pipeline = Pipeline.objects.create(name="Sales", position=0, is_active=True)
    Stage.objects.bulk_create(
        [
            Stage(
                pipeline=pipeline,
                name=name,
                position=position,
                probability=probability,
                is_won=is_won,
                is_lost=is_lost,
            )
            for position, (name, probability, is_won, is_lost) in enumerate(STAGES)
        ]
    )


def remove_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Deal = apps.get_model("sales", "Deal")
    pipeline = Pipeline.objects.filter(name="Sales").first()
    if pipeline is not None and not Deal.objects.filter(pipeline=pipeline).exists():
        pipeline.delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [migrations.RunPython(create_default_pipeline, remove_default_pipeline)]
