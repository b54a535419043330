"""The service API (scopes ``service:read`` / ``service:write``): the actions of each
part of the app beyond the generic operations of its kinds (``core.api.records``),
composed here and mounted by ``clientela/api.py``."""

from ninja import Router

from clientela.service.api import tickets

router = Router()
router.add_router("/", tickets.router)
