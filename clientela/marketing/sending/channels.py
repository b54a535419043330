"""How claimed deliveries leave, per channel: an e-mail (``EmailChannel``: the
``Renderer``'s message over a ``Transport``, handed over before its final ".") or a
text message (``SmsChannel``: the variant's text with its merge fields, through the SMS
gateway in core).

A channel opens its connections for a batch (``with channel:``): ``width`` of them,
each carrying one message at a time. The engine sends a round of up to ``width``
messages in steps, each step on every connection before the next, so the server works
on all of them while the worker renders and writes the next: ``start(slot, row,
fields)`` begins a message, ``prepare(slot)`` makes it ready to leave, then the engine
records the round's messages as handed over (one commit), ``hand_over(slot)`` lets each
go and ``outcome(slot)`` reads what became of it. ``start`` and ``prepare`` answer an
``Outcome`` when the message was refused before it could leave."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from django.conf import settings

from clientela.core import sms
from clientela.core.merge_fields import compile_template
from clientela.marketing.choices import CampaignChannel
from clientela.marketing.models import Campaign, Delivery
from clientela.marketing.rendering import MERGE_FIELDS, person_merge_fields
from clientela.marketing.sending.sources import Renderer
from clientela.marketing.sending.transport import Outcome, Transport, TransportDown


class EmailChannel:
    """``settings.CLIENTELA_CAMPAIGN_CONNECTIONS`` SMTP connections when the server
    offers PIPELINING, else one (without it each command waits for its answer anyway,
    and other backends, such as a provider's HTTP API, send each message whole in
    ``hand_over``: a round of them recorded as handed over at once would put more
    messages at risk of being missed by a kill than the one in flight)."""

    def __init__(self, campaign: Campaign) -> None:
        self.renderer = Renderer(campaign)
        self.transports = [Transport() for _ in range(settings.CLIENTELA_CAMPAIGN_CONNECTIONS)]
        self.width = 1

    def fields_of(self, rows: Iterable[Delivery]) -> dict[int, dict[str, str]]:
        return self.renderer.fields_of(rows)

    def __enter__(self) -> EmailChannel:
        first = self.transports[0].__enter__()
        self.width = len(self.transports) if first.raw and first.pipelining else 1
        try:
            for transport in self.transports[1 : self.width]:
                transport.__enter__()
        except TransportDown:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for transport in self.transports[: self.width]:
            transport.__exit__(kind, error, trace)

    def start(self, slot: int, row: Delivery, fields: Mapping[str, str]) -> Outcome | None:
        return self.transports[slot].start(self.renderer.message(row, fields))

    def prepare(self, slot: int) -> Outcome | None:
        return self.transports[slot].write_content()

    def hand_over(self, slot: int) -> None:
        self.transports[slot].hand_over()

    def outcome(self, slot: int) -> Outcome:
        return self.transports[slot].outcome()


class SmsChannel:
    """A text message per recipient: the variant's text, merge fields filled in; one
    at a time (an HTTP provider's answer is the outcome)."""

    width = 1

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.texts = {
            v.key: compile_template(v.body, MERGE_FIELDS, conditions=False)
            for v in campaign.variants.all()
        }
        self.backend = sms.get_backend()
        self._message: sms.SmsMessage | None = None
        self._outcome = Outcome(False, "not handed over")

    def fields_of(self, rows: Iterable[Delivery]) -> dict[int, dict[str, str]]:
        ids = [row.person_id for row in rows if row.person_id is not None]
        return person_merge_fields(user=self.campaign.owner, person_ids=ids)

    def __enter__(self) -> SmsChannel:
        try:
            self.backend.open()
        except OSError as exc:
            raise TransportDown(str(exc)) from exc
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.backend.close()

    def start(self, slot: int, row: Delivery, fields: Mapping[str, str]) -> Outcome | None:
        text = self.texts.get(row.variant) or self.texts["A"]
        body = " ".join(text.render(fields).split(" "))
        self._message = sms.SmsMessage(to=row.address, body=body, reference=f"delivery-{row.pk}")
        return None

    def prepare(self, slot: int) -> Outcome | None:
        return None

    def hand_over(self, slot: int) -> None:
        assert self._message is not None
        # An HTTP provider may have it from here on.
        [result] = self.backend.send_messages([self._message])
        if result.retryable and not result.provider_id:
            raise TransportDown(result.error, left=False)
        self._outcome = Outcome(bool(result.provider_id), result.error or "")

    def outcome(self, slot: int) -> Outcome:
        return self._outcome


def channel_for(campaign: Campaign) -> Any:
    """The campaign's channel, ready to open for a batch."""
    if campaign.channel == CampaignChannel.SMS:
        return SmsChannel(campaign)
    return EmailChannel(campaign)
