import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    """Analytics over the purchase history (issue 13): the statistical core
    (``clientela.analytics.clv``), ABC analysis and RFM segments computed into snapshots
    by the worker, their pages, API and the panel on person and organization pages; and
    the dashboards each user arranges, a kind of record (``analytics.kinds``)."""

    name = "clientela.analytics"
    label = "analytics"
    verbose_name = _("Analytics")

    def ready(self) -> None:
        from clientela.analytics import (
            analyses,
            conditions,
            demo,
            kinds,
            lead_scores,
            lifetime,
            reorders,
            rules,
            tasks,
            views_rules,
        )
        from clientela.analytics.choices import AnalysisKind
        from clientela.analytics.dashboards import revenue
        from clientela.analytics.dashboards import widgets as dashboard_widgets
        from clientela.analytics.models import LeadModel
        from clientela.analytics.views import customer_panel
        from clientela.core.kinds import register_record_kind
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
            register_record_written,
            register_recurring_job,
            register_worker_startup,
        )
        from clientela.core.services import register_scopes

        register_scopes(*kinds.SCOPES)
        for kind in kinds.ALL:
            register_record_kind(kind)
        analyses.register_builtin()
        reorders.register()
        lifetime.register()
        analyses.register_analysis(rules.analysis())
        conditions.register()
        conditions.register_dates()
        analyses.register_analysis(
            analyses.Analysis(
                kind=AnalysisKind.LEAD_SCORES,
                rows=(LeadModel,),
                run=lead_scores.run_lead_scores,
                page="analytics:lead-scores",
            )
        )
        # A lead is scored again when it changes, or when an interaction is logged on it.
        register_record_written("sales.lead", "analytics", lead_scores.rescore_lead)
        register_record_written(
            "activities.interaction", "analytics", lead_scores.rescore_for_interaction
        )
        register_nav_group(NavGroup("analytics", _("Analytics"), "bi-bar-chart-line", 60))
        dashboard_widgets.register()
        revenue.register()
        register_nav_item(
            NavItem(
                "dashboards",
                _("Dashboards"),
                "analytics:dashboards",
                "bi-grid-1x2",
                5,
                group="analytics",
                match=("analytics:dashboard-",),
            )
        )
        for key, label, url_name, icon, order in (
            ("abc", _("ABC analysis"), "analytics:abc", "bi-bar-chart-line", 10),
            ("rfm", _("RFM segments"), "analytics:rfm", "bi-grid-3x3", 20),
            ("rules", _("Bought together"), "analytics:rules", "bi-basket", 30),
            ("cycles", _("Due to reorder"), "analytics:cycles", "bi-arrow-repeat", 40),
            ("clv", _("Lifetime value"), "analytics:clv", "bi-hourglass-split", 50),
        ):
            register_nav_item(
                NavItem(
                    key, label, url_name, icon, order, group="analytics", resource="sales.order"
                )
            )
        for item in (
            NavItem(
                "offers",
                _("Offers"),
                "analytics:offers",
                "bi-file-earmark-check",
                70,
                group="analytics",
                resource="sales.quote",
            ),
            NavItem(
                "lead-scores",
                _("Lead scoring"),
                "analytics:lead-scores",
                "bi-speedometer2",
                80,
                group="analytics",
                resource="sales.lead",
            ),
        ):
            register_nav_item(item)
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
        # A product page (none yet: products are edited in a form) shows what sells with it.
        register_detail_panel(
            "sales.product",
            Panel(
                key="bought-together",
                title=_("Bought together"),
                template="analytics/_bought_together.html",
                context=views_rules.product_panel,
                order=40,
            ),
        )
        register_worker_startup("analytics.nightly-refresh", tasks.ensure_nightly_refresh_scheduled)
        register_recurring_job(
            RecurringJob(
                "analytics.nightly-refresh",
                _("Analytics refresh"),
                tasks.nightly_refresh.module_path,
                datetime.timedelta(days=1),
            )
        )
