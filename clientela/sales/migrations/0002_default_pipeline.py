"""A default pipeline "Sales" with the usual stages, so a new installation has a board
to put deals on. Stage names are data (an admin renames them on the pipelines page);
they are written in the installation's language (``LANGUAGE_CODE``, set by
``CLIENTELA_LANGUAGE``) when the migration runs, and never renamed afterwards."""

from django.conf import settings
from django.db import migrations
from django.utils.translation import gettext, gettext_noop, override

PIPELINE = gettext_noop("Sales")
STAGES = [
    # name, probability, is_won, is_lost
    (gettext_noop("New"), 10, False, False),
    (gettext_noop("Qualified"), 25, False, False),
    (gettext_noop("Proposal"), 50, False, False),
    (gettext_noop("Negotiation"), 75, False, False),
    (gettext_noop("Won"), 100, True, False),
    (gettext_noop("Lost"), 0, False, True),
]


def create_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    if Pipeline.objects.exists():
        return
    with override(settings.LANGUAGE_CODE):
        name = gettext(PIPELINE)
        stages = [(gettext(n), p, won, lost) for n, p, won, lost in STAGES]
    pipeline = Pipeline.objects.create(name=name, position=0, is_active=True)
    Stage.objects.bulk_create(
        [
            Stage(
                pipeline=pipeline,
                name=stage_name,
                position=position,
                probability=probability,
                is_won=is_won,
                is_lost=is_lost,
            )
            for position, (stage_name, probability, is_won, is_lost) in enumerate(stages)
        ]
    )


def remove_default_pipeline(apps, schema_editor):
    Pipeline = apps.get_model("sales", "Pipeline")
    Deal = apps.get_model("sales", "Deal")
    with override(settings.LANGUAGE_CODE):
        name = gettext(PIPELINE)
    pipeline = Pipeline.objects.filter(name=name).first()
    if pipeline is not None and not Deal.objects.filter(pipeline=pipeline).exists():
        pipeline.delete()


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial")]

    operations = [migrations.RunPython(create_default_pipeline, remove_default_pipeline)]
