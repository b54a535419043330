# The analyses read orders and order lines from indexes alone (bench/README.md,
# "ABC and RFM refresh", 2026-12-07): a covering index on the live orders, and the order
# lines' key index replaced by one that also holds the product and the subtotal.

import django.db.models.deletion
from django.db import migrations, models

from clientela.core.migration_ops import drop_key_indexes


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0008_lead_score_reasons'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('deleted_at__isnull', True)), fields=['ordered_at', 'status', 'currency', 'person', 'organization', 'subtotal', 'deleted_at'], name='order_sale_idx'),
        ),
        migrations.AddIndex(
            model_name='orderline',
            index=models.Index(fields=['order', 'product', 'subtotal'], name='order_line_sale_idx'),
        ),
        drop_key_indexes('sales', [
            ('orderline', 'order', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='sales.order')),
        ]),
    ]
