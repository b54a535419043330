import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Analytics over the purchase history (issue 13): the statistical core
    (``clientela.analytics.clv``), ABC analysis and RFM segments computed into snapshots
    by the worker, their pages, API and the panel on person and organization pages."""

    name = "clientela.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from clientela.analytics import analyses, conditions, demo, reorders, tasks
        from clientela.analytics.views import customer_panel
        from clientela.core.registry import (
            DemoLoader,
            NavGroup,
            NavItem,
            Panel,
            RecurringJob,
            register_demo_loader,
            register_detail_panel,
            register_nav_group,
            register_nav_item,
            register_recurring_job,
            register_worker_startup,
        )
        from clientela.core.services import register_scopes

        register_scopes("analytics:read", "analytics:write")
        analyses.register_builtin()
        reorders.register()
        conditions.register()
        register_nav_group(NavGroup("analytics", _("Analytics"), "bi-bar-chart-line", 60))
        for key, label, url_name, icon, order in (
            ("abc", _("ABC analysis"), "analytics:abc", "bi-bar-chart-line", 10),
            ("rfm", _("RFM segments"), "analytics:rfm", "bi-grid-3x3", 20),
            ("cycles", _("Due to reorder"), "analytics:cycles", "bi-arrow-repeat", 40),
        ):
            register_nav_item(
                NavItem(
                    key, label, url_name, icon, order, group="analytics", resource="sales.order"
                )
            )
        register_nav_item(
            NavItem(
                "offers",
                _("Offers"),
                "analytics:offers",
                "bi-file-earmark-check",
                70,
                group="analytics",
                resource="sales.quote",
            )
        )
        for resource in ("contacts.person", "contacts.organization"):
            register_detail_panel(
                resource,
                Panel(
                    key="analytics",
                    title=_("Analytics"),
                    template="analytics/_panel.html",
                    context=customer_panel,
                    order=35,
                ),
            )
        register_demo_loader(DemoLoader("analytics", demo.load, demo.remove, order=30))
        register_worker_startup("analytics.nightly-refresh", tasks.ensure_nightly_refresh_scheduled)
        register_recurring_job(
            RecurringJob(
                "analytics.nightly-refresh",
                _("Analytics refresh"),
                tasks.nightly_refresh.module_path,
                datetime.timedelta(days=1),
            )
        )
