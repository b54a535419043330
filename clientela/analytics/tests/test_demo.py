"""``clientela demo``, loaded once for this module (it takes a while: every app's demo,
500 tickets through the services among them) and read by each test.

The purchase history every analysis has something to say about (issue 13, item 14):
ABC classes A, B and C, several RFM segments with At risk among them, products bought
together at the default thresholds, regular customers, quotes in every state; and the
analyses are computed on load. The service desk (issue 14, item 15): two queues on an
SLA policy with a Spanish calendar, 500 tickets in every status, breached ones among
them, complaints followed to a resolution, the knowledge base and ratings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from io import StringIO
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
from clientela.core.testing.module_data import built_for_module
from clientela.marketing.choices import CampaignStatus, ConsentSource
from clientela.marketing.models import (
    Campaign,
    CampaignAttribution,
    ConsentEvent,
    ConsentState,
    Delivery,
    FormSubmission,
    LeadForm,
    Segment,
)
from clientela.marketing.selectors.segments import segment_count
from clientela.sales.choices import LeadSource
from clientela.sales.models import Order, OrderLine, Quote
from clientela.service import demo as service_demo
from clientela.service.choices import TicketStatus, TicketType
from clientela.service.models import (
    Article,
    KbSearchMiss,
    Queue,
    RatingInvitation,
    SlaPolicy,
    Ticket,
    TicketRating,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def whole_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """What ``clientela demo`` printed; the demo stays loaded for the module's tests."""
    out = StringIO()
    with built_for_module(django_db_blocker):
        call_command("demo", people=480, organizations=20, verbosity=0, stdout=out)
        yield out.getvalue()


def test_the_demo_history_feeds_every_analysis(whole_demo: str) -> None:
    assert "Added a purchase history" in whole_demo
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


def test_abc_has_every_class(whole_demo: str) -> None:
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


def test_rfm_has_several_segments_with_at_risk(whole_demo: str) -> None:
    snapshot = selectors.current(AnalysisKind.RFM)
    assert snapshot is not None
    segments = Counter(RfmRow.objects.filter(snapshot=snapshot).values_list("segment", flat=True))
    assert len(segments) >= 5, segments
    assert segments["at_risk"] > 0, segments
    assert segments["champions"] > 0, segments


def test_products_sell_together_at_the_default_thresholds(whole_demo: str) -> None:
    lines = OrderLine.objects.filter(
        product__isnull=False, order__deleted_at__isnull=True
    ).values_list("order_id", "order__person_id", "product_id", "product__name")
    mined = baskets.mine_rules(baskets.build_baskets(list(lines)))
    assert len(mined) >= 1
    pairs = {frozenset(rule.antecedent_names + rule.consequent_names) for rule in mined.rules}
    assert frozenset({"Coffee beans 1 kg", "Coffee filters, 100"}) in pairs


def test_regular_customers_and_a_long_tail(whole_demo: str) -> None:
    per_customer = (
        Order.objects.filter(external_id__startswith=EXTERNAL_PREFIX)
        .values("person_id")
        .annotate(n=Count("id"))
    )
    counts = [row["n"] for row in per_customer]
    assert sum(1 for n in counts if n >= 3) >= 10
    assert sum(1 for n in counts if n == 1) >= 20  # one-off buyers


def test_quotes_in_every_state_fill_the_offers_page(whole_demo: str) -> None:
    states = set(Quote.objects.values_list("status", flat=True))
    assert {"draft", "sent", "accepted", "rejected", "expired"} <= states
    accepted = Quote.objects.filter(status="accepted")
    assert all(q.decided_at and q.sent_at and q.sent_at <= q.decided_at for q in accepted)
    assert Order.objects.filter(quote__in=accepted).count() == accepted.count()
    owner = User.objects.get(username="demo-admin")
    result = offers.offers(owner, by="rep")
    assert result.funnel[2].count > 0
    assert any(row.median_days for row in result.rows)


def test_the_demo_fills_the_service_desk(whole_demo: str) -> None:
    assert "Added 500 tickets in two queues" in whole_demo
    assert service_demo.ticket_count(40) == 80
    assert Queue.objects.count() == 2
    assert SlaPolicy.objects.get().calendar.subdivision == "MD"
    tickets = Ticket.objects.all()
    assert tickets.count() == 500
    assert set(tickets.values_list("status", flat=True)) == set(TicketStatus.values)
    assert tickets.filter(sla_state="breached", status__in=["new", "open"]).exists()
    assert tickets.filter(sla_state="met").exists()
    complaints = tickets.filter(type=TicketType.COMPLAINT, status__in=["solved", "closed"])
    assert complaints.exists()
    assert not complaints.filter(resolution="").exists()
    assert all(t.messages.exists() for t in tickets[:50])
    # Every agent of a queue got tickets by its rule.
    assert tickets.filter(assignee__isnull=False).values("assignee").distinct().count() >= 3
    assert tickets.filter(created_at__lt=tickets.order_by("-created_at")[0].created_at).exists()
    # The knowledge base: 30 articles in each language, linked, most published.
    articles = Article.objects.all()
    assert articles.filter(language="en").count() == articles.filter(language="es").count() == 30
    assert articles.filter(language="es", translation_of__language="en").count() == 30
    assert articles.filter(status="draft").exists()
    assert articles.filter(status="published").count() > 40
    assert KbSearchMiss.objects.exists()
    # Ratings on most solved tickets, mostly happy, some with a comment; nobody e-mailed.
    ratings = TicketRating.objects.all()
    done = tickets.filter(status__in=["solved", "closed"]).count()
    assert done // 2 <= ratings.count() <= done
    assert ratings.filter(score__gte=4).count() > ratings.count() // 2
    assert ratings.exclude(comment="").exists()
    assert ratings.values("queue").distinct().count() == 2
    assert not RatingInvitation.objects.exists()


def test_the_demo_has_marketing_to_show(whole_demo: str) -> None:
    """Issue 15, item 16: purposes and consents, three segments, two sent campaigns
    with realistic results and one scheduled."""
    marketer = User.objects.get(username="demo-marketer")
    assert ConsentState.objects.filter(purpose__key="newsletter", granted=True).count() > 100
    segments = list(Segment.objects.all())
    assert len(segments) == 3
    assert all(segment_count(user=marketer, segment=s) > 0 for s in segments)
    statuses = Counter(Campaign.objects.values_list("status", flat=True))
    assert statuses == {CampaignStatus.SENT: 2, CampaignStatus.SCHEDULED: 1}
    sent = Delivery.objects.filter(sent_at__isnull=False)
    opened = sent.filter(opened_at__isnull=False).count()
    assert 0.25 < opened / sent.count() < 0.6
    assert sent.filter(click_log__isnull=False).exists()
    assert sent.filter(bounced_at__isnull=False).exists()


def test_the_demo_has_a_web_form_with_submissions(whole_demo: str) -> None:
    """Issue 15, item 16: a form with submissions, each made through the form-submit
    service: a lead from the web form, its UTM parameters kept, the campaign credited."""
    form = LeadForm.objects.get(slug="demo-quote")
    submissions = list(FormSubmission.objects.filter(form=form).select_related("lead"))
    assert len(submissions) >= 5
    assert all(s.lead is not None and s.lead.source == LeadSource.WEB_FORM for s in submissions)
    assert {s.utm_source for s in submissions} >= {"newsletter", "instagram", "google"}
    assert all(s.utm_campaign == form.campaign.name for s in submissions if form.campaign)
    assert form.campaign is not None
    credited = CampaignAttribution.objects.filter(campaign=form.campaign)
    assert set(credited.values_list("lead_id", flat=True)) == {s.lead_id for s in submissions}
    # Ticked boxes recorded the visitor's consent with the form's wording as proof.
    ticked = [s for s in submissions if s.person_id]
    assert 0 < len(ticked) < len(submissions)
    assert ConsentEvent.objects.filter(
        source=ConsentSource.FORM, person_id__in=[s.person_id for s in ticked]
    ).count() == len(ticked)
