"""Web-to-lead forms: create, change, trash, restore (the kind ``marketing.kinds.FORMS``).

Create and update take a partial mapping (``LeadFormData``). Everything is checked
before anything is saved, each problem on its own key:

* ``fields``: at most ``MAX_FIELDS`` of ``{key, label, type, required, maps_to,
  choices}``; keys are lower-case words, each once; ``maps_to`` is a lead field
  (``LEAD_FIELDS``) or ``custom.<key>``, each once; an e-mail field maps only to
  ``email``, a phone field to ``phone``; a choice list has its choices. A form needs a
  field mapped to the e-mail or to a name (``first_name``/``last_name``): a lead is
  somebody to get back to;
* ``consents``: ``{purpose, channel, text}`` each, the text exactly as shown (it is
  stored as the proof of each consent given); they need a required e-mail field (the
  consent is the person's, found or created by that address);
* ``allowed_origins``: ``https://host[:port]`` origins (the sites that may embed and
  post the form); ``redirect_url``: an https address on one of them or on this server;
* ``lead_owner_id``: an active user who may create leads (and people, for a form with
  consent checkboxes): new leads are created as them.
"""

from __future__ import annotations

import re
from typing import Any, TypedDict
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.contacts.models import Person
from clientela.core.choices import Language
from clientela.core.models import User
from clientela.core.normalize import normalize_email
from clientela.core.permissions import can
from clientela.core.services import RecordWrites, record_restore, record_trash
from clientela.core.validation import Errors, add, clean_text, raise_errors
from clientela.marketing.choices import ConsentChannel, FormFieldType
from clientela.marketing.models import Campaign, ConsentPurpose, LeadForm
from clientela.sales.models import Lead

#: The lead fields a form field may fill in, with the longest value each takes.
LEAD_FIELDS: dict[str, int] = {
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "company": 200,
    "job_title": 100,
    "notes": 5000,
}
NAME_FIELDS = ("first_name", "last_name")
MAX_FIELDS, MAX_CONSENTS, MAX_CHOICES, MAX_ORIGINS = 30, 10, 50, 20
KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ORIGIN = re.compile(r"https://[a-z0-9.-]+(?::[0-9]{1,5})?")
#: Keys the public form posts besides the fields (UTM parameters, the referrer).
RESERVED_KEYS = frozenset(
    {"utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "referrer"}
)


class FieldSpec(TypedDict, total=False):
    key: str
    label: str
    type: str
    required: bool
    maps_to: str
    choices: list[str]


class ConsentSpec(TypedDict):
    purpose: str
    channel: str
    text: str


class LeadFormData(TypedDict, total=False):
    name: str
    slug: str
    active: bool
    title: str
    intro: str
    submit_label: str
    fields: list[FieldSpec]
    consents: list[ConsentSpec]
    double_opt_in: bool
    proof_of_work: bool
    campaign_id: int | None
    lead_owner_id: int | None
    notify_owner: bool
    notify_email: str
    thank_you: str
    redirect_url: str
    allowed_origins: list[str]
    language: str


TEXTS = ("name", "title", "intro", "submit_label", "thank_you")
FLAGS = ("active", "double_opt_in", "notify_owner", "proof_of_work")


def lead_form_snapshot(form: LeadForm) -> dict[str, Any]:
    return {
        "name": form.name,
        "slug": form.slug,
        "active": form.active,
        "title": form.title,
        "intro": form.intro,
        "submit_label": form.submit_label,
        "fields": form.fields,
        "consents": form.consents,
        "double_opt_in": form.double_opt_in,
        "proof_of_work": form.proof_of_work,
        "campaign": str(form.campaign) if form.campaign_id else None,
        "lead_owner": str(form.lead_owner) if form.lead_owner_id else None,
        "notify_owner": form.notify_owner,
        "notify_email": form.notify_email,
        "thank_you": form.thank_you,
        "redirect_url": form.redirect_url,
        "allowed_origins": form.allowed_origins,
        "language": form.language,
    }


# --- the fields and the consent checkboxes ------------------------------------------------


def _clean_choices(raw: Any, where: str, errors: Errors) -> list[str]:
    if not isinstance(raw, list) or not raw or len(raw) > MAX_CHOICES:
        add(errors, where, _("Give a choice list 1 to %(n)s choices.") % {"n": MAX_CHOICES})
        return []
    choices = [c.strip() for c in raw if isinstance(c, str) and c.strip()]
    if len(choices) != len(raw) or len(set(choices)) != len(choices):
        add(errors, where, _("Each choice is a different, non-empty text."))
    elif any(len(c) > 200 for c in choices):
        add(errors, where, _("At most %(limit)s characters.") % {"limit": 200})
    return choices


def _clean_maps_to(spec: FieldSpec, raw: Any, where: str, errors: Errors) -> str:
    target = raw.strip() if isinstance(raw, str) else ""
    if raw not in (None, "") and not isinstance(raw, str):
        add(errors, where, _("Enter text."))
        return ""
    if not target:
        return ""
    if target.startswith("custom."):
        if not KEY.fullmatch(target.removeprefix("custom.")):
            add(errors, where, _("Name a custom field as custom.<key> (lower-case letters)."))
        return target
    if target not in LEAD_FIELDS:
        add(
            errors,
            where,
            _("Map the field to one of: %(fields)s, or custom.<key>.")
            % {"fields": ", ".join(LEAD_FIELDS)},
        )
        return ""
    kind = spec.get("type")
    if target == "email" and kind != FormFieldType.EMAIL:
        add(errors, where, _("Only an e-mail field maps to the lead's e-mail."))
    elif target == "phone" and kind != FormFieldType.PHONE:
        add(errors, where, _("Only a phone field maps to the lead's phone."))
    elif kind in (FormFieldType.CHECKBOX, FormFieldType.SELECT) and target != "notes":
        add(errors, where, _("A checkbox or a choice list maps to the notes or a custom field."))
    return target


def _clean_field(raw: Any, i: int, seen: set[str], targets: set[str], errors: Errors) -> FieldSpec:
    where = f"fields.{i}"
    if not isinstance(raw, dict):
        add(errors, "fields", _("Each field needs a key, a label and a type."))
        return {}
    key = raw.get("key")
    if not isinstance(key, str) or not KEY.fullmatch(key) or key in RESERVED_KEYS:
        add(
            errors,
            f"{where}.key",
            _("A key is a lower-case word (letters, digits, _), not a UTM name."),
        )
    elif key in seen:
        add(errors, f"{where}.key", _("Another field has the key “%(key)s”.") % {"key": key})
    else:
        seen.add(key)
    label = raw.get("label")
    if not isinstance(label, str) or not label.strip() or len(label) > 200:
        add(errors, f"{where}.label", _("Give the field a label (at most 200 characters)."))
        label = ""
    kind = raw.get("type")
    if kind not in FormFieldType.values:
        add(
            errors,
            f"{where}.type",
            _("Choose one of: %(c)s.") % {"c": ", ".join(FormFieldType.values)},
        )
    required = raw.get("required", False)
    if not isinstance(required, bool):
        add(errors, f"{where}.required", _("Give true or false."))
        required = False
    spec: FieldSpec = {
        "key": key if isinstance(key, str) else "",
        "label": label.strip(),
        "type": kind if isinstance(kind, str) else "",
        "required": required,
    }
    spec["maps_to"] = _clean_maps_to(spec, raw.get("maps_to"), f"{where}.maps_to", errors)
    if spec["maps_to"]:
        if spec["maps_to"] in targets:
            add(errors, f"{where}.maps_to", _("Another field fills in this lead field."))
        targets.add(spec["maps_to"])
    if kind == FormFieldType.SELECT:
        spec["choices"] = _clean_choices(raw.get("choices"), f"{where}.choices", errors)
    return spec


def _clean_fields(raw: Any, errors: Errors) -> list[FieldSpec]:
    if not isinstance(raw, list) or len(raw) > MAX_FIELDS:
        add(errors, "fields", _("Give a list of at most %(n)s fields.") % {"n": MAX_FIELDS})
        return []
    seen: set[str] = set()
    targets: set[str] = set()
    fields = [_clean_field(item, i, seen, targets, errors) for i, item in enumerate(raw)]
    if not targets & {"email", *NAME_FIELDS} and "fields" not in errors:
        add(
            errors,
            "fields",
            _("Add a field mapped to the e-mail or to a name: a lead is somebody to reach."),
        )
    return fields


def _clean_consent(raw: Any, i: int, seen: set[tuple[str, str]], errors: Errors) -> ConsentSpec:
    where = f"consents.{i}"
    if not isinstance(raw, dict):
        add(errors, "consents", _("Each consent checkbox needs a purpose, a channel and a text."))
        return {"purpose": "", "channel": "", "text": ""}
    purpose, channel, text = raw.get("purpose"), raw.get("channel"), raw.get("text")
    found = ConsentPurpose.objects.filter(key=purpose, active=True).first() if purpose else None
    if not isinstance(purpose, str) or found is None:
        add(errors, f"{where}.purpose", _("Choose a consent purpose in use."))
    if channel not in ConsentChannel.values:
        add(
            errors,
            f"{where}.channel",
            _("Choose one of: %(c)s.") % {"c": ", ".join(ConsentChannel.values)},
        )
    elif isinstance(purpose, str):
        if (purpose, channel) in seen:
            add(
                errors, f"{where}.purpose", _("Another checkbox asks for this purpose and channel.")
            )
        seen.add((purpose, channel))
    if not isinstance(text, str) or not text.strip() or len(text) > 2000:
        add(errors, f"{where}.text", _("Write the exact text shown (at most 2000 characters)."))
        text = ""
    return {"purpose": str(purpose or ""), "channel": str(channel or ""), "text": text.strip()}


def _clean_consents(raw: Any, fields: list[FieldSpec], errors: Errors) -> list[ConsentSpec]:
    if not isinstance(raw, list) or len(raw) > MAX_CONSENTS:
        add(errors, "consents", _("At most %(n)s consent checkboxes.") % {"n": MAX_CONSENTS})
        return []
    seen: set[tuple[str, str]] = set()
    consents = [_clean_consent(item, i, seen, errors) for i, item in enumerate(raw)]
    if consents and not any(f.get("maps_to") == "email" and f.get("required") for f in fields):
        add(
            errors,
            "consents",
            _("Consent checkboxes need a required e-mail field: consent is given by an address."),
        )
    return consents


# --- where it may be embedded, and where it goes after ------------------------------------


def _clean_origins(raw: Any, errors: Errors) -> list[str]:
    if not isinstance(raw, list) or len(raw) > MAX_ORIGINS:
        add(errors, "allowed_origins", _("At most %(n)s origins.") % {"n": MAX_ORIGINS})
        return []
    origins: list[str] = []
    for item in raw:
        value = item.strip().lower().rstrip("/") if isinstance(item, str) else ""
        if not ORIGIN.fullmatch(value):
            add(
                errors,
                "allowed_origins",
                _("“%(value)s” is not an origin such as https://www.example.com (https, no path).")
                % {"value": item},
            )
        elif value not in origins:
            origins.append(value)
    return origins


def own_origin() -> str:
    parts = urlsplit(settings.CLIENTELA_PUBLIC_URL)
    return f"{parts.scheme}://{parts.netloc}".lower()


def redirect_allowed(url: str, origins: list[str]) -> bool:
    """Whether ``url`` is an https address on an allowed origin's host, or on this server."""
    parts = urlsplit(url)
    if not parts.hostname:
        return False
    if f"{parts.scheme}://{parts.netloc}".lower() == own_origin():
        return True
    return parts.scheme == "https" and parts.hostname in {urlsplit(o).hostname for o in origins}


def _clean_redirect(form: LeadForm, data: LeadFormData, errors: Errors) -> None:
    if "redirect_url" not in data and "allowed_origins" not in data:
        return
    raw = data.get("redirect_url", form.redirect_url)
    url = raw.strip() if isinstance(raw, str) else ""
    if raw not in (None, "") and not isinstance(raw, str):
        add(errors, "redirect_url", _("Enter text."))
    elif len(url) > 500:
        add(errors, "redirect_url", _("At most %(limit)s characters.") % {"limit": 500})
    elif url and not redirect_allowed(url, form.allowed_origins):
        add(
            errors,
            "redirect_url",
            _(
                "Redirect only to an https address on one of the allowed origins' sites "
                "(add the site to the allowed origins first)."
            ),
        )
    else:
        form.redirect_url = url


def _clean_lead_owner(actor: User, form: LeadForm, data: LeadFormData, errors: Errors) -> None:
    if "lead_owner_id" in data:
        value = data["lead_owner_id"]
        if value is None:
            form.lead_owner = None
        elif type(value) is not int:
            add(errors, "lead_owner_id", _("Give the owner as a user id."))
        else:
            form.lead_owner = User.objects.filter(pk=value, is_active=True).first()
            if form.lead_owner is None:
                add(errors, "lead_owner_id", _("There is no active user with this id."))
    owner = form.lead_owner or (form.owner if form.pk else actor)
    if "lead_owner_id" in errors or owner is None:
        return
    if not can(owner, "create", Lead.RESOURCE):
        add(errors, "lead_owner_id", _("%(user)s may not create leads.") % {"user": owner})
    elif form.consents and not can(owner, "create", Person.RESOURCE):
        add(
            errors,
            "lead_owner_id",
            _("%(user)s may not create people, which the consent checkboxes need.")
            % {"user": owner},
        )


def _clean_campaign(actor: User, form: LeadForm, data: LeadFormData, errors: Errors) -> None:
    if "campaign_id" not in data:
        return
    value = data["campaign_id"]
    if value is None:
        form.campaign = None
        return
    found = (
        Campaign.objects.alive().visible_to(actor).filter(pk=value).first()
        if type(value) is int
        else None
    )
    if found is None:
        add(errors, "campaign_id", _("There is no campaign with this id."))
    form.campaign = found


def _clean_slug(form: LeadForm, data: LeadFormData, errors: Errors) -> None:
    if "slug" not in data:
        return
    slug = data["slug"].strip().lower() if isinstance(data["slug"], str) else ""
    if not SLUG.fullmatch(slug) or len(slug) > 80:
        add(errors, "slug", _("Use lower-case letters, digits and hyphens (e.g. spring-offer)."))
    elif LeadForm.objects.filter(slug=slug).exclude(pk=form.pk).exists():
        add(errors, "slug", _("Another form has this address."))
    else:
        form.slug = slug


def _clean_simple(form: LeadForm, data: LeadFormData, errors: Errors) -> None:
    for name, value in clean_text(LeadForm, data, TEXTS, errors).items():
        setattr(form, name, value)
    for flag in FLAGS:
        if flag in data:
            if isinstance(data[flag], bool):  # type: ignore[literal-required]
                setattr(form, flag, data[flag])  # type: ignore[literal-required]
            else:
                add(errors, flag, _("Give true or false."))
    _clean_slug(form, data, errors)
    if "language" in data:
        if data["language"] in Language.values:
            form.language = data["language"]
        else:
            add(errors, "language", _("Choose English or Spanish."))
    if data.get("notify_email"):
        try:
            form.notify_email = normalize_email(data["notify_email"])
        except ValidationError as exc:
            errors["notify_email"] = exc.messages
    elif "notify_email" in data:
        form.notify_email = ""


def _apply(actor: User, form: LeadForm, data: LeadFormData) -> None:
    errors: Errors = {}
    _clean_simple(form, data, errors)
    if not form.name and "name" not in errors:
        add(errors, "name", _("Give the form a name."))
    if not form.slug and "slug" not in errors:
        add(errors, "slug", _("Give the form an address (e.g. spring-offer)."))
    if "fields" in data or form.pk is None:
        form.fields = list(_clean_fields(data.get("fields", []), errors))
    if "consents" in data or "fields" in data:
        raw = data.get("consents", form.consents)
        form.consents = list(_clean_consents(raw, list(form.fields), errors))
    if "allowed_origins" in data:
        form.allowed_origins = _clean_origins(data["allowed_origins"], errors)
    _clean_redirect(form, data, errors)
    _clean_lead_owner(actor, form, data, errors)
    _clean_campaign(actor, form, data, errors)
    raise_errors(errors)
    if form.pk is None:
        form.owner, form.team = actor, actor.team
    form.full_clean(exclude=["owner", "team", "fields", "consents", "allowed_origins"])
    form.save()


_FORMS = RecordWrites(apply=_apply, snapshot=lead_form_snapshot)


def lead_form_create(*, actor: User, data: LeadFormData) -> LeadForm:
    """A new form (the create right on forms): ``name``, ``slug`` and ``fields`` required."""
    return _FORMS.create(actor, LeadForm(), data)


def lead_form_update(
    *, actor: User, lead_form: LeadForm, data: LeadFormData, expected_version: int | None = None
) -> LeadForm:
    """Change what ``data`` names (``fields``, ``consents``, ``allowed_origins``: whole lists)."""
    return _FORMS.update(actor, lead_form, data, expected_version)


def lead_form_trash(
    *, actor: User, lead_form: LeadForm, expected_version: int | None = None
) -> None:
    """To the trash: its page stops answering (404) until it is restored."""
    with transaction.atomic():
        record_trash(actor=actor, record=lead_form, expected_version=expected_version)


def lead_form_restore(*, actor: User, lead_form: LeadForm) -> None:
    record_restore(actor=actor, record=lead_form, reindex=lambda record: None)
