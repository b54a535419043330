"""Every write to interactions (calls, e-mails, meetings, notes) and their attachments."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import validation as v
from clientela.activities.choices import Direction, InteractionChannel
from clientela.activities.models import Attachment, Interaction
from clientela.activities.services.common import (
    LinkData,
    apply_links,
    assign_owner,
    full_clean,
    links_snapshot,
    lock,
)
from clientela.core.models import User
from clientela.core.services import record_create, record_restore, record_trash, record_update
from clientela.core.validation import (
    Errors,
    add,
    clean_datetime,
    clean_text,
    clean_users,
    raise_errors,
)


class InteractionData(LinkData, total=False):
    channel: str
    direction: str
    occurred_at: datetime.datetime
    duration_minutes: int | None
    subject: str
    body: str
    outcome: str
    is_private: bool
    attachments: list[UploadedFile[bytes]]
    #: An e-mail's headers (``services.emails`` and the inbound log set them).
    message_id: str
    in_reply_to: str
    thread_key: str
    #: Whom it is logged for (the actor by default): the user a workflow rule's e-mail
    #: went out in the name of (``email_send(sender_user=…)``).
    owner_id: int


INTERACTION_TEXT = ("subject", "body", "outcome")
MESSAGE_FIELDS = ("message_id", "in_reply_to", "thread_key")


def interaction_snapshot(interaction: Interaction) -> dict[str, Any]:
    snap: dict[str, Any] = {
        name: getattr(interaction, name)
        for name in (
            "channel",
            "direction",
            "occurred_at",
            "duration_minutes",
            *INTERACTION_TEXT,
            "is_private",
        )
    }
    snap.update(links_snapshot(interaction))
    snap["attachments"] = sorted(a.name for a in interaction.attachments.all())
    return snap


@contextmanager
def _stored_files() -> Iterator[list[str]]:
    """Names of files written to storage inside the block, deleted again when the
    block fails. Services wrap their whole transaction in it, so a write that is
    rolled back leaves no orphan files. (Django has no rollback hook: a caller's outer
    transaction rolled back later cannot be seen here.)"""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


def _clean_fields(interaction: Interaction, data: InteractionData, errors: Errors) -> None:
    for name, value in clean_text(Interaction, data, INTERACTION_TEXT, errors).items():
        setattr(interaction, name, value)
    if "channel" in data:
        if data["channel"] not in InteractionChannel.values:
            add(errors, "channel", _("Choose a channel."))
        else:
            interaction.channel = data["channel"]
    if "direction" in data:
        if data["direction"] not in Direction.values:
            add(errors, "direction", _("Choose inbound or outbound."))
        else:
            interaction.direction = data["direction"]
    if "occurred_at" in data or interaction.pk is None:
        when = data.get("occurred_at") or timezone.now()
        occurred = clean_datetime(when, "occurred_at", errors, required=True)
        if occurred is not None:
            interaction.occurred_at = occurred
    if "duration_minutes" in data:
        minutes = data["duration_minutes"]
        if minutes is not None and (type(minutes) is not int or not 0 <= minutes <= 100_000):
            add(errors, "duration_minutes", _("Enter a number of minutes."))
        else:
            interaction.duration_minutes = minutes
    if "is_private" in data:
        interaction.is_private = bool(data["is_private"])
    _set_message_fields(interaction, data)


def _set_message_fields(interaction: Interaction, data: InteractionData) -> None:
    for name in MESSAGE_FIELDS:
        if name in data:
            setattr(interaction, name, str(data[name] or "")[:255])  # type: ignore[literal-required]


def _save_interaction(
    actor: User, interaction: Interaction, data: InteractionData, stored: list[str]
) -> None:
    errors: Errors = {}
    _clean_fields(interaction, data, errors)
    people = apply_links(actor, interaction, data, errors)
    files = v.clean_attachments(data["attachments"], errors) if data.get("attachments") else []
    full_clean(interaction, errors)
    raise_errors(errors)
    interaction.save()
    if people is not None:
        interaction.people.set(people)
    for upload in files:
        attachment = Attachment(
            interaction=interaction,
            name=(upload.name or "file")[:200],
            size=upload.size or 0,
            content_type=v.content_type_of(upload),
        )
        attachment.file.save(upload.name or "file", upload, save=False)
        stored.append(str(attachment.file.name))
        attachment.save()


def _create_interaction(
    actor: User, interaction: Interaction, data: InteractionData, stored: list[str]
) -> None:
    # The owner and the channel are checked first: without them the rest is moot.
    errors: Errors = {}
    owner = actor
    if "owner_id" in data:
        users = clean_users([data["owner_id"]], "owner_id", errors)
        owner = users[0] if users else actor
    assign_owner(actor, interaction, owner, errors)
    if "channel" not in data:
        add(errors, "channel", _("Choose a channel."))
    if errors:
        raise ValidationError(errors)
    _save_interaction(actor, interaction, data, stored)


def interaction_create(*, actor: User, data: InteractionData) -> Interaction:
    with _stored_files() as stored:
        return record_create(
            actor=actor,
            record=Interaction(),
            data=data,
            apply=lambda actor, record, data: _create_interaction(actor, record, data, stored),
            snapshot=interaction_snapshot,
        )


def interaction_update(
    *,
    actor: User,
    interaction: Interaction,
    data: InteractionData,
    expected_version: int | None = None,
) -> Interaction:
    with _stored_files() as stored:
        return record_update(
            actor=actor,
            record=interaction,
            data=data,
            apply=lambda actor, record, data: _save_interaction(actor, record, data, stored),
            snapshot=interaction_snapshot,
            expected_version=expected_version,
            lock=lock,
        )


def interaction_trash(
    *, actor: User, interaction: Interaction, expected_version: int | None = None
) -> None:
    with transaction.atomic():
        lock(interaction, actor, "delete")
        record_trash(actor=actor, record=interaction, expected_version=expected_version)


def interaction_restore(*, actor: User, interaction: Interaction) -> None:
    """Back from the trash, onto the timeline again (its deleter or an admin)."""
    record_restore(actor=actor, record=interaction, reindex=lambda record: None)
