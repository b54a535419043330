from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "clientela.contacts"
    label = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from clientela.core.permissions import register_resource
        from clientela.core.registry import NavItem, register_nav_item
        from clientela.core.services import register_scopes

        register_resource(
            "contacts.organization",
            _("Organizations"),
            detail_url_name="contacts:organization-detail",
            icon="bi-building",
            custom_fields=True,
        )
        register_resource(
            "contacts.person",
            _("People"),
            detail_url_name="contacts:person-detail",
            icon="bi-person",
            custom_fields=True,
        )
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
