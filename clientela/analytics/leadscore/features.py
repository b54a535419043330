"""What a lead is, to the lead scoring: ``LeadFacts`` (plain values, no database) and
``features(facts)``, the feature dict a ``DictVectorizer`` turns into a row, plus
``describe`` that says a feature in plain words ("Source: Referral").

The features (issue 13, item 7):

- ``source``: the lead's source (web form, referral, event…), one-hot;
- ``company``: the company name (folded: case and accents ignored), one-hot, so that
  a company whose leads converted before counts; ``has_company``: 1 when one is given;
- ``title:<word>``: each word of the job title ("director", "marketing"), folded;
- ``email``: the e-mail domain's type, ``free`` (gmail.com, hotmail.com…: the list
  below), ``corporate`` or ``none``;
- ``country``: the ISO country of the phone number (its calling code), or ``unknown``;
- ``interactions``: the interactions logged on the lead (log(1 + n)).

Two inputs the issue names do not exist yet and are left out, not faked: the
``campaign`` a lead came from and its ``form_submissions`` come with the marketing
module. ``LeadFacts`` has their slots (None: unknown); once given, they become the
features ``campaign`` (one-hot) and ``form_submissions`` (log(1 + n)).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_countries import countries

from clientela.core.normalize import fold
from clientela.sales.choices import LeadSource

#: Free e-mail providers: an address there says nothing about an employer. The big
#: international ones and the common ones of Spain and Latin America.
FREE_EMAIL_DOMAINS = frozenset(
    {
        "aol.com",
        "gmail.com",
        "googlemail.com",
        "gmx.com",
        "gmx.de",
        "gmx.es",
        "gmx.net",
        "hotmail.com",
        "hotmail.es",
        "hotmail.fr",
        "hotmail.co.uk",
        "icloud.com",
        "live.com",
        "mac.com",
        "mail.com",
        "me.com",
        "msn.com",
        "outlook.com",
        "outlook.es",
        "proton.me",
        "protonmail.com",
        "terra.com",
        "terra.es",
        "telefonica.net",
        "web.de",
        "yahoo.com",
        "yahoo.es",
        "yahoo.com.ar",
        "yahoo.com.mx",
        "yandex.com",
        "ymail.com",
        "zoho.com",
    }
)
#: Words of a job title too common to say anything.
TITLE_STOPWORDS = frozenset(
    {"and", "of", "the", "for", "in", "at", "de", "del", "la", "las", "el", "los", "y", "e", "en"}
)
_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Scored:
    """A lead's score, 0–100, and its reasons in plain words, strongest first, each
    starting with + (raises the score) or − (lowers it)."""

    score: int
    reasons: list[str]


@dataclass(frozen=True)
class LeadFacts:
    """A lead as the scoring sees it. ``interactions`` counts the interactions logged
    on it (for a closed lead, those before it closed). ``campaign`` and
    ``form_submissions`` are None while Clientela has no campaigns nor forms."""

    source: str = ""
    company: str = ""
    job_title: str = ""
    email: str = ""
    phone: str = ""
    interactions: int = 0
    campaign: str | None = None
    form_submissions: int | None = None


def email_type(email: str) -> str:
    """``free``, ``corporate`` or ``none``."""
    domain = email.rpartition("@")[2].strip().lower()
    if not email or not domain:
        return "none"
    return "free" if domain in FREE_EMAIL_DOMAINS else "corporate"


def country_of(phone: str) -> str:
    """The ISO code of the country of an E.164 phone number, or ``unknown``."""
    if not phone:
        return "unknown"
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return "unknown"
    region = phonenumbers.region_code_for_number(number)
    return region if region and region != "ZZ" else "unknown"


def title_words(title: str) -> list[str]:
    """The words of a job title, folded, without the filler ones, each once."""
    words = (w for w in _WORD.findall(fold(title)) if len(w) > 1 and w not in TITLE_STOPWORDS)
    return list(dict.fromkeys(words))


def features(facts: LeadFacts) -> dict[str, str | float]:
    """The lead's feature dict: strings are one-hot (``DictVectorizer`` names them
    ``source=referral``), numbers are taken as they are."""
    found: dict[str, str | float] = {
        "source": facts.source or "other",
        "email": email_type(facts.email),
        "country": country_of(facts.phone),
        "interactions": math.log1p(max(0, facts.interactions)),
        "has_company": 1.0 if facts.company.strip() else 0.0,
    }
    company = " ".join(fold(facts.company).split())
    if company:
        found["company"] = company
    for word in title_words(facts.job_title):
        found[f"title:{word}"] = 1.0
    if facts.campaign is not None:
        found["campaign"] = facts.campaign
    if facts.form_submissions is not None:
        found["form_submissions"] = math.log1p(max(0, facts.form_submissions))
    return found


def _source(value: str, facts: LeadFacts | None) -> str:
    try:
        label = str(LeadSource(value).label)
    except ValueError:
        label = value
    return _("Source: %(source)s") % {"source": label}


def _email(value: str, facts: LeadFacts | None) -> str:
    return {
        "free": _("Free e-mail domain"),
        "corporate": _("Corporate e-mail domain"),
    }.get(value, _("No e-mail address"))


def _country(value: str, facts: LeadFacts | None) -> str:
    if value == "unknown":
        return _("Country unknown (no phone number with a country code)")
    return _("Country: %(country)s") % {"country": countries.name(value) or value}


def _company(value: str, facts: LeadFacts | None) -> str:
    shown = facts.company.strip() if facts is not None and facts.company.strip() else value
    return _("Company: %(company)s") % {"company": shown}


def _has_company(value: str, facts: LeadFacts | None) -> str:
    if facts is not None and not facts.company.strip():
        return _("No company given")
    return _("Company given")


def _interactions(value: str, facts: LeadFacts | None) -> str:
    if facts is None:
        return _("Interactions logged")
    if facts.interactions == 0:
        return _("No interactions logged")
    return ngettext("%(n)s interaction logged", "%(n)s interactions logged", facts.interactions) % {
        "n": facts.interactions
    }


def _campaign(value: str, facts: LeadFacts | None) -> str:
    return _("Campaign: %(campaign)s") % {"campaign": value}


def _form_submissions(value: str, facts: LeadFacts | None) -> str:
    if facts is None or facts.form_submissions is None:
        return _("Forms submitted")
    return ngettext("%(n)s form submitted", "%(n)s forms submitted", facts.form_submissions) % {
        "n": facts.form_submissions
    }


_DESCRIBE = {
    "source": _source,
    "email": _email,
    "country": _country,
    "company": _company,
    "has_company": _has_company,
    "interactions": _interactions,
    "campaign": _campaign,
    "form_submissions": _form_submissions,
}


def describe(name: str, facts: LeadFacts | None = None) -> str:
    """A feature of the vectorizer (``source=referral``, ``title:director``,
    ``interactions``) in plain words, in the active language; ``facts`` gives the
    lead's own values (the company as typed, how many interactions)."""
    key, _eq, value = name.partition("=")
    if key.startswith("title:"):
        return _("Job title: “%(word)s”") % {"word": key.removeprefix("title:")}
    words = _DESCRIBE.get(key)
    return words(value, facts) if words is not None else name
