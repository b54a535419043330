"""The sales API (scopes ``sales:read`` / ``sales:write``): the actions of each part of
the app beyond the generic operations of its kinds (``core.api.records``), composed
here and mounted by ``clientela/api.py``."""

from ninja import Router

from clientela.sales.api import deals, forecast, leads, quotes

router = Router()
router.add_router("/", leads.router)
router.add_router("/", deals.router)
router.add_router("/", quotes.router)
router.add_router("/", forecast.router)
