"""``/analytics/basket-rules`` and ``/people/{id}/recommendations``: the products bought
together and what to offer a person next (issue 13, items 4 and 11). Reads through
``analytics.rules_selectors`` (a user who does not see every order gets rules mined
now over the orders they may see); thresholds checked by ``analytics.rules``. Mounted
on the analytics router (``api.py``)."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from clientela.analytics import rules, rules_selectors
from clientela.analytics.api import READ, ListParams, _after, _cursor, _unknown
from clientela.analytics.baskets import Rule
from clientela.contacts.selectors import person_get
from clientela.core.api import api_user, error_responses, require_scope
from clientela.core.api.schemas import OutputSchema, RecordId

router = Router(tags=["analytics"])


class RulesParams(ListParams):
    basket: Literal["order", "customer"] = Field(
        "order", description="One basket per order, or everything one customer bought."
    )
    min_support: float | None = Field(
        None,
        description="Only rules in at least this share of baskets (0 < s ≤ 1; default "
        "and lowest: the snapshot's, see `minimum`).",
    )
    min_confidence: float | None = Field(
        None, description="Only rules right at least this share of the time (0 < c ≤ 1)."
    )
    sort: Literal["score", "lift", "confidence", "support", "count"] = Field(
        "score", description="`score` (lift × confidence, the default) or one figure."
    )


class RuleProductOut(OutputSchema):
    id: int
    name: str


class RuleOut(OutputSchema):
    antecedents: list[RuleProductOut]
    consequents: list[RuleProductOut]
    support: float
    confidence: float
    lift: float
    count: int
    score: float


class RuleThresholdsOut(OutputSchema):
    min_support: float
    min_confidence: float
    max_length: int


class RulesOut(OutputSchema):
    items: list[RuleOut]
    next_cursor: str | None
    basket: str
    as_of: datetime.datetime | None
    thresholds: RuleThresholdsOut
    minimum: RuleThresholdsOut


class RecommendationOut(OutputSchema):
    id: int
    name: str
    score: float
    rule: RuleOut


class RecommendationsOut(OutputSchema):
    items: list[RecommendationOut]
    as_of: datetime.datetime | None


class RecommendationParams(Schema):
    limit: int = Field(3, ge=1, le=20, description="How many products (at most 20).")
    basket: Literal["order", "customer"] = Field(
        "customer", description="The rules to follow: by customer (default) or by order."
    )


def _products(ids: tuple[int, ...], names: tuple[str, ...]) -> list[RuleProductOut]:
    return [RuleProductOut(id=pk, name=name) for pk, name in zip(ids, names, strict=True)]


def rule_out(rule: Rule) -> RuleOut:
    return RuleOut(
        antecedents=_products(rule.antecedents, rule.antecedent_names),
        consequents=_products(rule.consequents, rule.consequent_names),
        support=round(rule.support, 6),
        confidence=round(rule.confidence, 6),
        lift=round(rule.lift, 6),
        count=rule.count,
        score=round(rule.score, 6),
    )


def _thresholds(values: dict[str, Any]) -> RuleThresholdsOut:
    return RuleThresholdsOut(**{k: values[k] for k in rules.PARAMETER_NAMES})


@router.get(
    "/analytics/basket-rules",
    response={200: RulesOut, **error_responses(401, 403, 422)},
    description="Products bought together: association rules over baskets (`basket=order`"
    ": one order; `customer`: everything one customer bought) from the latest snapshot, "
    "strongest first (lift × confidence) or by `sort`. `min_support` / `min_confidence` "
    "above the snapshot's thresholds (`minimum`) filter its rules; below them answer 422 "
    "(rules that weak were not kept: `POST /analytics/refresh` with lower `min_support` "
    "/ `min_confidence` mines them). A user who does not see every order gets the rules "
    "mined now over the orders they may see.",
)
@require_scope(READ)
def get_basket_rules(request: HttpRequest, params: Query[RulesParams]) -> Any:
    errors = _unknown(
        request, {"basket", "min_support", "min_confidence", "sort", "limit", "cursor"}
    )
    if errors:
        raise ValidationError(errors)
    user = api_user(request)
    floor = rules.thresholds_of(rules_selectors.current_snapshot())
    support, confidence = rules.clean_filters(params.min_support, params.min_confidence, floor)
    result = rules_selectors.basket_rules(user, params.basket, support, confidence, params.sort)
    after = _after(params.cursor)
    rows = result.page(after, params.limit + 1)
    more = len(rows) > params.limit
    return RulesOut(
        items=[rule_out(rule) for rule in rows[: params.limit]],
        next_cursor=_cursor(after + params.limit) if more else None,
        basket=params.basket,
        as_of=result.snapshot.as_of if result.snapshot else None,
        thresholds=_thresholds(result.thresholds),
        minimum=_thresholds(result.floor),
    )


@router.get(
    "/people/{person_id}/recommendations",
    response={200: RecommendationsOut, **error_responses(401, 403, 404, 422)},
    tags=["analytics", "people"],
    description="What to offer the person next: products they have not bought that the "
    "rules of the latest snapshot say go with what they bought, best first (lift × "
    "confidence of the rule that suggests each, given with it). Counts only the orders "
    "the token's user may see; 404 for a person they may not see.",
)
@require_scope(READ)
def get_recommendations(
    request: HttpRequest, person_id: RecordId, params: Query[RecommendationParams]
) -> Any:
    errors = _unknown(request, {"limit", "basket"})
    if errors:
        raise ValidationError(errors)
    user = api_user(request)
    person = person_get(user=user, pk=person_id)
    offers = rules_selectors.offer_next(user, person, params.limit, params.basket)
    snapshot = rules_selectors.current_snapshot()
    return RecommendationsOut(
        items=[
            RecommendationOut(
                id=offer.product_id,
                name=offer.name,
                score=round(offer.score, 6),
                rule=rule_out(offer.rule),
            )
            for offer in offers
        ],
        as_of=snapshot.as_of if snapshot else None,
    )
