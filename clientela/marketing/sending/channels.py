"""How one claimed delivery leaves, per channel: an e-mail (``EmailChannel``: the
``Renderer``'s message over the ``Transport``, handed over before its final ".") or a
text message (``SmsChannel``: the variant's text with its merge fields, through the SMS
gateway in core). Both open one connection for a batch (``with channel:``) and answer an
``Outcome`` per delivery; ``handed()`` is called at the moment the message may have
left, which the engine records before it can be lost."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any

from clientela.core import sms
from clientela.core.merge_fields import compile_template
from clientela.marketing.choices import CampaignChannel
from clientela.marketing.models import Campaign, Delivery
from clientela.marketing.rendering import MERGE_FIELDS, person_merge_fields
from clientela.marketing.sending.sources import Renderer
from clientela.marketing.sending.transport import Outcome, Transport, TransportDown


class EmailChannel:
    def __init__(self, campaign: Campaign) -> None:
        self.renderer = Renderer(campaign)
        self.transport = Transport()

    def fields_of(self, rows: Iterable[Delivery]) -> dict[int, dict[str, str]]:
        return self.renderer.fields_of(rows)

    def __enter__(self) -> EmailChannel:
        self.transport.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.transport.__exit__(kind, error, trace)

    def deliver(
        self, row: Delivery, fields: Mapping[str, str], handed: Callable[[], None]
    ) -> Outcome:
        return self.transport.send(self.renderer.message(row, fields), handed)


class SmsChannel:
    """A text message per recipient: the variant's text, merge fields filled in."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.texts = {
            v.key: compile_template(v.body, MERGE_FIELDS, conditions=False)
            for v in campaign.variants.all()
        }
        self.backend = sms.get_backend()

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

    def deliver(
        self, row: Delivery, fields: Mapping[str, str], handed: Callable[[], None]
    ) -> Outcome:
        text = self.texts.get(row.variant) or self.texts["A"]
        body = " ".join(text.render(fields).split(" "))
        handed()  # an HTTP provider may have it from here on
        [result] = self.backend.send_messages(
            [sms.SmsMessage(to=row.address, body=body, reference=f"delivery-{row.pk}")]
        )
        if result.retryable and not result.provider_id:
            raise TransportDown(result.error, left=False)
        return Outcome(bool(result.provider_id), result.error or "")


def channel_for(campaign: Campaign) -> Any:
    """The campaign's channel, ready to open for a batch."""
    if campaign.channel == CampaignChannel.SMS:
        return SmsChannel(campaign)
    return EmailChannel(campaign)
