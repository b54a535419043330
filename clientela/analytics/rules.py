"""Products bought together as a snapshot (issue 13, item 4): the worker reads the order
lines, mines association rules with ``baskets.mine_rules`` for both kinds of basket
(one order, or everything one customer bought) and stores them as ``BasketRule`` rows.

What counts: the lines naming a catalogue product of the orders that are not cancelled
nor in the trash, ordered in the snapshot's period (every order up to the as-of day by
default). The customer of an order is its organization, else its person (as in ABC and
RFM); lines of orders without a customer count in order baskets only.

The same reading serves a live mining over the orders one user may see
(``mine_live``): a rep's rules count only their own orders (``rules_selectors``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from clientela.analytics import baskets, compute
from clientela.analytics.analyses import Analysis, Outcome, Progress, period_of
from clientela.analytics.choices import AnalysisKind, BasketKind, SnapshotStatus
from clientela.analytics.errors import BadInput
from clientela.analytics.models import BasketRule, Snapshot
from clientela.core.choices import Scope
from clientela.core.permissions import rights_for
from clientela.sales.choices import OrderStatus
from clientela.sales.models import OrderLine

BATCH = 2000
PARAMETER_NAMES = ("min_support", "min_confidence", "max_length")


def default_parameters() -> dict[str, Any]:
    """The thresholds of a refresh not told otherwise: those of the current snapshot
    (so the nightly run keeps what a user chose), else the defaults of ``baskets``."""
    current = (
        Snapshot.objects.filter(kind=AnalysisKind.BASKET_RULES, status=SnapshotStatus.DONE)
        .order_by("-finished_at", "-id")
        .first()
    )
    chosen = current.parameters if current is not None else {}
    return {
        "min_support": chosen.get("min_support", baskets.DEFAULT_MIN_SUPPORT),
        "min_confidence": chosen.get("min_confidence", baskets.DEFAULT_MIN_CONFIDENCE),
        "max_length": chosen.get("max_length", baskets.DEFAULT_MAX_LENGTH),
    }


def thresholds_of(snapshot: Snapshot | None) -> dict[str, Any]:
    """The thresholds a snapshot was mined with (the defaults for none)."""
    given = snapshot.parameters if snapshot is not None else {}
    return {
        "min_support": float(given.get("min_support", baskets.DEFAULT_MIN_SUPPORT)),
        "min_confidence": float(given.get("min_confidence", baskets.DEFAULT_MIN_CONFIDENCE)),
        "max_length": int(given.get("max_length", baskets.DEFAULT_MAX_LENGTH)),
    }


def _share(raw: Any, name: str, errors: dict[str, list[str]]) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    try:
        # A decimal comma as typed in Spanish (0,05) is read like a point.
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        errors[name] = [_("Enter a number, such as 0.05 for 5 %.")]
        return None
    if not math.isfinite(value) or not 0 < value <= 1:
        errors[name] = [
            _("Enter a share above 0 and at most 1, such as 0.05 for 5 %% (%(value)s given).")
            % {"value": raw}
        ]
        return None
    return value


def clean_filters(
    min_support: Any, min_confidence: Any, floor: dict[str, Any]
) -> tuple[float, float]:
    """The minimum support and confidence a reader asks for (None or blank: the
    snapshot's). ``ValidationError`` on the field when not a share in (0, 1], or below
    ``floor``, the thresholds the rules were mined with: rules below it were never
    kept, so seeing them takes a refresh with lower thresholds."""
    errors: dict[str, list[str]] = {}
    support = _share(min_support, "min_support", errors)
    confidence = _share(min_confidence, "min_confidence", errors)
    for name, value in (("min_support", support), ("min_confidence", confidence)):
        if value is not None and value < floor[name] - 1e-12:
            errors[name] = [
                _(
                    "The rules were mined with a minimum of %(minimum)s: to see rules "
                    "below it, refresh them with a lower threshold (“Mine again” on the "
                    "Bought together page, or POST /api/v1/analytics/refresh with "
                    "%(name)s)."
                )
                % {"minimum": f"{floor[name]:g}", "name": name}
            ]
    if errors:
        raise ValidationError(errors)
    return (
        floor["min_support"] if support is None else support,
        floor["min_confidence"] if confidence is None else confidence,
    )


def clean_parameters(
    min_support: Any = None, min_confidence: Any = None, max_length: Any = None
) -> dict[str, Any] | None:
    """The thresholds of a refresh (None when none is given: the current ones stay);
    ``ValidationError`` on the field that is out of range."""
    if all(v is None or v == "" for v in (min_support, min_confidence, max_length)):
        return None
    errors: dict[str, list[str]] = {}
    chosen = default_parameters()
    for name, raw in (("min_support", min_support), ("min_confidence", min_confidence)):
        value = _share(raw, name, errors)
        if value is not None:
            chosen[name] = value
    if max_length is not None and max_length != "":
        try:
            length = int(str(max_length).strip())
        except ValueError:
            length = 0
        if not 2 <= length <= baskets.LONGEST_RULE:
            errors["max_length"] = [
                _("Enter a whole number from 2 to %(n)d.") % {"n": baskets.LONGEST_RULE}
            ]
        chosen["max_length"] = length
    if errors:
        raise ValidationError(errors)
    return chosen


def order_lines(period: compute.Period | None, user: Any | None = None) -> QuerySet[OrderLine]:
    """The order lines that make baskets: a catalogue product, an order neither
    cancelled nor trashed within ``period`` (None: whenever), visible to ``user``
    (None: every order)."""
    lines = OrderLine.objects.filter(product__isnull=False, order__deleted_at__isnull=True).exclude(
        order__status=OrderStatus.CANCELLED
    )
    if period is not None:
        start, end = period.bounds()
        lines = lines.filter(order__ordered_at__lt=end)
        if start is not None:
            lines = lines.filter(order__ordered_at__gte=start)
    seen = "all" if user is None else orders_seen_by(user)
    if seen == "none":
        return lines.none()
    if seen.startswith("team:"):
        return lines.filter(order__team_id=int(seen[5:]))
    if seen.startswith("owner:"):
        return lines.filter(order__owner_id=int(seen[6:]))
    return lines


def orders_seen_by(user: Any) -> str:
    """Which orders ``user`` may read, as a key: "all", "none", "team:<id>" or
    "owner:<id>" (``core.permissions`` for ``sales.order``)."""
    rights = rights_for(user, "sales.order")
    if not rights.read:
        return "none"
    if rights.scope == Scope.ALL:
        return "all"
    if rights.scope == Scope.TEAM and user.team_id is not None:
        return f"team:{user.team_id}"
    return f"owner:{user.pk}"


def _lines(lines: QuerySet[OrderLine], by: str) -> Iterator[baskets.OrderLine]:
    """(order, customer, product, name) per line; by customer, only orders with one."""
    if by == BasketKind.CUSTOMER:
        lines = lines.filter(Q(order__person__isnull=False) | Q(order__organization__isnull=False))
    rows = lines.order_by().values_list(
        "order_id", "order__organization_id", "order__person_id", "product_id", "product__name"
    )
    for order, organization, person, product, name in rows.iterator(chunk_size=BATCH):
        customer = ("o", organization) if organization is not None else ("p", person)
        yield order, customer, product, name


def mine(
    lines: QuerySet[OrderLine], by: str, thresholds: dict[str, Any]
) -> baskets.MinedRules | None:
    """The rules of ``lines`` in baskets ``by`` order or customer; None when there is no
    basket of that kind (no lines, or no line with a customer)."""
    try:
        made = baskets.build_baskets(_lines(lines, by), by=by)
    except baskets.BadBaskets:
        # No line at all (ids come from the database, so nothing else is wrong).
        return None
    return baskets.mine_rules(
        made,
        min_support=thresholds["min_support"],
        min_confidence=thresholds["min_confidence"],
        max_length=thresholds["max_length"],
    )


def _rows(snapshot: Snapshot, by: str, mined: baskets.MinedRules) -> Iterator[BasketRule]:
    for rank, rule in enumerate(mined.rules, start=1):
        yield BasketRule(
            snapshot=snapshot,
            basket=by,
            rank=rank,
            antecedents=list(rule.antecedents),
            consequents=list(rule.consequents),
            antecedent_key=",".join(str(p) for p in rule.antecedents),
            support=rule.support,
            confidence=rule.confidence,
            lift=rule.lift,
            count=rule.count,
        )


def run(snapshot: Snapshot, progress: Progress) -> Outcome:
    """The worker's computation of a ``basket_rules`` snapshot: both kinds of basket at
    the snapshot's thresholds. ``BadInput`` when there is no order line to mine."""
    thresholds = thresholds_of(snapshot)
    period = period_of(snapshot)
    lines = order_lines(period)
    if not lines.exists():
        raise BadInput(
            _(
                "There are no order lines with a catalogue product up to %(day)s. Products "
                "bought together are found in orders (not cancelled) whose lines name "
                "products of the catalogue: enter or import such orders, then refresh."
            )
            % {"day": period.end.isoformat()}
        )
    counts: dict[str, Any] = {}
    for step, by in enumerate((BasketKind.ORDER, BasketKind.CUSTOMER)):
        mined = mine(lines, by, thresholds)
        progress(25 + 50 * step)
        rows = list(_rows(snapshot, by, mined)) if mined is not None else []
        with transaction.atomic():
            for start in range(0, len(rows), BATCH):
                BasketRule.objects.bulk_create(rows[start : start + BATCH])
        counts[by] = {
            "baskets": mined.baskets if mined else 0,
            "rules": len(rows),
            "min_count": mined.min_count if mined else 0,
        }
        progress(50 + 50 * step)
    return Outcome(parameters={**thresholds, "baskets": counts})


def analysis() -> Analysis:
    """The declaration ``AnalyticsConfig.ready`` registers."""
    return Analysis(
        kind=AnalysisKind.BASKET_RULES,
        rows=(BasketRule,),
        run=run,
        page="analytics:rules",
        # Every order up to the as-of day: rules need many baskets.
        default_months=None,
        default_parameters=default_parameters,
    )
