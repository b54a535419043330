"""Web forms for people and organizations. They only parse what the browser sent into
the services' ``PersonData``/``OrganizationData``; every rule (names, e-mails, phones,
dates, custom fields, permissions) is checked by the services, whose errors are put
back next to the right field by ``core.forms.add_service_errors``."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.forms.formsets import formset_factory
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from clientela.contacts import services
from clientela.contacts.birthday_field import BirthdayField
from clientela.contacts.choices import AddressKind, Channel, EmailKind, PhoneKind, RelationshipKind
from clientela.contacts.models import Organization, Person
from clientela.core import selectors as core_selectors
from clientela.core.choices import CustomFieldType, Language
from clientela.core.company import default_language
from clientela.core.forms import BootstrapMixin, PeopleField, RowFormSet, set_choices
from clientela.core.models import CustomField, User
from clientela.core.widgets import DateInput, FastSelect

BLANK = [("", "—")]
YES_NO = [("", "—"), ("true", _("Yes")), ("false", _("No"))]
MAX_ROWS = 20


def custom_form_field(definition: CustomField, *, for_filter: bool = False) -> forms.Field:
    """The input for one admin-defined custom field (a lenient one in list filters)."""
    kind = definition.field_type
    common: dict[str, Any] = {
        "label": definition.label,
        "required": definition.required and not for_filter,
        "help_text": "" if for_filter else definition.help_text,
    }
    if kind == CustomFieldType.CHOICE:
        return forms.ChoiceField(choices=BLANK + [(c, c) for c in definition.choices], **common)
    if kind == CustomFieldType.BOOLEAN:
        return forms.ChoiceField(choices=YES_NO, **common)
    if kind == CustomFieldType.DATE:
        return forms.DateField(widget=DateInput(), **common)
    if kind == CustomFieldType.NUMBER:
        return forms.DecimalField(widget=forms.NumberInput({"step": "any"}), **common)
    return forms.CharField(max_length=1000, **common)


# --- list filters -----------------------------------------------------------------------

FILTERABLE_CUSTOM = {CustomFieldType.CHOICE, CustomFieldType.BOOLEAN, CustomFieldType.TEXT}


class FilterForm(forms.Form):
    """Only renders the filter panel; ``ContactFilters.from_params`` does the parsing."""

    q = forms.CharField(label=_("Contains"), required=False, max_length=200)
    tag = forms.ChoiceField(label=_("Tag"), required=False, widget=FastSelect)
    role = forms.ChoiceField(
        label=_("Relationship"),
        required=False,
        choices=BLANK + list(RelationshipKind.choices),
        widget=FastSelect,
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False, widget=FastSelect)
    team = forms.ChoiceField(label=_("Team"), required=False, widget=FastSelect)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=FastSelect)
    city = forms.CharField(label=_("City"), required=False, max_length=100)

    def __init__(
        self,
        *args: Any,
        tags: Iterable[Any],
        users: Iterable[User],
        teams: Iterable[Any],
        custom_fields: Iterable[CustomField],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "tag", BLANK + [(t.pk, t.name) for t in tags])
        set_choices(self, "owner", BLANK + [(u.pk, str(u)) for u in users])
        set_choices(self, "team", BLANK + [(t.pk, t.name) for t in teams])
        set_choices(self, "country", BLANK + list(countries))
        for definition in custom_fields:
            if definition.field_type in FILTERABLE_CUSTOM:
                field = custom_form_field(definition, for_filter=True)
                self.fields[f"cf_{definition.key}"] = field


def filter_form(*, user: Any, initial: dict[str, Any], resource: str) -> FilterForm:
    """The filter panel of the people and organization lists (``RecordKind.filter_form``)."""
    return FilterForm(
        initial=initial,
        tags=core_selectors.tag_list(),
        users=core_selectors.user_choices(),
        teams=core_selectors.team_list(),
        custom_fields=list(core_selectors.custom_field_list(resource=resource)),
    )


# --- rows of the multi-valued details -----------------------------------------------------


class EmailRow(forms.Form):
    address = forms.CharField(
        label=_("E-mail"), required=False, max_length=254, widget=forms.EmailInput
    )
    kind = forms.ChoiceField(label=_("Type"), choices=EmailKind.choices, initial=EmailKind.WORK)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def to_input(self) -> services.EmailInput | None:
        address = self.cleaned_data.get("address", "").strip()
        if not address:
            return None
        return services.EmailInput(
            address, self.cleaned_data["kind"], self.cleaned_data["is_primary"]
        )


class PhoneRow(forms.Form):
    number = forms.CharField(
        label=_("Phone"), required=False, max_length=50, widget=forms.TextInput({"type": "tel"})
    )
    kind = forms.ChoiceField(label=_("Type"), choices=PhoneKind.choices, initial=PhoneKind.MOBILE)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def to_input(self) -> services.PhoneInput | None:
        number = self.cleaned_data.get("number", "").strip()
        if not number:
            return None
        return services.PhoneInput(
            number, self.cleaned_data["kind"], self.cleaned_data["is_primary"]
        )


class AddressRow(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=AddressKind.choices, initial=AddressKind.WORK)
    street = forms.CharField(label=_("Street"), required=False, max_length=200)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    country = forms.ChoiceField(label=_("Country"), required=False)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "country", BLANK + list(countries))

    def to_input(self) -> services.AddressInput | None:
        c = self.cleaned_data
        texts = ("street", "postal_code", "city", "region", "country")
        if not any(c.get(k, "").strip() for k in texts):
            return None
        return services.AddressInput(
            country=c["country"],
            kind=c["kind"],
            street=c["street"],
            city=c["city"],
            region=c["region"],
            postal_code=c["postal_code"],
            is_primary=c["is_primary"],
        )


class RelationshipRow(forms.Form):
    kind = forms.ChoiceField(
        label=_("Relationship"), required=False, choices=BLANK + list(RelationshipKind.choices)
    )
    since = forms.DateField(label=_("Since"), required=False, widget=DateInput)

    def to_input(self) -> services.RelationshipInput | None:
        kind = self.cleaned_data.get("kind")
        if not kind:
            return None
        return services.RelationshipInput(kind, self.cleaned_data.get("since"))


class Picker(forms.Select):
    """A select with a search box that reloads its options (htmx) from ``url``: a form
    starts with a convenient first batch, the search finds the others."""

    template_name = "contacts/widgets/picker.html"
    css = ""
    search_name = ""
    url = ""
    placeholder: Any = ""
    label: Any = ""

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["picker"] = self
        return context


class OrganizationPicker(Picker):
    css, search_name, url = "organization-picker", "org_q", "contacts:organization-options"
    placeholder = _("Type to find an organization…")
    label = _("Find an organization")


class PersonPicker(Picker):
    css, search_name, url = "person-picker", "person_q", "contacts:person-options"
    placeholder = _("Type to find a person…")
    label = _("Find a person")


class LinkedForm(BootstrapMixin, forms.Form):
    """The people and organization a record of a higher app (a task, a deal…) links to."""

    people = PeopleField()
    organization = forms.IntegerField(
        label=_("Organization"), required=False, widget=OrganizationPicker
    )

    def __init__(
        self,
        *args: Any,
        people: Iterable[tuple[int, str]] = (),
        organizations: Iterable[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "people", people)
        self.fields["organization"].widget.choices = BLANK + list(organizations)

    def person_ids(self) -> list[int]:
        return list(self.cleaned_data.get("people") or [])

    @staticmethod
    def links_of(record: Any) -> dict[str, Any]:
        """A record's people and organization as the form's initial values."""
        return {
            "people": [p.pk for p in record.people.all()],
            "organization": record.organization_id,
        }


class MembershipRow(forms.Form):
    # The service decides which organizations the user may link (the visible ones);
    # the select only offers a convenient first batch, so any id passes here.
    organization = forms.IntegerField(
        label=_("Organization"), required=False, widget=OrganizationPicker
    )
    job_title = forms.CharField(label=_("Job title"), required=False, max_length=100)
    is_primary = forms.BooleanField(label=_("Primary"), required=False)

    def __init__(self, *args: Any, organizations: Iterable[tuple[Any, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["organization"].widget.choices = BLANK + list(organizations)

    def to_input(self) -> services.MembershipInput | None:
        org = self.cleaned_data.get("organization")
        if not org:
            return None
        return services.MembershipInput(
            org, self.cleaned_data.get("job_title", ""), self.cleaned_data["is_primary"]
        )


ROWS: dict[str, type[forms.Form]] = {
    "emails": EmailRow,
    "phones": PhoneRow,
    "addresses": AddressRow,
    "relationships": RelationshipRow,
    "memberships": MembershipRow,
}
FORMSET_TITLES = {
    "emails": _("E-mail addresses"),
    "phones": _("Phones"),
    "addresses": _("Addresses"),
    "relationships": _("Relationships"),
    "memberships": _("Organizations"),
}


def make_formset(
    name: str,
    *,
    data: Any = None,
    initial: list[dict[str, Any]] | None = None,
    form_kwargs: dict[str, Any] | None = None,
) -> RowFormSet:
    factory = formset_factory(
        ROWS[name],
        formset=RowFormSet,
        extra=0 if initial else 1,
        can_delete=True,
        max_num=MAX_ROWS,
        validate_max=True,
        absolute_max=MAX_ROWS * 2,
    )
    formset = cast(
        RowFormSet, factory(data=data, initial=initial, prefix=name, form_kwargs=form_kwargs)
    )
    formset.title = FORMSET_TITLES[name]
    return formset


def formset_inputs(formset: RowFormSet) -> list[Any]:
    """The rows' service inputs, leaving out removed and blank rows."""
    result = []
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
            continue
        item = form.to_input()
        if item is not None:
            result.append(item)
    return result


# --- the record forms -------------------------------------------------------------------


class RecordForm(forms.Form):
    """What people and organizations share: tags, owner, notes, custom fields and the
    version the user started editing from."""

    FORMSETS: tuple[str, ...] = ()
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=1000,
        help_text=_("Separate tags with commas."),
    )
    owner = forms.ChoiceField(label=_("Owner"))
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10000, widget=forms.Textarea({"rows": 4})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        users: Iterable[User],
        custom_fields: Iterable[CustomField],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.users = {u.pk: u for u in users}
        set_choices(
            self,
            "owner",
            [(pk, f"{u} ({u.team})" if u.team_id else str(u)) for pk, u in self.users.items()],
        )
        self.custom_keys: list[str] = []
        for definition in custom_fields:
            self.fields[f"cf_{definition.key}"] = custom_form_field(definition)
            self.custom_keys.append(definition.key)

    @classmethod
    def initial_for(cls, record: Any) -> dict[str, Any]:
        raise NotImplementedError

    def to_data(self, record: Any, formsets: dict[str, RowFormSet]) -> Any:
        raise NotImplementedError

    @property
    def custom_bound_fields(self) -> list[forms.BoundField]:
        return [self[f"cf_{key}"] for key in self.custom_keys]

    @staticmethod
    def record_initial(record: Person | Organization) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "tags": ", ".join(t.name for t in record.tags.all()),
            "owner": record.owner_id,
            "notes": record.notes,
            "version": record.version,
        }
        for key, value in (record.custom or {}).items():
            initial[f"cf_{key}"] = (
                ("true" if value else "false") if isinstance(value, bool) else value
            )
        return initial

    def common_data(self, record: Person | Organization | None) -> dict[str, Any]:
        c = self.cleaned_data
        data: dict[str, Any] = {
            "notes": c["notes"],
            "tags": [t.strip() for t in c["tags"].split(",") if t.strip()],
            "custom": {key: _custom_input(c.get(f"cf_{key}")) for key in self.custom_keys},
        }
        owner = self.users[int(c["owner"])]
        # Sending the owner re-derives the team from it, so only send a real change.
        if record is None or owner.pk != record.owner_id:
            data["owner"] = owner
        return data


def _custom_input(value: Any) -> Any:
    """A custom field's form value as the service takes it ("" clears the value)."""
    if value is None:
        return ""
    return str(value) if isinstance(value, Decimal) else value


class PersonForm(RecordForm):
    FORMSETS = ("emails", "phones", "addresses", "memberships", "relationships")

    first_name = forms.CharField(
        label=_("First name"),
        required=False,
        max_length=100,
        widget=forms.TextInput({"autofocus": True}),
    )
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    birthday = BirthdayField(
        label=_("Birthday"), help_text=_("The year may be left out."), required=False
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), choices=Language.choices, initial=Language.EN
    )
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), required=False, choices=BLANK + list(Channel.choices)
    )

    field_order = ("first_name", "last_name", "birthday", "preferred_language", "preferred_channel")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A new person starts in the company's language (an edit shows the person's).
        self.fields["preferred_language"].initial = default_language()

    @classmethod
    def initial_for(cls, person: Person) -> dict[str, Any]:
        initial = cls.record_initial(person)
        for name in (
            "first_name",
            "last_name",
            "birthday",
            "preferred_language",
            "preferred_channel",
        ):
            initial[name] = getattr(person, name)
        return initial

    def to_data(
        self, person: Person | None, formsets: dict[str, RowFormSet]
    ) -> services.PersonData:
        c = self.cleaned_data
        data: dict[str, Any] = self.common_data(person)
        for name in ("first_name", "last_name", "preferred_language", "preferred_channel"):
            data[name] = c[name]
        data["birthday"] = c["birthday"]
        for name in ("emails", "phones", "addresses", "relationships"):
            data[name] = formset_inputs(formsets[name])
        memberships = formset_inputs(formsets["memberships"])
        # Unchanged memberships are left out, so editing a person who also belongs to an
        # organization this user cannot see does not fail on that organization.
        if person is None or _membership_key(memberships) != _membership_key(
            [
                services.MembershipInput(m.organization_id, m.job_title, m.is_primary)
                for m in person.memberships.all()
            ]
        ):
            data["memberships"] = memberships
        return data  # type: ignore[return-value]


def _membership_key(items: list[services.MembershipInput]) -> list[tuple[int, str, bool]]:
    # The service makes the first flagged row (else the first row) primary; compare the
    # same way so only a real change counts.
    flagged = [m for m in items if m.is_primary]
    primary = flagged[0] if flagged else (items[0] if items else None)
    return sorted((m.organization_id, (m.job_title or "").strip(), m is primary) for m in items)


class OrganizationForm(RecordForm):
    FORMSETS = ("emails", "phones", "addresses", "relationships")

    name = forms.CharField(
        label=_("Name"), required=False, max_length=200, widget=forms.TextInput({"autofocus": True})
    )
    website = forms.CharField(label=_("Website"), required=False, max_length=300)
    industry = forms.CharField(label=_("Industry"), required=False, max_length=100)

    field_order = ("name", "website", "industry")

    def clean_website(self) -> str:
        value: str = self.cleaned_data["website"].strip()
        # People type "example.com"; the stored value is a full URL.
        if value and "://" not in value:
            value = f"https://{value}"
        return value

    @classmethod
    def initial_for(cls, org: Organization) -> dict[str, Any]:
        initial = cls.record_initial(org)
        for name in ("name", "website", "industry"):
            initial[name] = getattr(org, name)
        return initial

    def to_data(
        self, org: Organization | None, formsets: dict[str, RowFormSet]
    ) -> services.OrganizationData:
        data: dict[str, Any] = self.common_data(org)
        for name in ("name", "website", "industry"):
            data[name] = self.cleaned_data[name]
        for name in ("emails", "phones", "addresses", "relationships"):
            data[name] = formset_inputs(formsets[name])
        return data  # type: ignore[return-value]


def details_initial(record: Person | Organization) -> dict[str, list[dict[str, Any]]]:
    """The rows of each formset for editing ``record`` (details come prefetched)."""
    initial: dict[str, list[dict[str, Any]]] = {
        "emails": [
            {"address": e.address, "kind": e.kind, "is_primary": e.is_primary}
            for e in record.emailaddresss.all()
        ],
        "phones": [
            {"number": p.number, "kind": p.kind, "is_primary": p.is_primary}
            for p in record.phonenumbers.all()
        ],
        "addresses": [
            {
                "kind": a.kind,
                "street": a.street,
                "postal_code": a.postal_code,
                "city": a.city,
                "region": a.region,
                "country": a.country,
                "is_primary": a.is_primary,
            }
            for a in record.addresss.all()
        ],
        "relationships": [{"kind": r.kind, "since": r.since} for r in record.relationships.all()],
    }
    if isinstance(record, Person):
        initial["memberships"] = [
            {
                "organization": m.organization_id,
                "job_title": m.job_title,
                "is_primary": m.is_primary,
            }
            for m in record.memberships.all()
        ]
    return initial


#: Service error keys that belong to another input on the page.
ERROR_TARGETS = {"email": "emails", "phone": "phones", "country": "addresses", "team": "owner"}


#: Service error keys that belong to another input on the page.
ERROR_TARGETS = {"email": "emails", "phone": "phones", "country": "addresses", "team": "owner"}
