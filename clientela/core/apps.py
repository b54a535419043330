import datetime

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_role_rights(sender: AppConfig, **kwargs: object) -> None:
    # Rights rows exist for every (role, resource) pair once all apps have registered
    # their resources; existing rows keep whatever an admin set.
    if sender.label != "core":
        return
    from clientela.core.services import roles_ensure_defaults

    roles_ensure_defaults()


class CoreConfig(AppConfig):
    name = "clientela.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        post_migrate.connect(_ensure_role_rights, dispatch_uid="clientela_role_rights")
        # Failed logins per client address, across user names (axes counts per name).
        from clientela.core.auth_limits import count_login_failure

        user_login_failed.connect(count_login_failure, dispatch_uid="clientela_login_failures")
        self._register_settings_sections()
        self._register_background()
        self._register_inbound()
        self._register_events()

    def _register_settings_sections(self) -> None:
        """Core's sections of the settings area, before those of the higher apps
        (which start at order 10)."""
        from clientela.core.registry import NavItem, register_settings_link

        for order, (key, label, url_name, icon) in enumerate(
            [
                ("company", _("Company"), "core:company-profile", "bi-building"),
                ("users", _("Users"), "core:user-list", "bi-person-gear"),
                ("teams", _("Teams"), "core:team-list", "bi-people"),
                ("roles", _("Roles"), "core:role-list", "bi-shield-lock"),
                ("two-factor", _("Two-factor login"), "core:settings-two-factor", "bi-phone"),
                ("custom-fields", _("Custom fields"), "core:custom-field-list", "bi-ui-checks"),
            ],
            start=1,
        ):
            register_settings_link(NavItem(key, label, url_name, icon, order))

    def _register_background(self) -> None:
        """The health of background work: its settings page, its periodic check."""
        from clientela.core import tasks
        from clientela.core.registry import (
            NavItem,
            RecurringJob,
            register_recurring_job,
            register_settings_link,
            register_worker_startup,
        )

        register_worker_startup("core.health", tasks.ensure_health_check_scheduled)
        register_recurring_job(
            RecurringJob(
                "core.health",
                _("Health check of background work"),
                tasks.check_background_health.module_path,
                datetime.timedelta(minutes=10),
            )
        )
        register_settings_link(
            NavItem("background", _("Background work"), "core:settings-background", "bi-cpu", 90)
        )

    def _register_inbound(self) -> None:
        """Inbound e-mail: the mailboxes' settings page, the worker's poll of them and
        the API scope of mail servers that pipe mail in; bounces and complaints taken
        before any app's handler sees them (so none becomes a ticket)."""
        from clientela.core.inbound import tasks
        from clientela.core.inbound.bounces import handle_report
        from clientela.core.registry import (
            InboundHandler,
            NavItem,
            RecurringJob,
            register_inbound_handler,
            register_recurring_job,
            register_settings_link,
            register_worker_startup,
        )
        from clientela.core.services import register_scopes

        register_scopes("mail:inbound")
        register_inbound_handler(InboundHandler("core.bounces", handle_report, order=10))
        register_worker_startup("core.mailboxes", tasks.ensure_mailbox_polling_scheduled)
        register_recurring_job(
            RecurringJob(
                "core.mailboxes",
                _("Polling of the mailboxes"),
                tasks.poll_mailboxes.module_path,
                tasks.EVERY,
            )
        )
        register_settings_link(
            NavItem(
                "mailboxes",
                _("Mailboxes"),
                "core:mailbox-list",
                "bi-mailbox",
                80,
                match=("core:inbound-",),
            )
        )

    def _register_events(self) -> None:
        """Domain events: the outbox's dispatch and sweep, the API scopes of automation
        and webhooks (the catalogue at /api/v1/events reads with automation:read), and
        the subscriber modules the settings name."""
        from importlib import import_module

        from django.conf import settings

        from clientela.core.events import tasks
        from clientela.core.registry import (
            RecurringJob,
            register_recurring_job,
            register_worker_startup,
        )
        from clientela.core.services import register_scopes

        register_scopes("automation:read", "automation:write", "webhooks:write")
        register_worker_startup("core.events", tasks.ensure_sweep_scheduled)
        register_recurring_job(
            RecurringJob(
                "core.events",
                _("Dispatch of domain events"),
                tasks.sweep_events.module_path,
                tasks.SWEEP_EVERY,
            )
        )
        for module in settings.CLIENTELA_EVENT_SUBSCRIBERS:
            import_module(module)


class ClientelaAdminConfig(admin_apps.AdminConfig):
    """Django's admin site, for superusers only (``core.admin_site.SuperuserAdminSite``):
    admins work on the settings pages. Named in INSTALLED_APPS in place of
    ``django.contrib.admin``; not this module's default app config (``CoreConfig``)."""

    default = False

    default_site = "clientela.core.admin_site.SuperuserAdminSite"
