"""The kinds of record the sales app owns, declared once (see ``core.kinds``): leads,
deals, products, quotes and orders. ``SalesConfig.ready()`` registers them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clientela.core.kinds import RecordKind
from clientela.sales.api import catalogue as catalogue_api
from clientela.sales.api import deals as deal_api
from clientela.sales.api import leads as lead_api
from clientela.sales.api import orders as order_api
from clientela.sales.api import orders_schemas as order_schemas
from clientela.sales.api import quotes as quote_api
from clientela.sales.forms.catalogue import ProductForm
from clientela.sales.forms.deals import DealForm
from clientela.sales.forms.leads import LeadForm
from clientela.sales.forms.orders import OrderForm
from clientela.sales.forms.quotes import QuoteForm
from clientela.sales.models import Deal, Lead, Order, Product, Quote
from clientela.sales.selectors import catalogue as catalogue_selectors
from clientela.sales.selectors import deals as deal_selectors
from clientela.sales.selectors import leads as lead_selectors
from clientela.sales.selectors import orders as order_selectors
from clientela.sales.selectors import quotes as quote_selectors
from clientela.sales.services import catalogue as catalogue_services
from clientela.sales.services import deals as deal_services
from clientela.sales.services import leads as lead_services
from clientela.sales.services import orders as order_services
from clientela.sales.services import quotes as quote_services

SCOPES = ("sales:read", "sales:write")

LEADS = RecordKind(
    resource=Lead.RESOURCE,
    model=Lead,
    namespace="sales",
    url_prefix="lead",
    path="leads",
    singular=_("lead"),
    plural=_("Leads"),
    icon="bi-funnel",
    create_first=_("Create the first lead"),
    list_selector=lead_selectors.lead_list,
    get_selector=lead_selectors.lead_get,
    trash_get=lead_selectors.lead_trash_get,
    create=lead_services.lead_create,
    update=lead_services.lead_update,
    trash=lead_services.lead_trash,
    restore=lead_services.lead_restore,
    form_class=LeadForm,
    api_scopes=SCOPES,
    api_in=lead_api.LeadIn,
    api_patch=lead_api.LeadPatch,
    api_out_schema=lead_api.LeadOut,
    api_list_params=lead_api.LeadListParams,
    api_list=lead_api.leads_query,
    api_data=lead_api.lead_data,
    api_out=lead_api.lead_out,
    api_module=lead_api.__name__,
    api_docs=lead_api.LEAD_DOCS,
    searchable=True,
)

DEALS = RecordKind(
    resource=Deal.RESOURCE,
    model=Deal,
    namespace="sales",
    url_prefix="deal",
    path="deals",
    singular=_("deal"),
    plural=_("Deals"),
    icon="bi-kanban",
    create_first=_("Create the first deal"),
    list_selector=deal_selectors.deal_list,
    get_selector=deal_selectors.deal_get,
    create=deal_services.deal_create,
    update=deal_services.deal_update,
    trash=deal_services.deal_trash,
    restore=deal_services.deal_restore,
    form_class=DealForm,
    api_scopes=SCOPES,
    api_in=deal_api.DealIn,
    api_patch=deal_api.DealPatch,
    api_out_schema=deal_api.DealOut,
    api_list_params=deal_api.DealListParams,
    api_list=deal_api.deals_query,
    api_data=deal_api.deal_data,
    api_out=deal_api.deal_out,
    api_module=deal_api.__name__,
    api_docs=deal_api.DEAL_DOCS,
    searchable=True,
)

PRODUCTS = RecordKind(
    resource="sales.product",
    model=Product,
    namespace="sales",
    url_prefix="product",
    path="products",
    singular=_("product"),
    plural=_("Products"),
    icon="bi-box-seam",
    list_selector=catalogue_selectors.product_list,
    get_selector=catalogue_selectors.product_get,
    create=catalogue_services.product_create,
    update=catalogue_services.product_update,
    form_class=ProductForm,
    api_scopes=SCOPES,
    api_in=catalogue_api.ProductIn,
    api_patch=catalogue_api.ProductIn,
    api_out_schema=catalogue_api.ProductOut,
    api_list_params=catalogue_api.ProductListParams,
    api_list=catalogue_api.products_query,
    api_data=catalogue_api.product_data,
    api_out=catalogue_api.product_out,
    api_tag="catalogue",
    api_module=catalogue_api.__name__,
    api_docs=catalogue_api.PRODUCT_DOCS,
    rights=False,
    has_detail_page=False,
)

QUOTES = RecordKind(
    resource=Quote.RESOURCE,
    model=Quote,
    namespace="sales",
    url_prefix="quote",
    path="quotes",
    singular=_("quote"),
    plural=_("Quotes"),
    icon="bi-receipt",
    list_selector=quote_selectors.quote_list,
    get_selector=quote_selectors.quote_get,
    create=quote_services.quote_create,
    update=quote_services.quote_update,
    trash=quote_services.quote_trash,
    form_class=QuoteForm,
    api_scopes=SCOPES,
    api_in=quote_api.QuoteIn,
    api_patch=quote_api.QuotePatch,
    api_out_schema=quote_api.QuoteOut,
    api_list_params=quote_api.QuoteListParams,
    api_list=quote_api.quotes_query,
    api_data=quote_api.quote_data,
    api_out=quote_api.quote_out,
    api_module=quote_api.__name__,
    api_docs=quote_api.QUOTE_DOCS,
    searchable=True,
)

ORDERS = RecordKind(
    resource=Order.RESOURCE,
    model=Order,
    namespace="sales",
    url_prefix="order",
    path="orders",
    singular=_("order"),
    plural=_("Orders"),
    icon="bi-bag-check",
    list_selector=order_selectors.order_list,
    get_selector=order_selectors.order_get,
    trash_get=order_selectors.order_trash_get,
    trash=order_services.order_trash,
    restore=order_services.order_restore,
    form_class=OrderForm,
    api_scopes=SCOPES,
    api_in=order_schemas.OrderIn,
    api_patch=order_schemas.OrderPatch,
    api_out_schema=order_schemas.OrderOut,
    api_list_params=order_schemas.OrderListParams,
    api_list=order_api.orders_query,
    api_data=order_api.order_data,
    api_out=order_schemas.order_out,
    get_for_api=order_selectors.order_detail,
    api_create=order_services.order_create,
    api_update=order_api.order_api_update,
    api_module=order_api.__name__,
    api_docs=order_api.ORDER_DOCS,
    searchable=True,
)

#: In the order they are registered (the header search groups hits in this order).
ALL = (LEADS, DEALS, QUOTES, ORDERS, PRODUCTS)
