"""The sales API (scopes ``sales:read`` / ``sales:write``): one router per part of the
app, composed here and mounted by ``clientela/api.py``."""

from ninja import Router

from clientela.sales.api import catalogue, deals, forecast, leads, orders, quotes

router = Router()
router.add_router("/", leads.router)
router.add_router("/", deals.router)
router.add_router("/", catalogue.router)
router.add_router("/", quotes.router)
router.add_router("/", orders.router)
router.add_router("/", forecast.router)
