# order_sale_idx also holds the team and the owner, so reads scoped to a rep (a
# segment's "ordered since", bench/segments.py) come from the index alone too.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0010_person_birthday_drop_date'),
        ('core', '0011_add_inbound_kind'),
        ('sales', '0009_order_sale_covering_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='order',
            name='order_sale_idx',
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['ordered_at', 'status', 'currency', 'person', 'organization', 'subtotal', 'deleted_at', 'team', 'owner'], name='order_sale_idx'),
        ),
    ]
