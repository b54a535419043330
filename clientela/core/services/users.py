"""The administration of users: every write of the settings pages' Users section,
each admin-only, validated whole before anything is written, and audited (the Teams
and Roles sections' writes are in ``teams`` and ``roles``).

Users are never deleted (their records, history and audit entries name them): they
are deactivated, which ends their sessions (Django's backend refuses inactive users on
every request) and their API tokens (``core.api.auth`` checks the user too). There is
always at least one active admin: no admin deactivates themself, and the last one can
neither be deactivated nor lose the admin role.
"""

from __future__ import annotations

import logging
from typing import Any, TypedDict
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from clientela.core import company, two_factor
from clientela.core.audit import changes_between, created_changes, record_audit
from clientela.core.choices import AuditAction, Language, RoleKey
from clientela.core.models import Role, Team, User
from clientela.core.models.accounts import validate_time_zone
from clientela.core.normalize import normalize_email
from clientela.core.permissions import forget_rights
from clientela.core.services.records import _require_admin

log = logging.getLogger(__name__)

Errors = dict[str, list[str]]


def _add(errors: Errors, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


# --- users ----------------------------------------------------------------------------


class UserData(TypedDict, total=False):
    """What an admin sets on a user (the invitation form and the user's page)."""

    username: str
    email: str
    first_name: str
    last_name: str
    role: Role | None
    team: Team | None
    language: str
    time_zone: str


def user_snapshot(user: User) -> dict[str, Any]:
    """The audited values of a user (role and team by their stored names)."""
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role.name if user.role_id and user.role else None,
        "team": user.team.name if user.team_id and user.team else None,
        "language": user.language,
        "time_zone": user.time_zone,
        "is_active": user.is_active,
    }


def _clean_text(errors: Errors, key: str, value: Any, limit: int) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        _add(errors, key, _("Enter text."))
    elif len(text) > limit:
        _add(errors, key, _("At most %(limit)d characters.") % {"limit": limit})
    return text


def _clean_email(errors: Errors, user: User, value: Any) -> str:
    try:
        address = normalize_email(value)
    except ValidationError as exc:
        errors.setdefault("email", []).extend(exc.messages)
        return ""
    if User.objects.filter(email__iexact=address).exclude(pk=user.pk).exists():
        _add(errors, "email", _("Another user already has this e-mail address."))
    return address


def _clean_username(errors: Errors, user: User, value: str) -> str:
    username = value.strip()
    try:
        User.username_validator(username)
    except ValidationError as exc:
        errors.setdefault("username", []).extend(exc.messages)
        return username
    if len(username) > 150:
        _add(errors, "username", _("At most %(limit)d characters.") % {"limit": 150})
    elif User.objects.filter(username__iexact=username).exclude(pk=user.pk).exists():
        _add(errors, "username", _("A user with that username already exists."))
    return username


def _apply_user(user: User, data: UserData, errors: Errors) -> None:
    """Check every value of ``data`` and set it on ``user`` (nothing is saved)."""
    for key in ("first_name", "last_name"):
        if key in data:
            setattr(user, key, _clean_text(errors, key, data.get(key), 150))
    if "email" in data:
        user.email = _clean_email(errors, user, data.get("email"))
    _apply_role_team(user, data, errors)
    if "language" in data:
        language = data.get("language")
        if language not in Language.values:
            _add(errors, "language", _("Choose a language we offer."))
        else:
            user.language = str(language)
    if "time_zone" in data:
        try:
            validate_time_zone(str(data.get("time_zone") or ""))
        except ValidationError as exc:
            errors.setdefault("time_zone", []).extend(exc.messages)
        else:
            user.time_zone = str(data.get("time_zone"))


def _apply_role_team(user: User, data: UserData, errors: Errors) -> None:
    if "role" in data:
        role = data.get("role")
        if not isinstance(role, Role) or role.pk is None:
            _add(errors, "role", _("Choose a role."))
        else:
            user.role = role
    if "team" in data:
        team = data.get("team")
        if team is not None and (not isinstance(team, Team) or team.pk is None):
            _add(errors, "team", _("Choose a team."))
        else:
            user.team = team


def _admins_q() -> Q:
    return Q(is_active=True) & (Q(is_superuser=True) | Q(role__key=RoleKey.ADMIN))


def _is_admin_after(user: User) -> bool:
    return bool(
        user.is_active and (user.is_superuser or (user.role is not None and user.role.is_admin))
    )


def _check_admins_remain(user: User, errors: Errors, key: str) -> None:
    """Refuse a change that would leave no active admin. The admins' rows are locked
    so that two admins demoting each other at once cannot both succeed."""
    if _is_admin_after(user):
        return
    others = list(
        User.objects.select_for_update(of=("self",)).filter(_admins_q()).exclude(pk=user.pk)
    )
    if not others:
        _add(
            errors,
            key,
            _("%(user)s is the last active admin; make another user an admin first.")
            % {"user": user},
        )


def _check_not_self(actor: Any, user: User, errors: Errors, key: str, message: str) -> None:
    if actor.pk == user.pk:
        _add(errors, key, message)


@transaction.atomic
def user_invite(*, actor: Any, data: UserData, base_url: str) -> User:
    """Create a user without a password and e-mail them a link to choose one (Django's
    password-reset token: it works once and for ``PASSWORD_RESET_TIMEOUT``). The user
    name is the e-mail address unless one is given. If the mail server refuses the
    e-mail, no user is created."""
    _require_admin(actor)
    errors: Errors = {}
    user = User(language=company.default_language(), time_zone=company.default_time_zone())
    if "email" not in data:
        _add(errors, "email", _("Enter an e-mail address."))
    if "role" not in data:
        _add(errors, "role", _("Choose a role."))
    _apply_user(user, data, errors)
    user.username = _clean_username(errors, user, data.get("username") or user.email)
    if errors:
        raise ValidationError(errors)
    user.set_unusable_password()
    user.full_clean(exclude=["password", "role", "team"])
    user.save()
    record_audit(
        actor=actor,
        instance=user,
        action=AuditAction.CREATE,
        changes=created_changes(user_snapshot(user)),
    )
    _send_password_link(actor, user, base_url, invitation=True)
    return user


@transaction.atomic
def user_update(*, actor: Any, user: User, data: UserData) -> User:
    """Change a user's names, e-mail, role, team, language and time zone."""
    _require_admin(actor)
    user = (
        User.objects.select_for_update(of=("self",)).select_related("role", "team").get(pk=user.pk)
    )
    before = user_snapshot(user)
    errors: Errors = {}
    if "username" in data:
        user.username = _clean_username(errors, user, data.get("username") or "")
    _apply_user(user, data, errors)
    if "email" in data and not user.email:
        _add(errors, "email", _("Enter an e-mail address."))
    if "role" in data and not errors.get("role"):
        _check_admins_remain(user, errors, "role")
    if errors:
        raise ValidationError(errors)
    user.full_clean(exclude=["password", "role", "team"])
    user.save()
    changes = changes_between(before, user_snapshot(user))
    if changes:
        record_audit(actor=actor, instance=user, action=AuditAction.UPDATE, changes=changes)
    forget_rights(user)
    return user


def _set_active(actor: Any, user: User, active: bool) -> User:
    _require_admin(actor)
    user = User.objects.select_for_update(of=("self",)).select_related("role").get(pk=user.pk)
    if user.is_active == active:
        return user
    errors: Errors = {}
    user.is_active = active
    if not active:
        _check_not_self(actor, user, errors, "is_active", _("You cannot deactivate yourself."))
        if not errors:
            _check_admins_remain(user, errors, "is_active")
    if errors:
        raise ValidationError(errors)
    user.save(update_fields=["is_active"])
    record_audit(
        actor=actor,
        instance=user,
        action=AuditAction.UPDATE,
        changes={"is_active": [str(not active).lower(), str(active).lower()]},
    )
    return user


@transaction.atomic
def user_deactivate(*, actor: Any, user: User) -> User:
    """The user can no longer log in; their sessions and API tokens stop working at
    their next request. Their records stay theirs."""
    return _set_active(actor, user, False)


@transaction.atomic
def user_reactivate(*, actor: Any, user: User) -> User:
    return _set_active(actor, user, True)


@transaction.atomic
def user_two_factor_reset(*, actor: Any, user: User) -> None:
    """Remove a user's two-factor devices (a lost phone): they log in with their
    password alone, or set up a new device when the site requires one. An admin turns
    off their own two-factor login on their account page, with a code."""
    _require_admin(actor)
    if actor.pk == user.pk:
        raise ValidationError(
            {"two_factor": [_("Turn off your own two-factor login on your account page.")]}
        )
    if not two_factor.has_any_device(user):
        raise ValidationError({"two_factor": [_("This user has no two-factor device.")]})
    two_factor.totp_devices_remove(user=user)
    record_audit(
        actor=actor,
        instance=user,
        action=AuditAction.UPDATE,
        changes={"two_factor": ["on", "off"]},
    )


@transaction.atomic
def user_send_password_link(*, actor: Any, user: User, base_url: str) -> None:
    """E-mail an active user a link to choose a (new) password: the invitation again
    for one who never set a password, else a reset link."""
    _require_admin(actor)
    if not user.is_active:
        raise ValidationError({"email": [_("Reactivate the user first.")]})
    if not user.email:
        raise ValidationError({"email": [_("The user has no e-mail address.")]})
    invitation = not user.has_usable_password() and user.last_login is None
    _send_password_link(actor, user, base_url, invitation=invitation)


def password_link(user: User, base_url: str) -> str:
    path = reverse(
        "core:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return urljoin(base_url, path)


def _send_password_link(actor: Any, user: User, base_url: str, *, invitation: bool) -> None:
    """Send the e-mail now, inside the caller's transaction: if the mail server refuses
    it, the caller's writes are rolled back with a message on the e-mail field."""
    days = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))
    with translation.override(user.language):
        context = {
            "user": user,
            "inviter": actor.get_full_name() or actor.get_username(),
            "company": company.company_name(),
            "footer": company.email_footer(),
            "link": password_link(user, base_url),
            "days": days,
            "invitation": invitation,
        }
        subject = " ".join(render_to_string("core/email/invite_subject.txt", context).split())
        body = render_to_string("core/email/invite_body.txt", context)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        reply_to=[actor.email] if getattr(actor, "email", "") else None,
    )
    try:
        message.send()
    except OSError as exc:  # smtplib's errors are OSErrors too
        log.warning("Could not send the password link to user %s: %s", user.pk, exc)
        raise ValidationError(
            {"email": [_("The mail server did not accept the e-mail; try again later.")]}
        ) from exc


def system_user(key: str, name: str) -> User:
    """The system's actor ``key`` ("automation"), made the first time: inactive (it
    never signs in and is never offered as an owner) yet allowed every change through
    the services (``User.is_system``); audit entries name it ``name``."""
    username = f"system.{key}"
    found = User.objects.filter(username=username).first()
    if found is not None:
        return found
    with transaction.atomic():
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": name, "is_active": False, "is_system": True},
        )
    if _created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
