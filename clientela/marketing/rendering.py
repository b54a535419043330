"""An e-mail template filled in for one person: the subject, the HTML with its CSS
inlined for mail clients, and the plain-text part made from the HTML.

Campaigns render a template for 100,000 recipients, so the work is split:

* ``compile_version(version)`` once per template version: both merge-field templates
  checked and compiled (``core.merge_fields``); for an HTML body without ``{% … %}``
  the CSS is inlined and the text part made once, on the template itself (each merge
  field stood in by a word the tools leave alone, then put back), so a recipient costs
  three Jinja renders; a body with conditions is inlined and converted per recipient
  (a condition between table rows is no HTML an inliner keeps in place);
* ``person_merge_fields(user=…, person_ids=…)`` once per batch of recipients: one query
  for the people with their organization and owner, through the contacts selector;
* ``CompiledVersion.render(fields)`` per recipient.

``render_email(template_or_version, person_fields, extra)`` does all three for one
e-mail (the preview, a test send).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import css_inline
from django.db.models import F, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from markupsafe import Markup, escape

from clientela.contacts.models import Membership
from clientela.contacts.selectors import person_list
from clientela.core import company
from clientela.core.inbound.parsing import html_to_text
from clientela.core.merge_fields import MergeTemplate, compile_template
from clientela.marketing.models import EmailTemplate, TemplateVersion

#: A person's own fields, filled by ``person_merge_fields``.
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "email",
    "organization",
    "owner_name",
    "owner_signature",
)
#: Who sends: ``company_fields``.
COMPANY_FIELDS = ("company_name", "company_address")
#: What a campaign fills per recipient (its signed links); a preview shows "#".
CAMPAIGN_FIELDS = ("unsubscribe_url", "preferences_url", "view_online_url")
MERGE_FIELDS = PERSON_FIELDS + COMPANY_FIELDS + CAMPAIGN_FIELDS
#: What each merge field is, for the template form's list.
FIELD_HELP: dict[str, Any] = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "full_name": _("Full name"),
    "email": _("E-mail address"),
    "organization": _("Organization (the primary one)"),
    "owner_name": _("Name of the person's owner"),
    "owner_signature": _("Owner's signature: name, company, e-mail"),
    "company_name": _("Your company's name"),
    "company_address": _("Your company's postal address (for the footer)"),
    "unsubscribe_url": _("Unsubscribe link (filled by the campaign)"),
    "preferences_url": _("Preferences link (filled by the campaign)"),
    "view_online_url": _("View online link (filled by the campaign)"),
}
#: Fields of several lines: in HTML their lines are joined with ``<br>``.
MULTI_LINE = ("owner_signature", "company_address")

_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
#: A field's stand-in while the tools work on the template: an address, so that a field
#: in a link's ``href`` is kept by the text conversion as a link's would be.
_STAND_IN = "https://clientela-merge-field-{}.invalid/"
_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.DOTALL)


@dataclass(frozen=True)
class Rendered:
    """One e-mail's parts, ready for ``EmailMultiAlternatives``."""

    subject: str
    html: str
    text: str


def _inline(html: str) -> str:
    try:
        return _INLINER.inline(html)
    except ValueError:  # CSS it cannot read: the mail goes as written
        return html


def _stand_ins(source: str) -> tuple[str, list[tuple[str, str]]] | None:
    """``source`` with each ``{{ … }}`` replaced by a word no HTML tool touches, and the
    (word, expression) pairs; None when the template has statements."""
    if "{%" in source or "{#" in source:
        return None
    found = _EXPRESSION.findall(source)
    pairs = [(_STAND_IN.format(n), expression) for n, expression in enumerate(found)]
    parts = _EXPRESSION.split(source)
    words = [word for word, _expression in pairs]
    joined = "".join(p + (words[n] if n < len(words) else "") for n, p in enumerate(parts))
    return joined, pairs


def _put_back(converted: str, pairs: list[tuple[str, str]]) -> str | None:
    """``converted`` with the expressions back in place of their words; None when the
    conversion moved or dropped one (a field where HTML allows no text)."""
    positions = [converted.find(word) for word, _expression in pairs]
    if any(converted.count(word) != 1 for word, _expression in pairs):
        return None
    if positions != sorted(positions):
        return None
    for word, expression in pairs:
        converted = converted.replace(word, expression)
    return converted


class CompiledVersion:
    """A template version checked and compiled once; ``render(fields)`` per person."""

    def __init__(self, *, language: str, subject: str, html: str) -> None:
        self.language = language
        self._subject = compile_template(subject, MERGE_FIELDS)
        # The template is checked as written (its problems' lines are the user's).
        self._html = compile_template(html, MERGE_FIELDS, html=True)
        self._text: MergeTemplate | None = None
        stood_in = _stand_ins(html)
        inlined = text = None
        if stood_in is not None:
            source, pairs = stood_in
            inlined = _put_back(_inline(source), pairs)
            text = _put_back(html_to_text(source), pairs)
        self._inline_each = inlined is None
        if inlined is not None:
            self._html = compile_template(inlined, MERGE_FIELDS, html=True)
        if text is not None:
            self._text = compile_template(text, MERGE_FIELDS)

    def render(self, fields: Mapping[str, str]) -> Rendered:
        subject = " ".join(self._subject.render(fields).split())
        body = self._html.render({**fields, **_html_lines(fields)})
        if self._inline_each:
            body = _inline(body)
        text = self._text.render(fields) if self._text is not None else html_to_text(body)
        return Rendered(subject=subject, html=body, text=text)


def _html_lines(fields: Mapping[str, str]) -> dict[str, str]:
    return {
        name: Markup("<br>").join(escape(line) for line in str(fields[name]).splitlines())
        for name in MULTI_LINE
        if name in fields
    }


def compile_version(version: TemplateVersion) -> CompiledVersion:
    """``version`` compiled (``TemplateProblem`` if it was saved broken some other way)."""
    return CompiledVersion(language=version.language, subject=version.subject, html=version.html)


def choose_version(
    versions: Iterable[TemplateVersion], language: str, default_language: str
) -> TemplateVersion:
    """The version in ``language``, else the one in ``default_language``, else any."""
    by_language = {v.language: v for v in versions}
    chosen = by_language.get(language) or by_language.get(default_language)
    if chosen is None:
        chosen = next(iter(by_language.values()))
    return chosen


# --- the merge fields ------------------------------------------------------------------


def company_fields() -> dict[str, str]:
    """Who sends, from the company profile (``core.company``)."""
    profile = company.profile()
    return {
        "company_name": company.company_name(),
        "company_address": "\n".join(profile.address_lines),
    }


def _signature(name: str, email: str, company_name: str) -> str:
    return "\n".join(part for part in (name, company_name, email) if part)


def person_merge_fields(*, user: Any, person_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """The merge fields of the people of ``person_ids`` that ``user`` may see (one query;
    the others are left out), by id, with the company's fields and the person's
    language under ``"language"``."""
    primary = Membership.objects.filter(person=OuterRef("pk")).order_by(
        "-is_primary", "organization__name", "id"
    )
    rows = (
        person_list(user=user)
        .prefetch_related(None)
        .filter(pk__in=list(person_ids))
        .annotate(
            organization_name=Subquery(primary.values("organization__name")[:1]),
            owner_first=F("owner__first_name"),
            owner_last=F("owner__last_name"),
            owner_username=F("owner__username"),
            owner_email=F("owner__email"),
        )
        .values(
            "pk",
            "first_name",
            "last_name",
            "email",
            "preferred_language",
            "organization_name",
            "owner_first",
            "owner_last",
            "owner_username",
            "owner_email",
        )
    )
    shared = company_fields()
    found: dict[int, dict[str, str]] = {}
    for row in rows:
        owner = " ".join(p for p in (row["owner_first"], row["owner_last"]) if p)
        owner = owner or row["owner_username"]
        full = " ".join(p for p in (row["first_name"], row["last_name"]) if p)
        found[row["pk"]] = {
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "full_name": full,
            "email": row["email"],
            "organization": row["organization_name"] or "",
            "owner_name": owner,
            "owner_signature": _signature(owner, row["owner_email"], shared["company_name"]),
            "language": row["preferred_language"],
            **shared,
        }
    return found


def render_email(
    template_or_version: EmailTemplate | TemplateVersion,
    person_fields: Mapping[str, str],
    extra: Mapping[str, str] | None = None,
) -> Rendered:
    """One e-mail: for a template, the version in the person's language
    (``person_fields["language"]``) else the template's default; ``extra`` fills or
    overrides fields (a campaign's links). For many recipients compile once
    (``compile_version``) and call ``render`` per person instead."""
    if isinstance(template_or_version, EmailTemplate):
        version = choose_version(
            template_or_version.versions.all(),
            person_fields.get("language", ""),
            template_or_version.default_language,
        )
    else:
        version = template_or_version
    fields = {**company_fields(), **person_fields, **(extra or {})}
    return compile_version(version).render(fields)
