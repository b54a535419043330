"""The REST API at /api/v1/: one NinjaAPI composed of each domain app's router.

The conventions every router follows (token auth with scopes, error bodies, cursor
pagination, If-Match, Idempotency-Key) live in ``clientela.core.api``; this module
only adds the routers, because core may not import the apps above it: each domain's
own actions, then the list, create, get, change and delete operations of every
registered kind of record (``core.api.records``, from the kinds' declarations).
"""

from clientela.activities.api import router as activities_router
from clientela.analytics.api import router as analytics_router
from clientela.automation.api import router as automation_router
from clientela.contacts.api import router as contacts_router
from clientela.core.api import build_api
from clientela.core.api.records import record_routers
from clientela.marketing.api import router as marketing_router
from clientela.sales.api import router as sales_router
from clientela.service.api import router as service_router

api = build_api()
api.add_router("/", contacts_router)
api.add_router("/", activities_router)
api.add_router("/", sales_router)
api.add_router("/", service_router)
api.add_router("/", marketing_router)
api.add_router("/", analytics_router)
api.add_router("/", automation_router)
for router in record_routers():
    api.add_router("/", router)
