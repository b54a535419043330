"""What the sending engine asks of the rest of marketing: who the audience is, who is
still reachable when a batch goes out, and each recipient's message.

* ``audience(campaign)``: the people of its segments and lists, minus the excluded
  ones, that its owner may see, with an address on the campaign's channel, who
  consented to its purpose on that channel and are not suppressed (one query);
* ``still_reachable(campaign, rows)``: the deliveries of a batch whose person still
  consents and whose address is not suppressed now (one query);
* ``Renderer(campaign)``: each variant compiled once (its own subject and HTML, or its
  template's version per language); per recipient the merge fields, the tracked links,
  the open pixel, the unsubscribe headers and the VERP return path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from html import escape as html_escape
from typing import Any

import phonenumbers
from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext as _
from phonenumbers import PhoneNumberType

from clientela.contacts.models import Person
from clientela.core.verp import verp_address
from clientela.marketing import tracking
from clientela.marketing.choices import CampaignChannel, SuppressionReason
from clientela.marketing.models import Campaign, Delivery, ListMember, Suppression
from clientela.marketing.rendering import (
    CompiledVersion,
    choose_version,
    company_fields,
    compile_version,
    person_merge_fields,
)
from clientela.marketing.selectors.consent import consented_q
from clientela.marketing.selectors.segments import rules_q
from clientela.marketing.sending.mime import CampaignEmail
from clientela.marketing.services.suppression import address_hash


@dataclass(frozen=True)
class Recipient:
    person_id: int
    address: str
    language: str
    country: str


def _on_list(list_id: int) -> Q:
    return Q(pk__in=ListMember.objects.filter(list_id=list_id).values("person_id"))


def audience_q(campaign: Campaign) -> Q:
    """The campaign's audience as a filter on people (see the module's docstring)."""
    owner = campaign.owner
    included = Q(pk__in=[])
    for segment in campaign.segments.alive():
        included |= rules_q(user=owner, rules=segment.rules)
    for static in campaign.lists.alive():
        included |= _on_list(static.pk)
    excluded = Q(pk__in=[])
    for segment in campaign.excluded_segments.alive():
        excluded |= rules_q(user=owner, rules=segment.rules)
    for static in campaign.excluded_lists.alive():
        excluded |= _on_list(static.pk)
    reachable = ~Q(email="") if campaign.channel == CampaignChannel.EMAIL else ~Q(phone="")
    return included & ~excluded & reachable & consented_q(campaign.purpose.key, campaign.channel)


def audience_people(campaign: Campaign) -> Any:
    return Person.objects.alive().visible_to(campaign.owner).filter(audience_q(campaign))


def is_mobile(number: str) -> bool:
    """Whether an E.164 number is a mobile one (a text message reaches it)."""
    try:
        kind = phonenumbers.number_type(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return False
    return kind in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def audience(campaign: Campaign) -> list[Recipient]:
    """The recipients, by person id: for a text message, only E.164 mobile numbers."""
    sms = campaign.channel == CampaignChannel.SMS
    rows = audience_people(campaign).order_by("pk")
    return [
        Recipient(pk, value, language or "", country or "")
        for pk, value, language, country in rows.values_list(
            "pk", "phone" if sms else "email", "preferred_language", "country"
        )
        if not sms or is_mobile(value)
    ]


def still_reachable(campaign: Campaign, rows: Iterable[Delivery]) -> set[int]:
    """The ids of ``rows`` that may still be sent now: their person still consents and
    the address is not suppressed, including as the hash an erased person left (which
    no stored address matches: the address is hashed here)."""
    rows = list(rows)
    by_person = {row.person_id: row.pk for row in rows if row.person_id is not None}
    allowed = Person.objects.alive().filter(
        consented_q(campaign.purpose.key, campaign.channel), pk__in=list(by_person)
    )
    found = {by_person[pk] for pk in allowed.values_list("pk", flat=True)}
    hashes = {address_hash(campaign.channel, row.address.lower()): row.pk for row in rows}
    erased = Suppression.objects.filter(
        channel=campaign.channel, address_hash__in=list(hashes), reason=SuppressionReason.ERASED
    ).values_list("address_hash", flat=True)
    return found - {hashes[h] for h in erased}


class Renderer:
    """Each recipient's ``CampaignEmail`` (see the module's docstring)."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.company = company_fields()
        self.links = {url: number for number, url in campaign.links.values_list("number", "url")}
        self.variants: dict[str, dict[str, CompiledVersion]] = {}
        template = campaign.template
        versions = list(template.versions.all()) if template is not None else []
        for variant in campaign.variants.all():
            if variant.html:
                compiled = CompiledVersion(language="", subject=variant.subject, html=variant.html)
                self.variants[variant.key] = {"": compiled}
            else:
                self.variants[variant.key] = {v.language: compile_version(v) for v in versions}
        self.default_language = template.default_language if template is not None else ""
        self.versions = versions
        self.from_email = campaign.from_email or settings.DEFAULT_FROM_EMAIL
        self.from_name = campaign.from_name or self.company.get("company_name", "")
        self.mailto = settings.CLIENTELA_UNSUBSCRIBE_MAILTO
        self.domain = self.from_email.rpartition("@")[2] or "clientela.invalid"
        self._footers: dict[str, tuple[str, str]] = {}

    def footer(self, language: str) -> tuple[str, str]:
        """The compliance footer a message gets when its template has no unsubscribe
        link: who sends (name and postal address) and the unsubscribe and preferences
        links, in the recipient's language (HTML and text, with link placeholders)."""
        if language not in self._footers:
            with translation.override(language or None):
                self._footers[language] = _footer(self.company)
        return self._footers[language]

    def from_header(self) -> str:
        """The From header: the sender's name and address."""
        return str(Address(display_name=self.from_name, addr_spec=self.from_email))

    def fields_of(self, rows: Iterable[Delivery]) -> dict[int, dict[str, str]]:
        ids = [row.person_id for row in rows if row.person_id is not None]
        return person_merge_fields(user=self.campaign.owner, person_ids=ids)

    def compiled(self, variant: str, language: str) -> CompiledVersion:
        compiled = self.variants.get(variant) or self.variants["A"]
        if "" in compiled:
            return compiled[""]
        chosen = choose_version(self.versions, language, self.default_language)
        return compiled[chosen.language]

    def message(self, row: Delivery, person: Mapping[str, str]) -> CampaignEmail:
        links = {
            "unsubscribe_url": tracking.unsubscribe_url(row.pk),
            "preferences_url": tracking.preferences_url(row.pk),
            "view_online_url": tracking.public_url(f"/m/v/{tracking.delivery_token(row.pk)}/"),
        }
        rendered = self.compiled(row.variant, row.language).render(
            {**self.company, **person, **links}
        )
        html, text = rendered.html, rendered.text
        if links["unsubscribe_url"] not in html:
            footer_html, footer_text = self.footer(row.language)
            html = tracking.before_body_end(html, _fill(footer_html, links, escape=True))
            text = f"{text}\n\n-- \n{_fill(footer_text, links, escape=False)}"
        html = tracking.with_open_pixel(tracking.track_links(html, self.links, row.pk), row.pk)
        return CampaignEmail(
            to=row.address,
            to_name=person.get("full_name", ""),
            from_email=self.from_email,
            from_name=self.from_name,
            envelope_from=verp_address(row.pk),
            subject=rendered.subject,
            text=text,
            html=html,
            message_id=f"{tracking.delivery_token(row.pk)}.{self.campaign.pk}@{self.domain}",
            reply_to=self.campaign.reply_to,
            headers=tracking.unsubscribe_headers(row.pk, self.mailto),
        )


_LINKS = ("unsubscribe_url", "preferences_url")


def _footer(company: Mapping[str, str]) -> tuple[str, str]:
    sender = [company.get("company_name", ""), *company.get("company_address", "").splitlines()]
    sender = [line for line in sender if line.strip()]
    unsubscribe, preferences = _("Unsubscribe"), _("Change your preferences")
    reason = _("You get this e-mail because you agreed to hear from us.")
    html = (
        '<div style="margin-top:24px;font-size:12px;line-height:1.5;color:#666">'
        f"<p>{escape(reason)}<br>"
        f'<a href="{{unsubscribe_url}}">{escape(unsubscribe)}</a> · '
        f'<a href="{{preferences_url}}">{escape(preferences)}</a></p>'
        f"<p>{'<br>'.join(escape(line) for line in sender)}</p></div>"
    )
    text = "\n".join(
        [
            reason,
            f"{unsubscribe}: {{unsubscribe_url}}",
            f"{preferences}: {{preferences_url}}",
            *sender,
        ]
    )
    return html, text


def _fill(footer: str, links: Mapping[str, str], *, escape: bool) -> str:
    for name in _LINKS:
        value = links[name]
        footer = footer.replace("{" + name + "}", html_escape(value) if escape else value)
    return footer
