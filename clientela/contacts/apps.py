from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "clientela.contacts"
    label = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from clientela.contacts import kinds
        from clientela.core.kinds import register_record_kind
        from clientela.core.registry import NavItem, register_nav_item
        from clientela.core.services import register_scopes

        for kind in kinds.ALL:
            register_record_kind(kind)
        register_scopes("contacts:read", "contacts:write")
        register_nav_item(NavItem("people", _("People"), "contacts:person-list", "bi-person", 10))
        register_nav_item(
            NavItem(
                "organizations",
                _("Organizations"),
                "contacts:organization-list",
                "bi-building",
                20,
            )
        )
        register_nav_item(
            NavItem("trash", _("Trash"), "contacts:trash", "bi-trash", 900, admin_only=True)
        )
