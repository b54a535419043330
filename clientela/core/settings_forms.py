"""Forms of the settings pages' Users, Teams, Roles and Company sections.

They parse the shape of the input; the rules (unique names and e-mails, the last
admin, the logo's format) are the services' (``core.services.users``, ``teams``, ``roles``,
``core.services.company``), whose errors ``add_service_errors`` puts back here.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from clientela.core.choices import Language, MailboxPurpose, MailboxSecurity
from clientela.core.company import fallback_country
from clientela.core.filters import USER_STATUSES
from clientela.core.forms import BootstrapMixin, time_zone_choices
from clientela.core.inbound.services import MAX_POLL_MINUTES
from clientela.core.models import Role, Team
from clientela.core.services.company import LOGO_MAX_BYTES


class RoleChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


def _role_field(**kwargs: Any) -> RoleChoiceField:
    return RoleChoiceField(queryset=Role.objects.order_by("name"), **kwargs)


def _team_field() -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=_("No team"),
        help_text=_("Records shared with the team's members when the role sees its team's."),
    )


class UserForm(BootstrapMixin, forms.Form):
    """A user as an admin invites or edits them."""

    email = forms.CharField(label=_("E-mail"), max_length=254)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        required=False,
        help_text=_("What they type to log in. Left blank: their e-mail address."),
        widget=forms.TextInput(attrs={"autocapitalize": "none"}),
    )
    role = _role_field(label=_("Role"), empty_label=None)
    team = _team_field()
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(label=_("Time zone"))

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]
        self.fields["email"].widget.attrs.update({"type": "email", "autocomplete": "off"})
        if editing:
            username = self.fields["username"]
            username.required = True
            username.help_text = _("What they type to log in.")

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class UserFilterForm(BootstrapMixin, forms.Form):
    """The users list's filter panel (rendered only; the list parses its query with
    ``core.filters.UserFilters``)."""

    q = forms.CharField(label=_("Search"), required=False)
    role = _role_field(label=_("Role"), required=False, empty_label=_("Any role"))
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.order_by("name"),
        required=False,
        empty_label=_("Any team"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *USER_STATUSES.items()],
    )


class TeamForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


class RoleCreateForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    copy_from = _role_field(
        label=_("Start with the rights of"),
        empty_label=None,
        help_text=_("Change them on the new role's page."),
    )


class RoleRenameForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)


def _blank_choice(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class CompanyProfileForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("Company name"),
        max_length=200,
        required=False,
        help_text=_("As your customers know it: at the top of quotes and in e-mails."),
    )
    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=200,
        required=False,
        help_text=_("As registered, e.g. “Tienda Ana S.L.”: on quotes and e-mail footers."),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("As printed on quotes, one line per line."),
    )
    tax_id = forms.CharField(label=_("Tax id"), max_length=50, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=50, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    country = forms.ChoiceField(label=_("Default country"), required=False)
    language = forms.ChoiceField(label=_("Default language"), required=False)
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        server = {
            "country": fallback_country(),
            "language": dict(Language.choices).get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE),
            "time_zone": settings.TIME_ZONE,
        }
        unset = _("Not set (the server's: %(value)s)")
        choices = {
            "country": [*_blank_choice(unset % {"value": server["country"]}), *list(countries)],
            "language": [*_blank_choice(unset % {"value": server["language"]}), *Language.choices],
            "time_zone": [
                *_blank_choice(unset % {"value": server["time_zone"]}),
                *time_zone_choices(),
            ],
        }
        for name, options in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = options
        self.fields["logo"].help_text = _(
            "PNG or JPEG, at most %(mb)d MB; printed at the top of quotes."
        ) % {"mb": LOGO_MAX_BYTES // (1024 * 1024)}
        self.fields["country"].help_text = _(
            "Phone numbers typed without a country code are read as this country's."
        )
        self.fields["language"].help_text = _("New users and new people start with it.")
        self.fields["time_zone"].help_text = _("New users start with it.")
        self.fields["email"].widget.attrs["type"] = "email"
        self.fields["website"].widget.attrs.update({"type": "url", "placeholder": "https://"})
        self.fields["phone"].widget.attrs["type"] = "tel"

    def data_for_service(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.fields}
        # Only a file uploaded now is a new logo (the field's initial is the stored one).
        if not isinstance(data["logo"], UploadedFile):
            data["logo"] = None
        return data


class MailboxForm(BootstrapMixin, forms.Form):
    """A mailbox as an admin configures it (``core.inbound.services``). The password
    field is write-only: it is never filled in, and left blank on an edit it keeps the
    stored password."""

    name = forms.CharField(label=_("Name"), max_length=100)
    host = forms.CharField(
        label=_("IMAP host"),
        max_length=253,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    security = forms.ChoiceField(label=_("Security"), choices=MailboxSecurity.choices)
    port = forms.IntegerField(
        label=_("Port"),
        min_value=1,
        max_value=65535,
        initial=993,
        help_text=_("Usually 993 with SSL/TLS, 143 with STARTTLS."),
    )
    username = forms.CharField(
        label=_("User name"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=254,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    folder = forms.CharField(label=_("Folder"), max_length=200, initial="INBOX")
    poll_minutes = forms.IntegerField(
        label=_("Poll every (minutes)"), min_value=1, max_value=MAX_POLL_MINUTES, initial=5
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=MailboxPurpose.choices,
        initial=MailboxPurpose.GENERAL,
        required=False,
    )
    owner_id = forms.TypedChoiceField(
        label=_("Owner (for a user's own mailbox)"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
    )

    def __init__(
        self,
        *args: Any,
        editing: bool = False,
        users: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner_id"]
        owner.choices = [("", "—"), *(users or [])]  # type: ignore[attr-defined]
        if editing:
            password = self.fields["password"]
            password.required = False
            password.help_text = _("Leave blank to keep the stored password.")

    def clean_purpose(self) -> str:
        return str(self.cleaned_data.get("purpose") or MailboxPurpose.GENERAL)

    def data_for_service(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}
