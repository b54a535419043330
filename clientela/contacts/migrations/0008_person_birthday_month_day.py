"""A birthday becomes a month-day and an optional year (issue 12): the new columns;
0008 fills them, 0009 drops the old date and adds the index and the rules."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0007_phone_number_verified'),
        ('core', '0009_rate_counts'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='birthday_md',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='birthday (month and day)'),
        ),
        migrations.AddField(
            model_name='person',
            name='birthday_year',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='year of birth'),
        ),
    ]
