"""The Teams section's writes: create, rename and delete an empty team; admin-only,
audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.models import Team, User
from clientela.core.services.records import _require_admin, rename_audited
from clientela.core.services.users import Errors, _add, _clean_text


def _clean_team_name(name: Any, team: Team | None = None) -> str:
    errors: Errors = {}
    cleaned = _clean_text(errors, "name", name, 100)
    if not cleaned and not errors:
        _add(errors, "name", _("Enter a team name."))
    others = Team.objects.filter(name__iexact=cleaned)
    if team is not None:
        others = others.exclude(pk=team.pk)
    if cleaned and others.exists():
        _add(errors, "name", _("There is already a team with this name."))
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def team_create(*, actor: Any, name: str) -> Team:
    _require_admin(actor)
    team = Team.objects.create(name=_clean_team_name(name))
    record_audit(
        actor=actor, instance=team, action=AuditAction.CREATE, changes={"name": [None, team.name]}
    )
    return team


@transaction.atomic
def team_rename(*, actor: Any, team: Team, name: str) -> Team:
    _require_admin(actor)
    return rename_audited(actor=actor, instance=team, name=_clean_team_name(name, team))


@transaction.atomic
def team_delete(*, actor: Any, team: Team) -> None:
    """Delete a team nobody belongs to and no record names."""
    _require_admin(actor)
    members = User.objects.filter(team=team).count()
    if members:
        raise ValidationError(
            {
                "team": [
                    _("Move the %(count)d members of this team to another team first.")
                    % {"count": members}
                ]
            }
        )
    record_audit(actor=actor, instance=team, action=AuditAction.PURGE)
    try:
        with transaction.atomic():
            team.delete()
    except ProtectedError as exc:
        count = len(exc.protected_objects)
        raise ValidationError(
            {
                "team": [
                    _("%(count)d records still belong to this team; it cannot be deleted.")
                    % {"count": count}
                ]
            }
        ) from None
