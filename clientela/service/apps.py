from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "clientela.service"
    label = "service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        from clientela.core.kinds import register_record_kind
        from clientela.core.services import register_scopes
        from clientela.service import kinds

        for kind in kinds.ALL:
            register_record_kind(kind)
        register_scopes("service:read", "service:write")
        self._register_menu()
        self._register_settings()
        self._register_panels()
        self._register_timeline()
        self._register_worker()
        self._register_demo()
        self._register_inbound()
        from clientela.service import conditions, events

        conditions.register()
        events.register()

    def _register_menu(self) -> None:
        from clientela.core.registry import NavGroup, NavItem, register_nav_group, register_nav_item

        # Support agents work from their tickets: the menu comes first for them.
        register_nav_group(
            NavGroup("service", _("Service"), "bi-life-preserver", 50, {"support": 0})
        )
        register_nav_item(
            NavItem(
                "my-tickets",
                _("My tickets"),
                "service:my-tickets",
                "bi-person-check",
                10,
                group="service",
                resource="service.ticket",
            )
        )
        register_nav_item(
            NavItem(
                "tickets",
                _("Tickets"),
                "service:ticket-list",
                "bi-life-preserver",
                20,
                group="service",
                resource="service.ticket",
            )
        )
        register_nav_item(
            NavItem(
                "service-reports",
                _("Reports"),
                "service:reports",
                "bi-bar-chart",
                50,
                group="service",
                resource="service.ticket",
            )
        )
        register_nav_item(
            NavItem(
                "knowledge-base",
                _("Knowledge base"),
                "service:article-list",
                "bi-journal-text",
                40,
                group="service",
                resource="service.article",
                match=("service:article-", "service:kb-"),
            )
        )

    def _register_inbound(self) -> None:
        """E-mail to a queue's address becomes a ticket (or joins its ticket)."""
        from clientela.core.registry import InboundHandler, register_inbound_handler
        from clientela.service.inbound import handle_ticket_mail

        register_inbound_handler(InboundHandler("service.tickets", handle_ticket_mail, order=50))

    def _register_demo(self) -> None:
        from clientela.core.registry import DemoLoader, register_demo_loader
        from clientela.service import demo

        register_demo_loader(DemoLoader("service", demo.load, demo.remove, order=25))

    def _register_settings(self) -> None:
        """The "Service desk" settings section, and the agent's away toggle in the top
        bar."""
        from clientela.core.registry import (
            HeaderItem,
            NavItem,
            register_header_item,
            register_settings_link,
        )

        register_settings_link(
            NavItem(
                "service-desk",
                _("Service desk"),
                "service:settings",
                "bi-life-preserver",
                40,
                match=("service:settings-",),
            )
        )
        register_header_item(HeaderItem("service-away", "service/tickets/_away_toggle.html", 5))

    def _register_worker(self) -> None:
        """The SLA pass every minute once a worker runs."""
        import datetime

        from clientela.core.registry import (
            RecurringJob,
            register_recurring_job,
            register_worker_startup,
        )
        from clientela.service import tasks

        register_worker_startup("service.sla-sweep", tasks.ensure_sla_sweep_scheduled)
        register_recurring_job(
            RecurringJob(
                "service.sla-sweep",
                _("SLA warnings and escalations"),
                tasks.sweep_slas.module_path,
                datetime.timedelta(minutes=1),
            )
        )

    def _register_timeline(self) -> None:
        """Tickets on person and organization timelines."""
        from clientela.core.registry import register_timeline_source
        from clientela.service.selectors.timeline import SOURCES

        for source in SOURCES:
            register_timeline_source(source)

    def _register_panels(self) -> None:
        """The Tickets panel on person and organization pages."""
        from clientela.core.registry import Panel, register_detail_panel
        from clientela.service.views.panels import tickets_panel

        for resource in ("contacts.person", "contacts.organization"):
            register_detail_panel(
                resource,
                Panel(
                    key="tickets",
                    title=_("Tickets"),
                    template="service/tickets/_panel.html",
                    context=tickets_panel,
                    order=45,
                ),
            )
