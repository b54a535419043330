"""The public purchase histories of ``../shared/data`` as order files, one row per order
line, as a shop would export them (the order import's tests and ``bench/orders_import.py``).

* CDNOW (``cdnow/CDNOW_master.txt``, whitespace-separated): one order per purchase
  (numbered ``CD-<row>``), the customer id as external id and name, the date, the number
  of CDs as the quantity and the dollar value as the line total of one product, "CD".
* Chinook (``chinook/chinook.json``, a Django fixture): one row per invoice line, the
  invoice id as the order number, the customer's e-mail and name, the invoice date, the
  track's name as the product, its unit price and quantity, in USD.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

CDNOW_HEADERS = ["Order", "Customer ID", "Customer", "Date", "Product", "Quantity", "Line total"]
CHINOOK_HEADERS = [
    "Invoice",
    "Email",
    "Customer",
    "Invoice date",
    "Product",
    "Unit price",
    "Quantity",
    "Currency",
]


def cdnow_csv(source: Path, target: Path) -> int:
    """Write CDNOW as an order file; returns its rows."""
    rows = 0
    with source.open() as lines, target.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CDNOW_HEADERS)
        next(lines)  # the header
        for number, line in enumerate(lines, start=1):
            customer, day, cds, dollars = line.split()
            date = f"{day[:4]}-{day[4:6]}-{day[6:]}"
            writer.writerow(
                [f"CD-{number}", customer, f"Customer {customer}", date, "CD", cds, dollars]
            )
            rows += 1
    return rows


def chinook_csv(source: Path, target: Path) -> int:
    """Write Chinook's invoice lines as an order file; returns its rows."""
    objects = json.loads(source.read_text())
    by_model: dict[str, dict[int, dict[str, object]]] = {}
    for item in objects:
        by_model.setdefault(item["model"], {})[item["pk"]] = item["fields"]
    customers, invoices = by_model["chinook.customer"], by_model["chinook.invoice"]
    tracks = by_model["chinook.track"]
    rows = 0
    with target.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(CHINOOK_HEADERS)
        for _pk, line in sorted(by_model["chinook.invoiceline"].items()):
            invoice = invoices[int(line["invoice"])]  # type: ignore[call-overload]
            customer = customers[int(invoice["customer"])]  # type: ignore[call-overload]
            track = tracks[int(line["track"])]  # type: ignore[call-overload]
            writer.writerow(
                [
                    line["invoice"],
                    customer["email"],
                    f"{customer['firstname']} {customer['lastname']}",
                    invoice["invoicedate"],
                    track["name"],
                    f"{line['unit_price']:.2f}",
                    line["quantity"],
                    "USD",
                ]
            )
            rows += 1
    return rows
