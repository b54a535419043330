"""A click writes only its ``Click`` row; the delivery's clicked / clicks counts are
read from those rows (``selectors.campaigns``). Every click has always written its
row, so nothing is lost with the two columns."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('marketing', '0004_add_consent_event_reference'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='delivery',
            name='clicked_at',
        ),
        migrations.RemoveField(
            model_name='delivery',
            name='clicks',
        ),
    ]
