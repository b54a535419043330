import datetime

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "clientela.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from clientela.activities import kinds
        from clientela.core.kinds import register_record_kind
        from clientela.core.services import register_scopes

        for kind in kinds.ALL:
            register_record_kind(kind)
        register_scopes("activities:read", "activities:write")
        from clientela.activities import conditions

        conditions.register()
        from clientela.activities import events

        events.register()
        self._register_worker_jobs()
        self._register_demo()
        self._register_pages()
        self._register_email()

    def _register_pages(self) -> None:
        """The activities pages on the top bar, the account tabs and the bell, and the
        timeline panel on person and organization pages with this app's timeline sources
        (``core.registry``)."""
        from clientela.activities.timeline import SOURCES
        from clientela.activities.views.timeline import timeline_panel
        from clientela.core.registry import (
            HeaderItem,
            NavGroup,
            NavItem,
            Panel,
            register_account_tab,
            register_detail_panel,
            register_header_item,
            register_nav_group,
            register_nav_item,
            register_timeline_source,
        )

        # The first menu, "My day" its first link: everyone's home page, unless their
        # role has a menu of its own first (core.registry.NavGroup.role_order).
        register_nav_group(NavGroup("activities", _("Activities"), "bi-calendar-check", 20))
        register_nav_item(
            NavItem("my-day", _("My day"), "activities:my-day", "bi-sun", 0, group="activities")
        )
        register_nav_item(
            NavItem(
                "tasks",
                _("Tasks"),
                "activities:task-list",
                "bi-check2-square",
                30,
                group="activities",
                resource="activities.task",
            )
        )
        register_nav_item(
            NavItem(
                "calendar",
                _("Calendar"),
                "activities:calendar",
                "bi-calendar-week",
                40,
                group="activities",
                resource="activities.appointment",
                match=("activities:appointment-",),
            )
        )
        register_header_item(HeaderItem("notifications", "activities/_notification_bell.html", 10))
        register_account_tab(
            NavItem("activities", _("Reminders and calendar"), "activities:preferences", "", 10)
        )
        for source in SOURCES:
            register_timeline_source(source)
        for resource in ("contacts.person", "contacts.organization"):
            register_detail_panel(
                resource,
                Panel(
                    key="timeline",
                    title=_("Timeline"),
                    template="activities/_timeline_panel.html",
                    context=timeline_panel,
                    order=10,
                ),
            )

    def _register_email(self) -> None:
        """E-mail: the composer's panel on deal pages (by the resource's name: this app
        never imports sales), the account tab, the unmatched e-mails page, and the
        contact-history log of inbound mail at order 60, after the support queues'
        tickets (50), so it never takes a queue's mail."""
        from clientela.activities.services.email_log import handle_email_log
        from clientela.activities.views.emails import record_email_panel
        from clientela.core.registry import (
            InboundHandler,
            NavItem,
            Panel,
            register_account_tab,
            register_detail_panel,
            register_inbound_handler,
            register_nav_item,
        )

        register_inbound_handler(InboundHandler("activities.email_log", handle_email_log, 60))
        register_detail_panel(
            "sales.deal",
            Panel(
                key="email",
                title=_("E-mail"),
                template="activities/email/_panel.html",
                context=record_email_panel,
                order=10,
            ),
        )
        register_account_tab(NavItem("email", _("E-mail"), "activities:email-preferences", "", 20))
        register_nav_item(
            NavItem(
                "unmatched-emails",
                _("Unmatched e-mails"),
                "activities:unmatched-emails",
                "bi-envelope-exclamation",
                60,
                group="activities",
            )
        )

    def _register_worker_jobs(self) -> None:
        """When a worker starts: queue the hourly birthday-greeting run (it then queues
        its own next run) and deliver any reminder that fell due while none ran."""
        from clientela.activities import tasks
        from clientela.core.registry import (
            RecurringJob,
            register_recurring_job,
            register_worker_startup,
        )

        register_worker_startup("activities.birthdays", tasks.ensure_birthday_greetings_scheduled)
        register_worker_startup("activities.reminders", tasks.schedule_delivery)
        register_recurring_job(
            RecurringJob(
                "activities.birthdays",
                _("Birthday greetings"),
                tasks.send_birthday_greetings.module_path,
                datetime.timedelta(hours=1),
            )
        )

    def _register_demo(self) -> None:
        from clientela.activities import demo
        from clientela.core.registry import DemoLoader, register_demo_loader

        register_demo_loader(DemoLoader("activities", demo.load, demo.remove, order=10))
