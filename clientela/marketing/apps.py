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
        self._register_templates()

    def _register_menu(self) -> None:
        from clientela.core.registry import NavGroup, register_nav_group

        # The marketing role works from its campaigns: the menu comes first for it.
        register_nav_group(
            NavGroup("marketing", _("Marketing"), "bi-megaphone", 45, {"marketing": 0})
        )

    def _register_templates(self) -> None:
        from clientela.core.registry import NavItem, register_nav_item
        from clientela.marketing.models import EmailTemplate

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
