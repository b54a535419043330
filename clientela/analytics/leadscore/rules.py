"""The transparent score used while there are too few past leads to learn from (fewer
than 50 converted or disqualified, or fewer than 10 of either): fixed points a reader
can check by hand, each one a reason.

Every lead starts at 20 points and gains:

- its source: referral 25, event 15, web form 10, campaign 10, manual 5;
- a corporate e-mail address 15 (not a free provider's: ``features.FREE_EMAIL_DOMAINS``);
- a senior job title 15 (owner, founder, chief…, director, head, manager… and their
  Spanish words: ``SENIOR_WORDS``);
- a company 10; a phone number 5;
- 5 per interaction logged, at most 20.

The sum is capped at 100. The reasons are the points given, largest first
("+25 Source: Referral").
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from clientela.analytics.leadscore.features import (
    LeadFacts,
    Scored,
    describe,
    email_type,
    title_words,
)

#: The model is trained from this many labelled (converted or disqualified) leads,
#: with at least ``MIN_PER_CLASS`` of each outcome; below, these rules score.
MIN_LABELLED = 50
MIN_PER_CLASS = 10
BASE = 20
SOURCE_POINTS = {"referral": 25, "event": 15, "web_form": 10, "campaign": 10, "manual": 5}
CORPORATE_EMAIL = 15
SENIOR_TITLE = 15
COMPANY = 10
PHONE = 5
PER_INTERACTION, MAX_INTERACTIONS = 5, 20
#: Words of a job title that say the lead decides (folded: no accents).
SENIOR_WORDS = frozenset(
    {
        "owner",
        "founder",
        "cofounder",
        "ceo",
        "cto",
        "cfo",
        "coo",
        "cmo",
        "cio",
        "chief",
        "president",
        "director",
        "head",
        "vp",
        "manager",
        "partner",
        "principal",
        "gerente",
        "directora",
        "jefe",
        "jefa",
        "dueno",
        "duena",
        "fundador",
        "fundadora",
        "socio",
        "socia",
        "presidente",
        "presidenta",
        "propietario",
        "propietaria",
        "responsable",
    }
)


def rules_score(facts: LeadFacts) -> Scored:
    """The lead's score by the rules above, with the points given as reasons."""
    given: list[tuple[int, str]] = []
    source = SOURCE_POINTS.get(facts.source, 0)
    if source:
        given.append((source, describe(f"source={facts.source}")))
    if email_type(facts.email) == "corporate":
        given.append((CORPORATE_EMAIL, describe("email=corporate")))
    senior = next((w for w in title_words(facts.job_title) if w in SENIOR_WORDS), None)
    if senior is not None:
        given.append((SENIOR_TITLE, _("Senior job title (“%(word)s”)") % {"word": senior}))
    if facts.company.strip():
        given.append((COMPANY, describe("has_company")))
    if facts.phone:
        given.append((PHONE, _("Phone number given")))
    interactions = min(MAX_INTERACTIONS, PER_INTERACTION * max(0, facts.interactions))
    if interactions:
        given.append((interactions, describe("interactions", facts)))
    score = min(100, BASE + sum(points for points, _reason in given))
    ordered = sorted(given, key=lambda g: -g[0])
    return Scored(score, [f"+{points} {reason}" for points, reason in ordered])


def choose_method(converted: int, disqualified: int) -> tuple[str, str]:
    """``("model", "")`` when there is enough to learn from, else ``("rules", why)``
    with why ``few_labelled`` (fewer than 50 converted or disqualified leads) or
    ``few_of_one`` (fewer than 10 of either outcome)."""
    if converted + disqualified < MIN_LABELLED:
        return "rules", "few_labelled"
    if min(converted, disqualified) < MIN_PER_CLASS:
        return "rules", "few_of_one"
    return "model", ""
