"""What the generic record views need to know about each kind of contact record: its
selectors, services, form and URL names. A later module (deals, tickets…) describes its
records the same way and reuses the views' shape."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.contacts import forms, selectors, services
from clientela.contacts.models import Organization, Person


@dataclass(frozen=True)
class Kind:
    resource: str
    model: type[Person] | type[Organization]
    url_prefix: str  # "person" -> "contacts:person-list", "contacts:person-detail"…
    singular: Any
    plural: Any
    icon: str
    form_class: type[forms.RecordForm]
    list_selector: Callable[..., Any]
    get_selector: Callable[..., Any]
    trash_get: Callable[..., Any]
    create: Callable[..., Any]
    update: Callable[[Any, Any, Any, int | None], Any]
    trash: Callable[..., None]
    restore: Callable[..., None]
    create_first: Any

    def url(self, action: str) -> str:
        return f"contacts:{self.url_prefix}-{action}"

    @property
    def urls(self) -> dict[str, str]:
        """URL names by action, for templates (``{% url kind.urls.detail pk=… %}``)."""
        actions = ("list", "create", "detail", "edit", "delete", "restore")
        names = {a: self.url(a) for a in actions}
        names["view_save"], names["view_delete"] = self.url("view-save"), self.url("view-delete")
        return names


PEOPLE = Kind(
    resource=Person.RESOURCE,
    model=Person,
    url_prefix="person",
    singular=_("person"),
    plural=_("People"),
    icon="bi-person",
    form_class=forms.PersonForm,
    list_selector=selectors.person_list,
    get_selector=selectors.person_get,
    trash_get=selectors.person_trash_get,
    create=services.person_create,
    update=lambda actor, record, data, version: services.person_update(
        actor=actor, person=record, data=data, expected_version=version
    ),
    trash=lambda actor, record, version: services.person_trash(
        actor=actor, person=record, expected_version=version
    ),
    restore=lambda actor, record: services.person_restore(actor=actor, person=record),
    create_first=_("Create the first person"),
)

ORGANIZATIONS = Kind(
    resource=Organization.RESOURCE,
    model=Organization,
    url_prefix="organization",
    singular=_("organization"),
    plural=_("Organizations"),
    icon="bi-building",
    form_class=forms.OrganizationForm,
    list_selector=selectors.organization_list,
    get_selector=selectors.organization_get,
    trash_get=selectors.organization_trash_get,
    create=services.organization_create,
    update=lambda actor, record, data, version: services.organization_update(
        actor=actor, organization=record, data=data, expected_version=version
    ),
    trash=lambda actor, record, version: services.organization_trash(
        actor=actor, organization=record, expected_version=version
    ),
    restore=lambda actor, record: services.organization_restore(actor=actor, organization=record),
    create_first=_("Create the first organization"),
)

KINDS = {k.resource: k for k in (PEOPLE, ORGANIZATIONS)}
