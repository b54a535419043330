"""The kinds of record the sales app owns, declared once (see ``core.kinds``): leads,
deals, products, quotes and orders. ``SalesConfig.ready()`` registers them."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clientela.core.kinds import ListColumn, RecordKind
from clientela.sales import exports
from clientela.sales.api import catalogue as catalogue_api
from clientela.sales.api import deals as deal_api
from clientela.sales.api import leads as lead_api
from clientela.sales.api import orders as order_api
from clientela.sales.api import orders_schemas as order_schemas
from clientela.sales.api import quotes as quote_api
from clientela.sales.filters import DealFilters, LeadFilters, OrderFilters
from clientela.sales.forms.catalogue import ProductForm, product_filter_form
from clientela.sales.forms.deals import DealForm, deal_filter_form
from clientela.sales.forms.leads import LeadForm, lead_filter_form
from clientela.sales.forms.orders import OrderForm, order_filter_form
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
SMALL, MEDIUM, LARGE = "d-none d-sm-table-cell", "d-none d-md-table-cell", "d-none d-lg-table-cell"
XL = "d-none d-xl-table-cell"

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
    list_selector=lead_selectors.lead_page_list,
    get_selector=lead_selectors.lead_get,
    trash_get=lead_selectors.lead_trash_get,
    create=lead_services.lead_create,
    update=lead_services.lead_update,
    trash=lead_services.lead_trash,
    restore=lead_services.lead_restore,
    name_fields=("first_name", "last_name", "company", "email"),
    form_class=LeadForm,
    columns=(
        ListColumn(_("Name"), "name"),
        ListColumn(_("Company"), "company", SMALL),
        ListColumn(_("E-mail"), "email", LARGE),
        ListColumn(_("Status"), "status"),
        ListColumn(_("Score"), "score"),
        ListColumn(_("Source"), "source", MEDIUM),
        ListColumn(_("Owner"), "owner", XL),
        ListColumn(_("Created"), "created", MEDIUM),
    ),
    filters=LeadFilters,
    filter_form=lead_filter_form,
    row_template="sales/leads/_row.html",
    detail_template="sales/leads/detail.html",
    form_template="sales/leads/form.html",
    results_id="lead-results",
    new_label=_("New lead"),
    empty_message=_(
        "No leads yet. A lead is someone who may become a customer: add them here, "
        "import them, or let a web form create them."
    ),
    history_labels={
        "owner": _("Owner"),
        "team": _("Team"),
        "converted_person": _("Converted to person"),
        "converted_organization": _("Converted to organization"),
        "converted_deal": _("Converted to deal"),
    },
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
    export_columns=exports.LEAD_COLUMNS,
    export_rows=exports.LEAD_ROWS,
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
    name_fields=("title",),
    form_class=DealForm,
    columns=(
        ListColumn(_("Deal"), "title"),
        ListColumn(_("Stage"), "stage", SMALL),
        ListColumn(_("Amount"), "amount", "text-end"),
        ListColumn(_("Probability"), "probability", f"{LARGE} text-end"),
        ListColumn(_("Close date"), "close_date", MEDIUM),
        ListColumn(_("Organization"), "organization", LARGE),
        ListColumn(_("Owner"), "owner", MEDIUM),
    ),
    filters=DealFilters,
    filter_form=deal_filter_form,
    row_template="sales/deals/_deal_row.html",
    list_template="sales/deals/deal_list.html",
    detail_template="sales/deals/deal_detail.html",
    form_template="sales/deals/deal_form.html",
    results_id="deal-results",
    new_label=_("New deal"),
    empty_message=_("No deals yet."),
    no_match_message=_("No deal matches these filters."),
    after_delete="sales:deal-board",
    page_messages={
        "created": _("Deal “%(name)s” created."),
        "saved": _("Deal “%(name)s” saved."),
        "stale": _("Someone changed this deal after you opened this page. Check it again."),
    },
    history_labels={"people": _("Contacts")},
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
    export_columns=exports.DEAL_COLUMNS,
    export_rows=exports.DEAL_ROWS,
)

PRODUCTS = RecordKind(
    resource=Product.RESOURCE,
    model=Product,
    namespace="sales",
    url_prefix="product",
    path="products",
    singular=_("product"),
    plural=_("Products"),
    icon="bi-box-seam",
    list_selector=catalogue_selectors.product_list,
    get_selector=catalogue_selectors.product_get,
    trash_get=catalogue_selectors.product_trash_get,
    create=catalogue_services.product_create,
    update=catalogue_services.product_update,
    trash=catalogue_services.product_trash,
    restore=catalogue_services.product_restore,
    name_fields=("sku", "name"),
    trash_scope=catalogue_selectors.product_trash_scope,
    form_class=ProductForm,
    create_first=_("Add the first product"),
    columns=(
        ListColumn(_("SKU"), "sku"),
        ListColumn(_("Name"), "name"),
        ListColumn(_("Kind"), "kind", MEDIUM),
        ListColumn(_("Unit"), None, LARGE),
        ListColumn(_("Unit price"), "price", "text-end"),
        ListColumn(_("Tax rate (%)"), None, f"text-end {SMALL}"),
    ),
    filter_form=product_filter_form,
    row_template="sales/catalogue/_product_row.html",
    form_template="sales/catalogue/product_form.html",
    page_size=50,
    results_id="product-results",
    new_label=_("New product"),
    empty_message=_("No products yet."),
    no_match_message=_("No product matches these filters."),
    page_messages={
        "created": _("Product “%(name)s” created."),
        "saved": _("Product “%(name)s” saved."),
        "deleted": _("Product “%(name)s” is in the trash."),
        "restored": _("Product “%(name)s” is back from the trash."),
    },
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
    export_columns=exports.PRODUCT_COLUMNS,
    export_rows=exports.PRODUCT_ROWS,
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
    restore=quote_services.quote_restore,
    name_fields=("number",),
    form_class=QuoteForm,
    create_first=_("Make the first quote"),
    columns=(
        ListColumn(_("Number"), "number"),
        ListColumn(_("Customer")),
        ListColumn(_("Date"), "date", MEDIUM),
        ListColumn(_("Valid until"), "valid", LARGE),
        ListColumn(_("Status"), "status", SMALL),
        ListColumn(_("Total"), "total", "text-end"),
    ),
    row_template="sales/quotes/_row.html",
    list_template="sales/quotes/quote_list.html",
    detail_template="sales/quotes/quote_detail.html",
    form_template="sales/quotes/quote_form.html",
    page_size=50,
    results_id="quote-results",
    trash_note=_("Void: the trash keeps it for good, so its number stays taken."),
    new_label=_("New quote"),
    empty_message=_("No quotes yet."),
    no_match_message=_("No quotes with this status."),
    page_messages={
        "created": _("Quote %(label)s created."),
        "saved": _("Quote %(label)s saved."),
        "deleted": _("Quote %(label)s is void and in the trash; its number stays taken."),
        "stale": _("Someone changed this quote after you opened this page. Check it again."),
    },
    history_labels={"lines": _("Lines"), "previous": _("Revision of")},
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
    export_columns=exports.QUOTE_COLUMNS,
    export_rows=exports.QUOTE_ROWS,
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
    name_fields=("number",),
    # One row per order line (``integrations.imports.orders``).
    importable=True,
    form_class=OrderForm,
    create_first=_("Enter the first order"),
    columns=(
        ListColumn(_("Number"), "number"),
        ListColumn(_("Ordered"), "ordered", SMALL),
        ListColumn(_("Customer")),
        ListColumn(_("Status"), "status", MEDIUM),
        ListColumn(_("Total"), "total", "text-end"),
        ListColumn(_("Owner"), None, LARGE),
    ),
    filters=OrderFilters,
    filter_form=order_filter_form,
    row_template="sales/orders/_row.html",
    detail_template="sales/orders/detail.html",
    form_template="sales/orders/form.html",
    results_id="order-results",
    trash_note=_("Cancelled: the trash keeps it for good, so its number stays taken."),
    new_label=_("New order"),
    empty_message=_(
        "No orders yet. Orders come from accepted quotes, from your shop through the API, "
        "or are entered here."
    ),
    no_match_message=_("No order matches these filters."),
    page_messages={
        "created": _("Order %(number)s saved."),
        "deleted": _("Order %(number)s is cancelled and in the trash; its number stays taken."),
        "stale": _("Someone changed this order after you opened this page. Check it again."),
        "restored": _("Order %(number)s is back from the trash."),
    },
    history_labels={
        "lines": _("Lines"),
        "person": _("Person"),
        "organization": _("Organization"),
        "external_id": _("External id"),
    },
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
    export_columns=exports.ORDER_COLUMNS,
    export_rows=exports.ORDER_ROWS,
)

#: In the order they are registered (the header search groups hits in this order).
ALL = (LEADS, DEALS, QUOTES, ORDERS, PRODUCTS)
