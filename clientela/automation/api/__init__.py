"""The automation API: webhooks (scopes ``automation:read`` / ``webhooks:write``) and
workflow rules (``automation:read`` / ``automation:write``), beyond the generic
operations of their kinds (``core.api.records``); mounted by ``clientela/api.py``."""

from ninja import Router

from clientela.automation.api import rules, webhooks

router = Router()
router.add_router("/", webhooks.router)
router.add_router("/", rules.router)
