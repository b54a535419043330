"""The columns of an order import (one row per order line) and the header names shops
give them in their order exports: Shopify ("Orders > Export"), WooCommerce (the
"Customer / Order CSV Export" one-row-per-item layout and WooCommerce's own
``order_*``/``billing_*`` names), PrestaShop (orders with their products) and Square
(the "Items" export: one row per item sold), and Clientela's own names, in English and
Spanish. ``mapping`` builds the guessing tables from these.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: (key, label, several columns may map to it)
ORDER_TARGETS: list[tuple[str, object, bool]] = [
    ("order_number", _("Order number"), False),
    ("customer_email", _("Customer e-mail"), False),
    ("customer_external_id", _("Customer id (external)"), False),
    ("customer_name", _("Customer name"), False),
    ("customer_first_name", _("Customer first name"), False),
    ("customer_last_name", _("Customer last name"), False),
    ("ordered_at", _("Date or date and time"), False),
    ("order_time", _("Time (when the date is in another column)"), False),
    ("sku", _("Product SKU"), False),
    ("product", _("Product name"), False),
    ("quantity", _("Quantity"), False),
    ("unit_price", _("Unit price"), False),
    ("line_total", _("Line total"), False),
    ("currency", _("Currency"), False),
    # Shopify has a payment and a fulfilment status: both are read.
    ("status", _("Status"), True),
    ("notes", _("Notes"), True),
]

ORDERS: dict[str, list[str]] = {
    "order_number": [
        "order number",
        "order no",
        "order",
        "order id",
        "order reference",
        "reference",
        "invoice",
        "invoice id",
        "invoice number",
        "transaction id",
        # Shopify's order "Name" (#1001), WooCommerce's order_number / order_id.
        "name",
        "número de pedido",
        "pedido",
        "referencia",
        "id del pedido",
    ],
    "customer_email": [
        "email",
        "e-mail",
        "customer email",
        "billing email",
        "billing email address",
        "email (billing)",
        "customer e-mail",
        "correo",
        "correo electrónico",
        "email del cliente",
    ],
    "customer_external_id": [
        "customer id",
        "customer user id",
        "customer reference id",
        "client id",
        "id del cliente",
    ],
    "customer_name": [
        "customer",
        "customer name",
        "billing name",
        "client",
        "cliente",
        "nombre del cliente",
    ],
    "customer_first_name": [
        "first name",
        "billing first name",
        "first name (billing)",
        "customer first name",
        "nombre",
    ],
    "customer_last_name": [
        "last name",
        "billing last name",
        "last name (billing)",
        "customer last name",
        "apellidos",
    ],
    "ordered_at": [
        "date",
        "created at",
        "order date",
        "date created",
        "invoice date",
        "ordered at",
        "fecha",
        "fecha del pedido",
    ],
    "order_time": ["time", "hora"],
    "sku": [
        "sku",
        "lineitem sku",
        "item sku",
        "product sku",
        "product reference",
        "referencia del producto",
    ],
    "product": [
        "product",
        "product name",
        "lineitem name",
        "item name",
        "item",
        "track",
        "producto",
        "nombre del producto",
        "artículo",
    ],
    "quantity": [
        "quantity",
        "qty",
        "lineitem quantity",
        "item quantity",
        "product quantity",
        "cantidad",
        "unidades",
    ],
    "unit_price": [
        "unit price",
        "price",
        "lineitem price",
        "item price",
        "item cost",
        "product price",
        "unit price (tax incl.)",
        "precio",
        "precio unitario",
    ],
    "line_total": [
        "line total",
        "item total",
        "order line total",
        "net sales",
        "total line",
        "amount",
        "total de la línea",
        "importe",
    ],
    "currency": ["currency", "order currency", "moneda", "divisa"],
    "status": [
        "status",
        "order status",
        "financial status",
        "fulfillment status",
        "event type",
        "estado",
    ],
    "notes": ["notes", "note", "customer note", "notas"],
}

#: Order-level or shop-only columns that are not read (never matched, even fuzzily).
ORDER_IGNORED = [
    "total",
    "subtotal",
    "shipping",
    "taxes",
    "tax",
    "order total",
    "discount amount",
    "gross sales",
    "discounts",
    "lineitem compare at price",
    "paid at",
    "fulfilled at",
    "cancelled at",
    "id",
    "time zone",
    "billing phone",
    "phone",
    "tags",
    "vendor",
    "category",
    "new client",
    "delivery",
    "payment",
    "payment method",
]

#: The columns whose presence says a file holds orders rather than contacts.
ORDER_SIGNS = {"order_number", "quantity", "sku", "unit_price", "line_total", "product"}
