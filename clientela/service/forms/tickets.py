"""The ticket form, the list's filter panel, the reply box and the bulk actions."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.contacts.forms import OrganizationPicker, PersonPicker, custom_form_field
from clientela.core import selectors as core_selectors
from clientela.core.choices import Language
from clientela.core.forms import BootstrapMixin, set_choices
from clientela.core.models import CustomField, User
from clientela.core.widgets import FastSelect
from clientela.sales.forms.orders import AnyIdField
from clientela.service.choices import (
    CategoryKind,
    SlaState,
    TicketChannel,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from clientela.service.filters import STATUS_CHOICES
from clientela.service.models import Category, Queue, Ticket
from clientela.service.services.tickets import TicketData

BLANK: list[tuple[Any, Any]] = [("", "—")]
#: Service error keys shown on another input of the form.
ERROR_TARGETS = {
    "person_id": "person",
    "organization_id": "organization",
    "queue_id": "queue",
    "assignee_id": "assignee",
    "category_id": "category",
    "complaint_category_id": "complaint_category",
    "root_cause_id": "root_cause",
}


def _categories(kind: str) -> list[tuple[Any, str]]:
    return BLANK + [
        (c.pk, c.name) for c in Category.objects.filter(kind=kind, active=True).order_by("name")
    ]


class TicketFilterForm(forms.Form):
    """Only renders the filter panel; ``TicketFilters.from_params`` parses."""

    q = forms.CharField(label=_("Number, subject or customer"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=BLANK + STATUS_CHOICES)
    queue_id = forms.ChoiceField(label=_("Queue"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False, widget=FastSelect)
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=BLANK + list(TicketPriority.choices)
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=BLANK + list(TicketType.choices)
    )
    category_id = forms.ChoiceField(label=_("Category"), required=False)
    tag = forms.ChoiceField(label=_("Tag"), required=False, widget=FastSelect)
    sla_state = forms.ChoiceField(
        label=_("SLA"), required=False, choices=BLANK + list(SlaState.choices)
    )

    def __init__(self, *args: Any, users: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "queue_id", BLANK + [(q.pk, q.name) for q in Queue.objects.all()])
        set_choices(
            self,
            "assignee",
            BLANK + [("me", _("Me")), ("none", _("Nobody"))] + [(u.pk, str(u)) for u in users],
        )
        set_choices(self, "category_id", _categories(CategoryKind.TICKET))
        set_choices(self, "tag", BLANK + [(t.pk, t.name) for t in core_selectors.tag_list()])


def ticket_filter_form(*, user: Any, initial: dict[str, Any], resource: str) -> TicketFilterForm:
    """The filter panel of the ticket list (``RecordKind.filter_form``)."""
    return TicketFilterForm(initial=initial, users=core_selectors.user_choices())


class TicketForm(BootstrapMixin, forms.Form):
    subject = forms.CharField(
        label=_("Subject"), max_length=200, widget=forms.TextInput({"autofocus": True})
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=20000,
        widget=forms.Textarea({"rows": 5}),
    )
    person = AnyIdField(label=_("Customer"), widget=PersonPicker)
    organization = AnyIdField(label=_("Organization"), widget=OrganizationPicker)
    type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=TicketPriority.choices, initial=TicketPriority.NORMAL
    )
    status = forms.ChoiceField(label=_("Status"), choices=TicketStatus.choices)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=TicketChannel.choices, initial=TicketChannel.PHONE
    )
    language = forms.ChoiceField(label=_("Customer's language"), choices=Language.choices)
    queue = forms.TypedChoiceField(label=_("Queue"), required=False, coerce=int, empty_value=None)
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    category = forms.TypedChoiceField(
        label=_("Category"), required=False, coerce=int, empty_value=None
    )
    complaint_category = forms.TypedChoiceField(
        label=_("Complaint category"), required=False, coerce=int, empty_value=None
    )
    root_cause = forms.TypedChoiceField(
        label=_("Root cause"), required=False, coerce=int, empty_value=None
    )
    resolution = forms.CharField(
        label=_("Resolution"), required=False, max_length=10000, widget=forms.Textarea({"rows": 3})
    )
    compensation = forms.CharField(
        label=_("Compensation"),
        required=False,
        max_length=30,
        widget=forms.TextInput({"inputmode": "decimal"}),
    )
    compensation_currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        widget=forms.TextInput({"autocapitalize": "characters", "size": 3}),
    )
    customer_agreed = forms.BooleanField(
        label=_("Closed with the customer's agreement"), required=False
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    COMPLAINT = (
        "complaint_category",
        "root_cause",
        "resolution",
        "compensation",
        "compensation_currency",
        "customer_agreed",
    )

    def __init__(
        self,
        *args: Any,
        users: Iterable[User] = (),
        people: Iterable[tuple[Any, str]] = (),
        organizations: Iterable[tuple[Any, str]] = (),
        custom_fields: Iterable[CustomField] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.custom_keys: list[str] = []
        for definition in custom_fields:
            self.fields[f"cf_{definition.key}"] = custom_form_field(definition)
            self.custom_keys.append(definition.key)
        set_choices(self, "person", BLANK + list(people))
        set_choices(self, "organization", BLANK + list(organizations))
        set_choices(
            self, "queue", BLANK + [(q.pk, q.name) for q in Queue.objects.filter(active=True)]
        )
        set_choices(self, "assignee", BLANK + [(u.pk, str(u)) for u in users])
        set_choices(self, "category", _categories(CategoryKind.TICKET))
        set_choices(self, "complaint_category", _categories(CategoryKind.COMPLAINT))
        set_choices(self, "root_cause", _categories(CategoryKind.ROOT_CAUSE))

    @classmethod
    def initial_for(cls, ticket: Ticket) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(ticket, name)
            for name in ("subject", "description", "type", "priority", "status", "channel")
        }
        initial.update(
            language=ticket.language,
            person=ticket.person_id,
            organization=ticket.organization_id,
            queue=ticket.queue_id,
            assignee=ticket.assignee_id,
            category=ticket.category_id,
            complaint_category=ticket.complaint_category_id,
            root_cause=ticket.root_cause_id,
            resolution=ticket.resolution,
            compensation=ticket.compensation if ticket.compensation is not None else "",
            compensation_currency=ticket.compensation_currency,
            customer_agreed=ticket.customer_agreed,
            version=ticket.version,
            tags=", ".join(t.name for t in ticket.tags.all()),
        )
        for key, value in (ticket.custom or {}).items():
            initial[f"cf_{key}"] = (
                ("true" if value else "false") if isinstance(value, bool) else value
            )
        return initial

    @property
    def custom_bound_fields(self) -> list[forms.BoundField]:
        return [self[f"cf_{key}"] for key in self.custom_keys]

    def to_data(self, ticket: Ticket | None) -> TicketData:
        c = self.cleaned_data
        data: dict[str, Any] = {
            name: c[name]
            for name in ("subject", "description", "type", "priority", "channel", "language")
        }
        for name in ("person", "organization", "queue", "assignee", "category"):
            data[f"{name}_id"] = c.get(name)
        data["tags"] = [t.strip() for t in c["tags"].split(",") if t.strip()]
        data["custom"] = {key: _custom_input(c.get(f"cf_{key}")) for key in self.custom_keys}
        if ticket is None or c["status"] != ticket.status:
            data["status"] = c["status"]
        if c["type"] == TicketType.COMPLAINT or (ticket is not None and ticket.is_complaint):
            data.update(
                complaint_category_id=c.get("complaint_category"),
                root_cause_id=c.get("root_cause"),
                resolution=c["resolution"],
                compensation=c["compensation"].strip() or None,
                compensation_currency=c["compensation_currency"].strip().upper(),
                customer_agreed=c["customer_agreed"],
            )
        return cast(TicketData, data)


def _custom_input(value: Any) -> Any:
    """A custom field's form value as the service takes it ("" clears the value)."""
    if value is None:
        return ""
    return str(value) if isinstance(value, Decimal) else value


class ReplyForm(forms.Form):
    """The box under a ticket's conversation: a reply to the customer or an internal
    note, optionally moving the ticket to another status."""

    body = forms.CharField(label=_("Message"), max_length=100000, widget=forms.Textarea)
    public = forms.TypedChoiceField(
        label=_("Send as"),
        choices=[("1", _("Reply to the customer")), ("0", _("Internal note"))],
        coerce=lambda v: v == "1",
        initial="1",
    )
    status = forms.ChoiceField(label=_("Then"), required=False)
    attachments = forms.FileField(label=_("Attachments"), required=False)

    def __init__(self, *args: Any, statuses: Iterable[tuple[str, Any]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "status", [("", _("keep the status")), *statuses])


class BulkForm(forms.Form):
    """The bulk actions over the tickets ticked on a list."""

    assignee = forms.CharField(required=False)
    status = forms.ChoiceField(required=False, choices=BLANK + list(TicketStatus.choices))
    priority = forms.ChoiceField(required=False, choices=BLANK + list(TicketPriority.choices))


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Merge into ticket number"), max_length=30)
