from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_purposes(sender: AppConfig, **kwargs: object) -> None:
    # The shipped consent purposes exist after every migrate and every flush (a test
    # database's too); an admin's changes to them are kept.
    if sender.label != "marketing":
        return
    from clientela.marketing.services.consent_purposes import purposes_ensure_defaults

    purposes_ensure_defaults()


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
        post_migrate.connect(_ensure_purposes, dispatch_uid="clientela_consent_purposes")
        self._register_menu()
        self._register_consent()
        self._register_segments()
        self._register_templates()
        self._register_campaigns()
        self._register_forms()
        self._register_demo()
        from clientela.marketing import events

        events.register()

    def _register_demo(self) -> None:
        """The demo's marketing data, and consent among the conditions of segments."""
        from clientela.core.registry import DemoLoader, register_demo_loader
        from clientela.marketing import conditions, demo

        conditions.register()
        register_demo_loader(DemoLoader("marketing", demo.load, demo.remove, order=30))

    def _register_menu(self) -> None:
        from clientela.core.registry import NavGroup, register_nav_group

        # The marketing role works from its campaigns: the menu comes first for it.
        register_nav_group(
            NavGroup("marketing", _("Marketing"), "bi-megaphone", 45, {"marketing": 0})
        )

    def _register_consent(self) -> None:
        """The "Consents" panel of person pages, and the settings sections "Consent
        purposes" and "Suppression list" (admins)."""
        from clientela.core.registry import (
            NavItem,
            Panel,
            register_detail_panel,
            register_settings_link,
        )
        from clientela.marketing.views.consent import consent_panel

        register_detail_panel(
            "contacts.person",
            Panel(
                key="consents",
                title=_("Consents"),
                template="marketing/consent/_panel.html",
                context=consent_panel,
                order=60,
            ),
        )
        register_settings_link(
            NavItem(
                "consent-purposes",
                _("Consent purposes"),
                "marketing:consent-purposes",
                "bi-check2-square",
                50,
                match=("marketing:consent-purpose",),
            )
        )
        register_settings_link(
            NavItem(
                "suppressions",
                _("Suppression list"),
                "marketing:suppressions",
                "bi-slash-circle",
                51,
                match=("marketing:suppression",),
            )
        )

    def _register_segments(self) -> None:
        """Segments and lists in the menu, and "Add to a list" on the people list."""
        from clientela.core.registry import (
            ListAction,
            NavItem,
            register_list_action,
            register_nav_item,
        )

        register_nav_item(
            NavItem(
                "segments",
                _("Segments"),
                "marketing:segment-list",
                "bi-funnel",
                20,
                group="marketing",
                resource="marketing.segment",
            )
        )
        register_nav_item(
            NavItem(
                "lists",
                _("Lists"),
                "marketing:list-list",
                "bi-list-check",
                25,
                group="marketing",
                resource="marketing.list",
            )
        )
        register_list_action(
            "contacts.person",
            ListAction(
                key="add-to-list",
                label=_("Add to a list"),
                url_name="marketing:list-add-people",
                icon="bi-list-check",
                order=480,
            ),
        )

    def _register_templates(self) -> None:
        """The menu entry, and the templates offered to the e-mail composer of person,
        organization and deal pages (``core.email_templates``)."""
        from clientela.core.email_registry import TemplateSource, register_template_source
        from clientela.core.registry import NavItem, register_nav_item
        from clientela.marketing.models import EmailTemplate
        from clientela.marketing.selectors import templates

        register_template_source(
            TemplateSource("marketing", templates.template_options, templates.template_filled)
        )

        register_nav_item(
            NavItem(
                "email-templates",
                _("E-mail templates"),
                "marketing:email_template-list",
                "bi-envelope-paper",
                40,
                group="marketing",
                resource=EmailTemplate.RESOURCE,
            )
        )

    def _register_campaigns(self) -> None:
        """The Campaigns menu entry; the worker's minute sweep that starts due campaigns
        and picks up those whose worker died; bounces and complaints about campaign
        e-mails (attributed, and suppressing the address); each campaign e-mail on its
        person's timeline; STOP replies and failed deliveries of text messages."""
        import datetime

        from clientela.core import sms
        from clientela.core.registry import (
            BounceHandler,
            NavItem,
            RecurringJob,
            register_bounce_handler,
            register_nav_item,
            register_recurring_job,
            register_timeline_source,
            register_worker_startup,
        )
        from clientela.marketing import tasks
        from clientela.marketing.selectors.timeline import SOURCES as TIMELINE
        from clientela.marketing.services import sms_replies
        from clientela.marketing.services.bounces import handle_report

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
        register_bounce_handler(BounceHandler("marketing.bounces", handle_report, order=100))
        for source in TIMELINE:
            register_timeline_source(source)
        sms.register_sms_reply_handler(sms_replies.sms_reply, key="marketing.stop")
        sms.register_sms_status_handler(sms_replies.sms_status, key="marketing.status")
        register_recurring_job(
            RecurringJob(
                "marketing.campaigns",
                _("Campaigns due to be sent"),
                tasks.campaigns_due.module_path,
                datetime.timedelta(minutes=1),
            )
        )

    def _register_forms(self) -> None:
        """Web forms in the menu."""
        from clientela.core.registry import NavItem, register_nav_item
        from clientela.marketing.models import LeadForm

        register_nav_item(
            NavItem(
                "web-forms",
                _("Web forms"),
                "marketing:lead_form-list",
                "bi-ui-checks",
                50,
                group="marketing",
                resource=LeadForm.RESOURCE,
            )
        )
