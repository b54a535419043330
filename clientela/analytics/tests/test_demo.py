"""``clientela demo`` loads a purchase history every analysis has something to say
about (issue 13, item 14): ABC classes A, B and C, several RFM segments with At risk
among them, products bought together at the default thresholds, regular customers,
quotes in every state; and the analyses are computed on load."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count

from clientela.analytics import baskets, lifetime, offers, selectors
from clientela.analytics.analyses import registered
from clientela.analytics.choices import AbcOf, AnalysisKind
from clientela.analytics.demo import EXTERNAL_PREFIX
from clientela.analytics.models import AbcRow, ClvRow, RfmRow
from clientela.core.models import User
from clientela.sales.models import Order, OrderLine, Quote

pytestmark = pytest.mark.django_db


def test_the_demo_history_feeds_every_analysis(capsys: Any) -> None:
    # Loaded once (it takes a while), every analysis checked on it.
    call_command("demo", people=480, organizations=20, verbosity=0)
    assert "Added a purchase history" in capsys.readouterr().out
    _every_analysis_is_computed()
    _abc_has_every_class()
    _rfm_has_several_segments_with_at_risk()
    _products_sell_together_at_the_default_thresholds()
    _regular_customers_and_a_long_tail()
    _quotes_in_every_state_fill_the_offers_page()


def _every_analysis_is_computed() -> None:
    # Every page has figures on first open: no analysis failed on the demo's history.
    failed = {
        kind: snapshot.error
        for kind in registered()
        if (snapshot := selectors.latest(kind)) is not None and snapshot.status != "done"
    }
    assert failed == {}
    assert all(selectors.current(kind) is not None for kind in registered())
    # Lifetime value: the buying model fits the demo's lasting and lapsed customers;
    # whichever way spend is valued, it is said and every customer has a figure.
    model = lifetime.Model.of(selectors.current(AnalysisKind.CLV))
    assert model is not None
    assert 0 < model.a < 10
    assert 0 < model.b < 100
    assert (model.spend_model == lifetime.SPEND_MODEL) == (model.spend_note == "")
    # Lead scoring has the demo's past leads to learn from: the model, not the rules.
    scoring = selectors.current(AnalysisKind.LEAD_SCORES)
    assert scoring is not None
    assert scoring.parameters["method"] == "model", scoring.parameters
    rows = ClvRow.objects.filter(snapshot=selectors.current(AnalysisKind.CLV))
    assert rows.count() > 100
    assert rows.filter(expected_revenue_12m__gt=0).exists()
    # ... and a forecast to act on: next year's revenue of the order of this year's (a
    # spend model whose average runs away would promise many times more).
    next_year = sum(rows.values_list("expected_revenue_12m", flat=True))
    last_year = sum(
        AbcRow.objects.filter(
            snapshot=selectors.current(AnalysisKind.ABC), of=AbcOf.CUSTOMERS
        ).values_list("revenue", flat=True)
    )
    assert last_year / 3 < next_year < last_year * 3, (next_year, last_year)


def _abc_has_every_class() -> None:
    snapshot = selectors.current(AnalysisKind.ABC)
    assert snapshot is not None
    classes = Counter(
        AbcRow.objects.filter(snapshot=snapshot, of=AbcOf.CUSTOMERS).values_list(
            "abc_class", flat=True
        )
    )
    assert classes["A"] > 0
    assert classes["B"] > 0
    assert classes["C"] > classes["A"]  # a long tail of small customers


def _rfm_has_several_segments_with_at_risk() -> None:
    snapshot = selectors.current(AnalysisKind.RFM)
    assert snapshot is not None
    segments = Counter(RfmRow.objects.filter(snapshot=snapshot).values_list("segment", flat=True))
    assert len(segments) >= 5, segments
    assert segments["at_risk"] > 0, segments
    assert segments["champions"] > 0, segments


def _products_sell_together_at_the_default_thresholds() -> None:
    lines = OrderLine.objects.filter(
        product__isnull=False, order__deleted_at__isnull=True
    ).values_list("order_id", "order__person_id", "product_id", "product__name")
    mined = baskets.mine_rules(baskets.build_baskets(list(lines)))
    assert len(mined) >= 1
    pairs = {frozenset(rule.antecedent_names + rule.consequent_names) for rule in mined.rules}
    assert frozenset({"Coffee beans 1 kg", "Coffee filters, 100"}) in pairs


def _regular_customers_and_a_long_tail() -> None:
    per_customer = (
        Order.objects.filter(external_id__startswith=EXTERNAL_PREFIX)
        .values("person_id")
        .annotate(n=Count("id"))
    )
    counts = [row["n"] for row in per_customer]
    assert sum(1 for n in counts if n >= 3) >= 10
    assert sum(1 for n in counts if n == 1) >= 20  # one-off buyers


def _quotes_in_every_state_fill_the_offers_page() -> None:
    states = set(Quote.objects.values_list("status", flat=True))
    assert {"draft", "sent", "accepted", "rejected", "expired"} <= states
    accepted = Quote.objects.filter(status="accepted")
    assert all(q.decided_at and q.sent_at and q.sent_at <= q.decided_at for q in accepted)
    assert Order.objects.filter(quote__in=accepted).count() == accepted.count()
    owner = User.objects.get(username="demo-admin")
    result = offers.offers(owner, by="rep")
    assert result.funnel[2].count > 0
    assert any(row.median_days for row in result.rows)
