"""The user's own activity settings: notifications read, e-mail reminder and birthday
preferences, and the private calendar feed's token."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from clientela.activities.models import ActivityPreferences, Notification
from clientela.core.errors import NotFound
from clientela.core.models import User


def notification_mark_read(*, user: User, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (None: all of them) read; returns how many
    changed. Another user's notification id is simply not found."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        if not Notification.objects.filter(user=user, pk=notification_id).exists():
            raise NotFound()
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())


def activity_preferences_get(*, user: User) -> ActivityPreferences:
    prefs, _created = ActivityPreferences.objects.get_or_create(user=user)
    return prefs


@transaction.atomic
def activity_preferences_update(
    *, user: User, email_reminders: bool, auto_birthday_greetings: bool
) -> ActivityPreferences:
    prefs = activity_preferences_get(user=user)
    prefs.email_reminders = bool(email_reminders)
    prefs.auto_birthday_greetings = bool(auto_birthday_greetings)
    prefs.save(update_fields=["email_reminders", "auto_birthday_greetings"])
    return prefs


def _feed_mac(user_id: int, key: str) -> str:
    return salted_hmac("clientela.calendar-feed", f"{user_id}.{key}").hexdigest()[:32]


def feed_token_for(user_id: int, key: str) -> str:
    """The feed token of a user's current key: ``<user id>.<key>.<HMAC>``. The HMAC
    uses SECRET_KEY, so a leaked database (which holds only the key) yields no working
    feed URL, yet the user's own URL can be shown again at any time."""
    return f"{user_id}.{key}.{_feed_mac(user_id, key)}"


def feed_token_valid(token: str) -> tuple[int, str] | None:
    """(user id, key) if ``token`` carries a valid HMAC, else None."""
    parts = (token or "").split(".")
    if len(parts) != 3 or not parts[0].isdigit() or len(token) > 200:
        return None
    user_id, key, mac = int(parts[0]), parts[1], parts[2]
    if not key or not constant_time_compare(mac, _feed_mac(user_id, key)):
        return None
    return user_id, key


@transaction.atomic
def calendar_feed_token(*, user: User) -> str:
    """The user's current feed token, created on first use."""
    prefs = activity_preferences_get(user=user)
    if not prefs.feed_key:
        prefs.feed_key = secrets.token_urlsafe(24)
        prefs.save(update_fields=["feed_key"])
    return feed_token_for(user.pk, prefs.feed_key)


@transaction.atomic
def calendar_feed_renew(*, user: User) -> str:
    """A new feed token for the user; the previous feed URL stops working at once."""
    prefs = activity_preferences_get(user=user)
    prefs.feed_key = secrets.token_urlsafe(24)
    prefs.save(update_fields=["feed_key"])
    return feed_token_for(user.pk, prefs.feed_key)
