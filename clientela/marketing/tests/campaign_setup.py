"""What the campaign tests share: people with and without consent on a static list, and
a campaign to them, built through the services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clientela.marketing.choices import ConsentSource
from clientela.marketing.models import Campaign, StaticList
from clientela.marketing.services import campaigns as campaigns
from clientela.marketing.services import segments as segments
from clientela.marketing.services.consent import consent_record

HTML = (
    "<html><head><style>p { color: #333 }</style></head><body>"
    "<p>Hola {{ first_name }},</p>"
    '<p><a href="https://shop.example/winter">Winter sale</a> · '
    '<a href="https://shop.example/new">New in</a></p>'
    "</body></html>"
)


@dataclass
class Audience:
    static_list: StaticList
    consenting: list[Any]  # people who agreed to the newsletter by e-mail
    others: list[Any]  # on the list too, but without consent (or without an address)


def consent(actor: Any, person: Any, purpose: str = "newsletter", granted: bool = True) -> None:
    consent_record(
        actor=actor,
        person=person,
        purpose=purpose,
        channel="email",
        granted=granted,
        source=ConsentSource.USER,
        wording_text="Yes, send me the newsletter.",
    )


def audience(actor: Any, person_factory: Any, n: int = 4) -> Audience:
    consenting = [
        person_factory(actor, first_name=f"Ana{i}", email=f"ana{i}@example.com") for i in range(n)
    ]
    for person in consenting:
        consent(actor, person)
    no_consent = person_factory(actor, first_name="Noel", email="noel@example.com")
    withdrawn = person_factory(actor, first_name="Wanda", email="wanda@example.com")
    consent(actor, withdrawn)
    consent(actor, withdrawn, granted=False)
    no_address = person_factory(actor, first_name="Nadia")
    others = [no_consent, withdrawn, no_address]
    static_list = segments.list_create(actor=actor, data={"name": "Newsletter readers"})
    segments.list_add_members(
        actor=actor, static_list=static_list, person_ids=[p.pk for p in consenting + others]
    )
    return Audience(static_list, consenting, others)


def campaign(actor: Any, group: Audience, **data: Any) -> Campaign:
    body: dict[str, Any] = {
        "name": "Winter newsletter",
        "purpose": "newsletter",
        "list_ids": [group.static_list.pk],
        "subject": "Hola {{ first_name }}: winter sale",
        "html": HTML,
        "from_email": "news@shop.example",
        "from_name": "Tienda",
        **data,
    }
    return campaigns.campaign_create(actor=actor, data=body)  # type: ignore[arg-type]


def scheduled(actor: Any, group: Audience, **data: Any) -> Campaign:
    """``campaign(…)``, sent as the user presses "Send" (the worker's turn is next)."""
    created = campaign(actor, group, **data)
    campaigns.campaign_send(actor=actor, campaign=created)
    return created
