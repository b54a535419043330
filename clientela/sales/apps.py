import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "clientela.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from clientela.core.kinds import register_record_kind
        from clientela.core.services import register_scopes
        from clientela.sales import kinds

        for kind in kinds.ALL:
            register_record_kind(kind)
        register_scopes("sales:read", "sales:write")
        self._register_menu()
        self._register_leads()
        self._register_deals()
        self._register_catalogue()
        self._register_quotes()
        self._register_orders()
        self._register_timeline()
        self._register_forecast()
        self._register_demo()
        self._register_dashboard_widgets()
        from clientela.sales import conditions

        conditions.register()
        from clientela.sales import events

        events.register()

    # Each part of the app registers its own pages, panels and settings links below.

    def _register_menu(self) -> None:
        from clientela.core.registry import NavGroup, register_nav_group

        register_nav_group(NavGroup("sales", _("Sales"), "bi-briefcase", 40))

    def _register_leads(self) -> None:
        """The leads menu entry, and "Create lead" for an e-mail from an unknown sender
        in the contact-history log (``core.email_registry``)."""
        from clientela.core.email_registry import LeadMaker, register_lead_maker
        from clientela.core.registry import NavItem, register_nav_item
        from clientela.sales.services.leads import lead_from_email

        register_lead_maker(LeadMaker(lead_from_email, "sales:lead-detail"))

        register_nav_item(
            NavItem(
                "leads",
                _("Leads"),
                "sales:lead-list",
                "bi-funnel",
                50,
                group="sales",
                resource="sales.lead",
            )
        )

    def _register_deals(self) -> None:
        """The deal board on the top bar, the pipelines settings page, and the "Deals"
        panel on person and organization pages."""
        from clientela.core.registry import (
            NavItem,
            Panel,
            register_detail_panel,
            register_nav_item,
            register_settings_link,
        )
        from clientela.sales.views.deals import deals_panel

        register_nav_item(
            NavItem(
                "deals",
                _("Deals"),
                "sales:deal-board",
                "bi-kanban",
                55,
                group="sales",
                resource="sales.deal",
            )
        )
        register_settings_link(
            NavItem(
                "pipelines",
                _("Pipelines"),
                "sales:pipeline-list",
                "bi-diagram-3",
                10,
                match=("sales:stage-",),
            )
        )
        for resource in ("contacts.person", "contacts.organization"):
            register_detail_panel(
                resource,
                Panel(
                    key="deals",
                    title=_("Deals"),
                    template="sales/deals/_panel.html",
                    context=deals_panel,
                    order=20,
                ),
            )

    def _register_catalogue(self) -> None:
        """Products on the top bar; price lists and currencies on the admin settings; the
        base currency on the company profile page (it is kept with the exchange rates)."""
        from clientela.core.registry import (
            CompanyFact,
            NavItem,
            register_company_fact,
            register_nav_item,
            register_settings_link,
        )
        from clientela.sales.models import SalesSettings

        register_nav_item(
            NavItem(
                "products", _("Products"), "sales:product-list", "bi-box-seam", 75, group="sales"
            )
        )
        register_settings_link(
            NavItem("price-lists", _("Price lists"), "sales:price-lists", "bi-tags", 20)
        )
        register_settings_link(
            NavItem(
                "currencies",
                _("Currencies"),
                "sales:currencies",
                "bi-currency-exchange",
                30,
                match=("sales:exchange-rate-",),
            )
        )
        register_company_fact(
            CompanyFact(
                "base-currency",
                _("Base currency"),
                lambda: SalesSettings.load().base_currency,
                "sales:currencies",
            )
        )

    def _register_timeline(self) -> None:
        """A deal's stage changes and orders on person and organization timelines."""
        from clientela.core.registry import register_timeline_source
        from clientela.sales.selectors.timeline import SOURCES

        for source in SOURCES:
            register_timeline_source(source)

    def _register_quotes(self) -> None:
        """Quotes on the top bar; the daily expiry of sent quotes when a worker starts."""
        from clientela.core.registry import (
            NavItem,
            RecurringJob,
            register_nav_item,
            register_recurring_job,
            register_worker_startup,
        )
        from clientela.sales import tasks

        register_nav_item(
            NavItem(
                "quotes",
                _("Quotes"),
                "sales:quote-list",
                "bi-receipt",
                65,
                group="sales",
                resource="sales.quote",
            )
        )
        register_worker_startup("sales.quote-expiry", tasks.ensure_quote_expiry_scheduled)
        register_recurring_job(
            RecurringJob(
                "sales.quote-expiry",
                _("Quote expiry"),
                tasks.expire_due_quotes.module_path,
                datetime.timedelta(days=1),
            )
        )

    def _register_orders(self) -> None:
        """The orders list on the top bar and the "Purchase history" panel on person
        and organization pages."""
        from clientela.core.registry import NavItem, Panel, register_detail_panel, register_nav_item
        from clientela.sales.views.orders import purchase_history_panel

        register_nav_item(
            NavItem(
                "orders",
                _("Orders"),
                "sales:order-list",
                "bi-bag-check",
                70,
                group="sales",
                resource="sales.order",
            )
        )
        for resource in ("contacts.person", "contacts.organization"):
            register_detail_panel(
                resource,
                Panel(
                    key="purchase-history",
                    title=_("Purchase history"),
                    template="sales/orders/_purchase_history.html",
                    context=purchase_history_panel,
                    order=30,
                ),
            )

    def _register_forecast(self) -> None:
        from clientela.core.registry import NavItem, register_nav_item

        register_nav_item(
            NavItem(
                "forecast",
                _("Forecast"),
                "sales:forecast",
                "bi-graph-up-arrow",
                80,
                group="sales",
                resource="sales.deal",
            )
        )

    def _register_demo(self) -> None:
        from clientela.core.registry import DemoLoader, register_demo_loader
        from clientela.sales import demo

        register_demo_loader(DemoLoader("sales", demo.load, demo.remove, order=20))

    def _register_dashboard_widgets(self) -> None:
        from clientela.sales import dashboard_widgets

        dashboard_widgets.register()
