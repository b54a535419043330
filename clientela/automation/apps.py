import dataclasses

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationConfig(AppConfig):
    """Automation: signed webhooks with retries (issue 16 item 3) and workflow rules
    (item 2). Above the domain apps in the layering: it reacts to their domain events
    (``core.events``) and acts through their services."""

    name = "clientela.automation"
    label = "automation"
    verbose_name = _("Automation")

    def ready(self) -> None:
        from clientela.automation import kinds
        from clientela.core.kinds import register_record_kind
        from clientela.core.services import register_scopes

        for kind in kinds.ALL:
            register_record_kind(kind)
        register_scopes("automation:read", "automation:write", "webhooks:write")
        self._register_webhooks()
        self._register_rules()

    def _register_webhooks(self) -> None:
        """The events subscriber that makes deliveries, the worker's sweep that sends
        them, and the settings page."""
        import datetime

        from clientela.automation import tasks
        from clientela.automation.services.deliveries import webhooks_for_event
        from clientela.core.events import Subscriber, register_subscriber
        from clientela.core.registry import (
            NavItem,
            RecurringJob,
            register_recurring_job,
            register_settings_link,
            register_worker_startup,
        )

        register_subscriber(Subscriber("webhooks", webhooks_for_event))
        register_worker_startup("automation.webhooks", tasks.ensure_webhooks_scheduled)
        register_recurring_job(
            RecurringJob(
                "automation.webhooks",
                _("Webhook deliveries due"),
                tasks.webhooks_due.module_path,
                datetime.timedelta(minutes=1),
            )
        )
        register_settings_link(
            NavItem(
                "webhooks",
                _("Webhooks"),
                "automation:webhook-list",
                "bi-broadcast",
                60,
                match=("automation:webhook",),
            )
        )

    def _register_rules(self) -> None:
        """The events subscriber that runs rules, the action types and the date fields
        they offer (the app is installed after the domain apps, so their kinds are
        registered by now), the worker's sweep of date, schedule and waiting runs, and
        the links to the rule pages: in the settings area (admins) and, for the
        managers who keep rules but have no settings area, in the Sales menu."""
        import datetime

        from clientela.automation import tasks
        from clientela.automation.rules.actions.catalogue import register_actions
        from clientela.automation.rules.date_fields import register_trigger_dates
        from clientela.automation.rules.subscriber import rules_for_event
        from clientela.automation.services.rules import may_edit_rules
        from clientela.core.events import Subscriber, register_subscriber
        from clientela.core.registry import (
            NavItem,
            RecurringJob,
            register_nav_item,
            register_recurring_job,
            register_settings_link,
            register_worker_startup,
        )

        register_subscriber(Subscriber("rules", rules_for_event))
        register_actions()
        register_trigger_dates()
        register_worker_startup("automation.rules", tasks.ensure_rules_scheduled)
        register_recurring_job(
            RecurringJob(
                "automation.rules",
                _("Workflow rules due"),
                tasks.rules_due.module_path,
                datetime.timedelta(minutes=1),
            )
        )
        link = NavItem(
            "rules",
            _("Workflow rules"),
            "automation:rule-list",
            "bi-lightning-charge",
            61,
            match=("automation:rule-",),
            may=may_edit_rules,
        )
        register_settings_link(link)
        register_nav_item(dataclasses.replace(link, group="sales", order=90))
