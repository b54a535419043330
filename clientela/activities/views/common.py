"""What the activities pages share: the icon of each kind of timeline entry."""

from __future__ import annotations

from clientela.activities.choices import InteractionChannel

#: Bootstrap icon of each interaction channel and of the other timeline entries.
CHANNEL_ICONS: dict[str, str] = {
    InteractionChannel.NOTE: "bi-journal-text",
    InteractionChannel.CALL: "bi-telephone",
    InteractionChannel.EMAIL: "bi-envelope",
    InteractionChannel.MEETING: "bi-people",
    InteractionChannel.LETTER: "bi-mailbox",
    InteractionChannel.SMS: "bi-phone",
    InteractionChannel.CHAT: "bi-chat-dots",
    InteractionChannel.WEB_FORM: "bi-ui-checks",
    "task": "bi-check2-square",
    "appointment": "bi-calendar-event",
    "history": "bi-clock-history",
}
