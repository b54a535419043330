"""Forms of the core pages: login and password reset, two-factor codes, preferences,
API tokens and the admin settings (roles, custom fields, two-factor switch).

Forms only parse and check the shape of input; the rules live in ``core.services``,
whose ``ValidationError`` is put back on the form with ``add_service_errors``.
"""

from __future__ import annotations

import datetime
import functools
import re
import zoneinfo
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import CustomFieldType, Language, Scope
from clientela.core.kinds import MAX_ID
from clientela.core.permissions import custom_field_resources
from clientela.core.selectors import user_choices
from clientela.core.widgets import DATETIME_LOCAL, MultipleFileInput

if TYPE_CHECKING:
    from clientela.core.models import User

    # Generic in django-stubs only; django_stubs_ext.monkeypatch() does not cover it.
    _SetPasswordForm = SetPasswordForm[User]
else:
    _SetPasswordForm = SetPasswordForm

#: Offered first in the time zone picker: where Clientela's users mostly are.
COMMON_TIME_ZONES = [
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Mexico_City",
    "America/Bogota",
    "America/Lima",
    "America/Caracas",
    "America/Santiago",
    "America/Argentina/Buenos_Aires",
    "America/Montevideo",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Madrid",
    "Atlantic/Canary",
    "Europe/Paris",
    "Europe/Berlin",
]

CUSTOM_FIELD_KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
#: Far enough for any real expiry, near enough that date arithmetic cannot overflow.
MAX_TOKEN_YEARS = 10


class RowFormSet(BaseFormSet):  # type: ignore[type-arg]  # not subscriptable at run time
    """A list of detail rows (e-mails, phones, lines of a quote…) with a title and the
    errors the service raised about the list as a whole (shown above the rows)."""

    title: Any = ""
    service_errors: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.service_errors = []


def add_service_errors(
    form: forms.Form,
    exc: ValidationError,
    *,
    formsets: Mapping[str, RowFormSet] | None = None,
    targets: Mapping[str, str] | None = None,
) -> None:
    """Put a service's ``ValidationError`` back on the page: on the field it names
    (``targets`` maps service keys to other inputs, ``custom.<key>`` goes to the
    ``cf_<key>`` field), above the formset it is about, else above the form."""
    formsets = formsets or {}
    targets = targets or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, messages in exc.message_dict.items():
        target = targets.get(key, key)
        if key.startswith("custom."):
            target = f"cf_{key[len('custom.') :]}"
        if target in formsets:
            formsets[target].service_errors.extend(messages)
        elif target in form.fields and target != "version":
            form.add_error(target, messages)
        else:
            form.add_error(None, messages)


class BootstrapMixin:
    """Give every widget its Bootstrap class, and mark a field invalid when an error is
    added to it (validation adds every error through ``add_error``), so templates need
    no per-field logic."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        names = [field] if field else list(getattr(error, "error_dict", {}))
        for name in names:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"


# --- fields and helpers every app's forms use ------------------------------------------


def set_choices(form: forms.Form, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = list(choices)


def user_options() -> list[tuple[int, str]]:
    """(id, name) of the active users, for owner and assignee choices."""
    return [(u.pk, str(u)) for u in user_choices()]


def id_list(values: Iterable[Any]) -> list[int]:
    """The ids among query-string or form values (anything else is ignored)."""
    return [int(v) for v in values if str(v).isdecimal() and 0 < int(v) < MAX_ID]


def local_input(value: datetime.datetime | None, tz: datetime.tzinfo | None = None) -> str:
    """An aware datetime as the value of a ``datetime-local`` input in ``tz`` (the
    current time zone by default)."""
    if value is None:
        return ""
    return timezone.localtime(value, tz).strftime(DATETIME_LOCAL)


def make_aware_in(value: datetime.datetime, tz_name: str) -> datetime.datetime:
    """A wall-clock time from a form made aware in ``tz_name`` (the current time zone
    when it is not a known one); an aware value is kept as it is."""
    if timezone.is_aware(value):
        return value
    try:
        tz: datetime.tzinfo = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = timezone.get_current_timezone()
    return timezone.make_aware(value, tz)


class WallClockField(forms.DateTimeField):
    """A date and time as typed, with no time zone yet: the form's own time zone field
    says where it is (Django's field would read it in the user's time zone)."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value
        result: datetime.datetime | None = super(forms.DateTimeField, self).to_python(value)
        return result


class PeopleField(forms.TypedMultipleChoiceField):
    """The people a record is about, shown as checkboxes of the ones already linked or
    pre-filled; the service decides which ids the user may link."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("People"),
            required=False,
            coerce=int,
            widget=forms.CheckboxSelectMultiple,
            **kwargs,
        )

    def valid_value(self, value: Any) -> bool:
        # Any id passes here: an unknown or invisible one is reported by the service.
        return str(value).isdigit()


class MultipleFileField(forms.FileField):
    """Several files in one input (at most ``max_files``); size and type are checked by
    the service."""

    def __init__(self, *, max_files: int = 10, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        self.max_files = max_files
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > self.max_files:
            raise ValidationError(
                _("Attach at most %(count)d files at once.") % {"count": self.max_files},
                code="too_many",
            )
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class SavedViewForm(forms.Form):
    """Saves a list's filters under a name (the lists of kinds with ``saved_views``)."""

    name = forms.CharField(label=_("Name of the view"), max_length=100)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


# --- login, password reset ------------------------------------------------------------


class LoginForm(BootstrapMixin, AuthenticationForm):
    """Django's login form (it passes ``request`` to ``authenticate``, which django-axes
    needs to count failures per user name and address)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocapitalize": "none"})

    def clean_username(self) -> str:
        # Django sets the length limit on this field after creating it, so no
        # validator enforces it; an over-long name would reach django-axes, whose
        # failure log column holds 255 characters (a 500 on PostgreSQL).
        username: str = self.cleaned_data["username"]
        limit = self.fields["username"].max_length or 150  # type: ignore[attr-defined]
        if len(username) > limit:
            raise ValidationError(
                _("Ensure this value has at most %(limit)d characters.") % {"limit": limit},
                code="max_length",
            )
        return username


class PasswordResetRequestForm(BootstrapMixin, PasswordResetForm):
    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # The mail is read by its recipient, so it speaks their language, not the
        # language of whoever filled in the form.
        user = context.get("user")
        with translation.override(getattr(user, "language", None) or translation.get_language()):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


class NewPasswordForm(BootstrapMixin, _SetPasswordForm):
    pass


# --- two-factor -----------------------------------------------------------------------


class TOTPCodeForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Six-digit code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": r"[0-9 ]*",
            }
        ),
    )

    def __init__(self, *args: Any, autofocus: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if autofocus:
            # Only where the code is all the page asks for; on the setup page focus
            # would scroll the instructions and QR code out of sight on a phone.
            self.fields["code"].widget.attrs["autofocus"] = True

    def clean_code(self) -> str:
        code = re.sub(r"\s+", "", self.cleaned_data["code"])
        if not re.fullmatch(r"[0-9]{6}", code):
            raise ValidationError(_("Enter the six digits your app shows."), code="format")
        return code


# --- preferences ----------------------------------------------------------------------


@functools.cache
def _all_time_zones() -> list[str]:
    # available_timezones() walks the tz database on disk: once per process is enough.
    return sorted(zoneinfo.available_timezones())


def time_zone_choices() -> list[tuple[Any, Any]]:
    known = set(_all_time_zones())
    common = [(tz, tz) for tz in COMMON_TIME_ZONES if tz in known]
    everything = [(tz, tz) for tz in _all_time_zones()]
    return [(_("Common"), common), (_("All time zones"), everything)]


class PreferencesForm(BootstrapMixin, forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Dates and times are shown in this time zone."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()  # type: ignore[attr-defined]


# --- API tokens -----------------------------------------------------------------------


class ApiTokenForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Accounting sync”."),
        error_messages={"required": _("Give the token a name.")},
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one scope.")},
    )
    expires_at = forms.DateField(
        label=_("Expires on"),
        required=False,
        help_text=_("Optional. The token stops working at the end of this day."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, scopes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(s, s) for s in scopes]  # type: ignore[attr-defined]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("Give the token a name."), code="required")
        return name

    def clean_expires_at(self) -> datetime.date | None:
        day: datetime.date | None = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        today = timezone.localdate()
        if day < today:
            raise ValidationError(_("The expiry must be in the future."), code="past")
        if day.year > today.year + MAX_TOKEN_YEARS:
            raise ValidationError(
                _("Choose a date within the next %(years)s years.") % {"years": MAX_TOKEN_YEARS},
                code="far",
            )
        return day

    def expiry(self) -> datetime.datetime | None:
        """The end of the chosen day in the user's time zone, as an aware datetime."""
        day = self.cleaned_data.get("expires_at")
        if day is None:
            return None
        midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
        return timezone.make_aware(midnight, timezone.get_current_timezone())


# --- admin settings -------------------------------------------------------------------


class TwoFactorSettingForm(BootstrapMixin, forms.Form):
    require_two_factor = forms.BooleanField(
        label=_("Require two-factor login for everyone"),
        required=False,
        help_text=_("Users without an authenticator app are asked to set one up at next login."),
    )


class RolePermissionForm(forms.Form):
    """One row of the roles matrix; the page prefixes it with the permission's id."""

    can_create = forms.BooleanField(label=_("Create"), required=False)
    can_read = forms.BooleanField(label=_("Read"), required=False)
    can_update = forms.BooleanField(label=_("Update"), required=False)
    can_delete = forms.BooleanField(label=_("Delete"), required=False)
    scope = forms.ChoiceField(label=_("Visibility"), choices=Scope.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("can_create", "can_read", "can_update", "can_delete"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        self.fields["scope"].widget.attrs["class"] = "form-select form-select-sm"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A right to change or delete what one cannot see is meaningless, and the
        # scoped selectors would hide the records anyway: say so instead.
        if not data.get("can_read") and (data.get("can_update") or data.get("can_delete")):
            raise ValidationError(_("Update and delete need the read right."), code="read")
        return data


class CustomFieldForm(BootstrapMixin, forms.Form):
    resource = forms.ChoiceField(label=_("Kind of record"))
    key = forms.CharField(
        label=_("Key"),
        max_length=50,
        help_text=_("Lower-case letters, digits and _; starts with a letter. Used in the API."),
    )
    label = forms.CharField(label=_("Label"), max_length=100)
    field_type = forms.ChoiceField(label=_("Type"), choices=CustomFieldType.choices)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=2000,
        help_text=_("For a choice field: the choices, separated by commas."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)

    def __init__(self, *args: Any, existing_keys: set[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.existing_keys = existing_keys
        self.fields["resource"].choices = [  # type: ignore[attr-defined]
            (key, resource.label) for key, resource in custom_field_resources().items()
        ]

    def clean_key(self) -> str:
        key: str = self.cleaned_data["key"].strip()
        if not CUSTOM_FIELD_KEY.match(key):
            raise ValidationError(
                _("Use lower-case letters, digits and _, starting with a letter."), code="key"
            )
        return key

    def clean_choices(self) -> list[str]:
        seen: list[str] = []
        for raw in self.cleaned_data.get("choices", "").split(","):
            choice = raw.strip()
            if len(choice) > 100:
                raise ValidationError(_("A choice has at most 100 characters."), code="long")
            if choice and choice not in seen:
                seen.append(choice)
        return seen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("resource"), data.get("key")) in self.existing_keys:
            self.add_error("key", _("This kind of record already has a field with this key."))
        if data.get("field_type") == CustomFieldType.CHOICE:
            if "choices" in data and not data["choices"]:
                self.add_error("choices", _("A choice field needs at least one choice."))
        else:
            data["choices"] = []
        return data
