"""The marketing API (scopes ``marketing:read`` / ``marketing:write``): the actions of
each part of the app beyond the generic operations of its kinds (``core.api.records``),
composed here and mounted by ``clientela/api.py``."""

from ninja import Router

from clientela.marketing.api import campaigns, consent, segments

router = Router()
router.add_router("/", consent.router)
router.add_router("/", segments.router)
router.add_router("/", campaigns.router)
