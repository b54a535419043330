"""The domain events of marketing (``core.events``): ``form.submitted``, a visitor's
accepted submission of a web-to-lead form (the lead it created is a ``lead.created``
of its own, emitted before it)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema

from clientela.core.events import EventType, register_event_type
from clientela.core.events.outbox import emit
from clientela.core.events.records import jsonable

#: The "resource" of a submission's events (submissions are no kind of their own).
SUBMISSION = "marketing.form_submission"


class FormSubmittedData(Schema):
    """``data`` of ``form.submitted``."""

    id: int
    form_id: int
    form_name: str
    lead_id: int | None
    person_id: int | None
    values: dict[str, Any]
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    referrer: str
    at: datetime.datetime


def register() -> None:
    register_event_type(
        EventType(
            name="form.submitted",
            description=_(
                "A visitor submitted a web-to-lead form; values holds what they entered by "
                "field key, lead_id the lead it created."
            ),
            schema=FormSubmittedData.model_json_schema(),
            resource=SUBMISSION,
        )
    )


def emit_form_submitted(submission: Any) -> None:
    """Called by ``form_submit`` inside its transaction, once the submission is saved."""
    data = FormSubmittedData(
        id=submission.pk,
        form_id=submission.form_id,
        form_name=submission.form.name,
        lead_id=submission.lead_id,
        person_id=submission.person_id,
        values=submission.data,
        utm_source=submission.utm_source,
        utm_medium=submission.utm_medium,
        utm_campaign=submission.utm_campaign,
        utm_term=submission.utm_term,
        utm_content=submission.utm_content,
        referrer=submission.referrer,
        at=submission.at,
    )
    emit("form.submitted", resource=SUBMISSION, record_id=submission.pk, data=jsonable(data))
