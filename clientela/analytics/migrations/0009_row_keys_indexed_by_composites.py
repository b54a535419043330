# A customer row's snapshot, person and organization keys lose their one-column indexes:
# each model's composite indexes lead with the same columns (analytics.models.CustomerRow),
# and a refresh writes and deletes every row of a snapshot through each index.

import django.db.models.deletion
from django.db import migrations, models

from clientela.core.migration_ops import drop_key_indexes

TARGETS = {'snapshot': 'analytics.snapshot', 'person': 'contacts.person', 'organization': 'contacts.organization'}

KEYS = [
    (model, name, models.ForeignKey(blank=name != 'snapshot', db_index=False, null=name != 'snapshot', on_delete=django.db.models.deletion.CASCADE, related_name='+', to=to))
    for model in ('abcrow', 'clvrow', 'customercyclerow', 'rfmrow')
    for name, to in TARGETS.items()
]


class Migration(migrations.Migration):

    dependencies = [
        ('analytics', '0008_dashboards'),
        ('contacts', '0010_person_birthday_drop_date'),
    ]

    operations = [
        drop_key_indexes('analytics', KEYS),
    ]
