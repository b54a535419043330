from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    """Marketing: consent with proof, suppression, segments and lists, e-mail templates,
    campaigns with tracking, web-to-lead forms and what each campaign brought (issue 15).
    Above ``sales`` in the layering: it reads people, organizations, orders and leads
    through their selectors and creates leads through the sales services."""

    name = "clientela.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from clientela.core.kinds import register_record_kind
        from clientela.core.services import register_scopes
        from clientela.marketing import kinds

        for kind in kinds.ALL:
            register_record_kind(kind)
        register_scopes("marketing:read", "marketing:write")
        self._register_menu()
        self._register_campaigns()

    def _register_menu(self) -> None:
        from clientela.core.registry import NavGroup, register_nav_group

        # The marketing role works from its campaigns: the menu comes first for it.
        register_nav_group(
            NavGroup("marketing", _("Marketing"), "bi-megaphone", 45, {"marketing": 0})
        )

    def _register_campaigns(self) -> None:
        """The Campaigns menu entry; the worker's minute sweep that starts due campaigns
        and picks up those whose worker died."""
        import datetime

        from clientela.core.registry import (
            NavItem,
            RecurringJob,
            register_nav_item,
            register_recurring_job,
            register_worker_startup,
        )
        from clientela.marketing import tasks

        register_nav_item(
            NavItem(
                "campaigns",
                _("Campaigns"),
                "marketing:campaign-list",
                "bi-megaphone",
                10,
                group="marketing",
                resource="marketing.campaign",
            )
        )
        register_worker_startup("marketing.campaigns", tasks.ensure_campaigns_scheduled)
        register_recurring_job(
            RecurringJob(
                "marketing.campaigns",
                _("Campaigns due to be sent"),
                tasks.campaigns_due.module_path,
                datetime.timedelta(minutes=1),
            )
        )
