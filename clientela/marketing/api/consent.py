"""``/people/{id}/consents`` (a person's current consents and history; recording a
grant or withdrawal), and what ``core.api.records`` needs to serve
``/consent-purposes`` from the kind's declaration in ``marketing.kinds``. A person the
token's user may not see is a 404; recording needs the update right on people."""

from __future__ import annotations

import datetime
from typing import Annotated

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Status

from clientela.core.api import CHANGE_ERRORS, DETAIL_ERRORS, PageParams, api_user, require_scope
from clientela.core.api.schemas import Flag, InputSchema, OutputSchema, RecordId, omissible
from clientela.marketing.choices import ConsentChannel, ConsentSource, LegalBasis
from clientela.marketing.models import ConsentEvent, ConsentPurpose, ConsentState
from clientela.marketing.selectors import consent as selectors
from clientela.marketing.services import consent as services

router = Router(tags=["consents"])
READ, WRITE = "marketing:read", "marketing:write"


# --- purposes (the kind) ----------------------------------------------------------------


class PurposeIn(InputSchema):
    key: Annotated[str, Field(max_length=50, pattern=r"^[a-z0-9][a-z0-9_-]*$")] = omissible(
        "Required on create, then fixed: lower-case letters, digits, - and _."
    )
    name: Annotated[str, Field(max_length=100)] = omissible("Required on create.")
    description: Annotated[str, Field(max_length=300)] = omissible()
    active: Flag = omissible("Inactive purposes take no new consent (default true).")
    order: Annotated[int, Field(ge=0, le=32767)] = omissible("Position in lists.")


class PurposeOut(OutputSchema):
    id: int
    key: str
    name: str
    description: str
    active: bool
    order: int


def purpose_out(purpose: ConsentPurpose) -> PurposeOut:
    return PurposeOut(
        id=purpose.pk,
        key=purpose.key,
        name=purpose.name,
        description=purpose.description,
        active=purpose.active,
        order=purpose.order,
    )


def purposes_query(request: HttpRequest, params: PageParams) -> QuerySet[ConsentPurpose]:
    return selectors.purpose_list(user=api_user(request))


PURPOSE_DOCS = {
    "list": "The consent purposes in their order (admins also see inactive ones).",
    "create": "A new purpose (admins; 403 for anyone else).",
    "get": "One purpose.",
    "update": "Rename, describe, reorder or (de)activate a purpose (admins); the key stays.",
    "delete": "Delete a purpose nobody consented to yet (admins); else deactivate it.",
}


# --- a person's consents ----------------------------------------------------------------


class ConsentStateOut(OutputSchema):
    purpose: str
    channel: ConsentChannel
    granted: bool = Field(description="Whether it counts as consent now.")
    since: datetime.datetime
    confirmed: bool = Field(description="Confirmed by double opt-in.")
    pending: bool = Field(description="A double opt-in link is waiting to be clicked.")


class ConsentEventOut(OutputSchema):
    id: int
    purpose: str
    channel: ConsentChannel
    granted: bool
    source: ConsentSource
    legal_basis: LegalBasis
    wording: str | None
    wording_sha256: str | None
    ip: str | None
    user_agent: str
    reference: str = Field(description="Where more proof is kept (an import: its job and file).")
    actor_id: int | None
    at: datetime.datetime
    pending: bool
    confirms_id: int | None
    confirmed_at: datetime.datetime | None


class ConsentsOut(OutputSchema):
    current: list[ConsentStateOut]
    history: list[ConsentEventOut]


class ConsentIn(InputSchema):
    purpose: str = Field(max_length=50, description="A purpose's key (newsletter, offers…).")
    channel: ConsentChannel
    granted: Flag
    source: ConsentSource
    wording: str = Field("", max_length=10000, description="The exact text the person saw.")
    legal_basis: LegalBasis = LegalBasis.CONSENT
    double_opt_in: Flag = Field(
        False, description="E-mail a confirmation link; the grant counts once it is clicked."
    )
    ip: str = Field("", max_length=45, description="The IP address the form was sent from.")
    user_agent: str = Field("", max_length=500, description="The browser that sent it.")


def state_out(state: ConsentState) -> ConsentStateOut:
    return ConsentStateOut(
        purpose=state.purpose.key,
        channel=ConsentChannel(state.channel),
        granted=state.granted,
        since=state.since,
        confirmed=state.confirmed,
        pending=state.pending,
    )


def event_out(event: ConsentEvent) -> ConsentEventOut:
    wording = event.wording
    return ConsentEventOut(
        id=event.pk,
        purpose=event.purpose.key,
        channel=ConsentChannel(event.channel),
        granted=event.granted,
        source=ConsentSource(event.source),
        legal_basis=LegalBasis(event.legal_basis),
        wording=wording.text if wording else None,
        wording_sha256=wording.sha256 if wording else None,
        ip=event.ip,
        user_agent=event.user_agent,
        reference=event.reference,
        actor_id=event.actor_id,
        at=event.at,
        pending=event.pending,
        confirms_id=event.confirms_id,
        confirmed_at=event.confirmed_at,
    )


@router.get("/people/{person_id}/consents", response={200: ConsentsOut, **DETAIL_ERRORS})
@require_scope(READ)
def list_consents(request: HttpRequest, person_id: RecordId) -> ConsentsOut:
    """Where the person's consents stand per purpose and channel, and every grant,
    withdrawal and confirmation, newest first (at most 200)."""
    user = api_user(request)
    person = selectors.consent_person(user=user, pk=person_id)
    return ConsentsOut(
        current=[state_out(s) for s in selectors.consent_current(user=user, person=person)],
        history=[event_out(e) for e in selectors.consent_history(user=user, person=person)],
    )


@router.post("/people/{person_id}/consents", response={201: ConsentEventOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def record_consent(
    request: HttpRequest, person_id: RecordId, payload: ConsentIn
) -> Status[ConsentEventOut]:
    """Record a grant or withdrawal (the update right on people). A withdrawal also
    suppresses the person's address for the purpose; with ``double_opt_in`` a grant
    by e-mail is pending until the person clicks the link e-mailed to them."""
    user = api_user(request)
    person = selectors.consent_person(user=user, pk=person_id)
    event = services.consent_record(
        actor=user,
        person=person,
        purpose=payload.purpose,
        channel=payload.channel,
        granted=payload.granted,
        source=payload.source,
        legal_basis=payload.legal_basis,
        wording_text=payload.wording,
        double_opt_in=payload.double_opt_in,
        ip=payload.ip,
        user_agent=payload.user_agent,
    )
    return Status(201, event_out(event))
