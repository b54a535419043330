from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "clientela.contacts"
    label = "contacts"
    verbose_name = _("Contacts")

    def ready(self) -> None:
        from clientela.contacts import conditions, kinds
        from clientela.core.choices import RoleKey
        from clientela.core.kinds import register_record_kind
        from clientela.core.registry import (
            NavGroup,
            NavItem,
            register_nav_group,
            register_nav_item,
        )
        from clientela.core.services import register_scopes

        for kind in kinds.ALL:
            register_record_kind(kind)
        register_scopes("contacts:read", "contacts:write")
        conditions.register()
        from clientela.contacts import events

        events.register()
        # Marketing and support work from the customer base (segments, the customer
        # beside a ticket) until their own modules bring a menu of their own.
        register_nav_group(
            NavGroup(
                "contacts",
                _("Contacts"),
                "bi-people",
                30,
                role_order={RoleKey.MARKETING: 10, RoleKey.SUPPORT: 10},
            )
        )
        register_nav_item(
            NavItem(
                "people",
                _("People"),
                "contacts:person-list",
                "bi-person",
                10,
                group="contacts",
                resource="contacts.person",
            )
        )
        register_nav_item(
            NavItem(
                "organizations",
                _("Organizations"),
                "contacts:organization-list",
                "bi-building",
                20,
                group="contacts",
                resource="contacts.organization",
            )
        )
