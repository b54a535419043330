"""Canned answers (the kind ``service.kinds.CANNED_ANSWERS``): read by anyone who may
read tickets, kept by admins and managers (``PermissionDenied`` for anyone else, who
can see them), rendered for a ticket in a sandbox.

The text is a template of ``core.merge_fields`` (the product's one sandbox) with
only ``{{ field }}`` of the merge fields below, all plain strings: an agent can write
``{{ customer_first_name }}``, but nothing in an answer can reach Python objects, the
settings or the database. The template is checked when it is saved, so a typo is a
field error then, not a broken reply later.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction, Language, RoleKey
from clientela.core.errors import NotFound, PermissionDenied
from clientela.core.kinds import MAX_ID
from clientela.core.merge_fields import TemplateProblem, compile_template, template_problem
from clientela.core.models import User
from clientela.core.services import RecordWrites
from clientela.core.validation import Errors, add, clean_text, raise_errors
from clientela.service.models import CannedAnswer, Queue, Ticket
from clientela.service.services.config import clean_flags

#: The merge fields, with what each is (shown to whoever writes an answer).
MERGE_FIELDS = (
    "customer_name",
    "customer_first_name",
    "ticket_number",
    "ticket_subject",
    "agent_name",
    "agent_first_name",
)


class CannedData(TypedDict, total=False):
    title: str
    body: str
    language: str
    queue_id: int | None
    active: bool


def may_manage(user: Any) -> bool:
    """Admins and managers keep the canned answers (they have no role rights)."""
    role = getattr(getattr(user, "role", None), "key", None)
    return bool(getattr(user, "is_admin", False) or role == RoleKey.MANAGER)


def require_manager(actor: Any) -> None:
    """Anyone else may read the answers (they insert them on tickets), so a change is
    refused as forbidden (403), not hidden."""
    if not may_manage(actor):
        raise PermissionDenied(_("Only admins and managers change canned answers."))


def _locked(answer: CannedAnswer, actor: Any) -> CannedAnswer:
    """``answer`` re-read under a row lock, for those who keep the answers."""
    require_manager(actor)
    fresh = CannedAnswer.objects.select_for_update().filter(pk=answer.pk).first()
    if fresh is None:
        raise NotFound()
    return fresh


def check_template(body: str) -> str | None:
    """The problem with an answer's text as a message, or None when it renders. Only
    ``{{ field }}`` of the merge fields is allowed: no statements (``{% … %}``), no
    expressions, so an answer can neither reach an object nor loop for ever."""
    problem = template_problem(body, MERGE_FIELDS, conditions=False)
    return str(problem) if problem is not None else None


def canned_answer_snapshot(answer: CannedAnswer) -> dict[str, Any]:
    return {
        "title": answer.title,
        "body": answer.body,
        "language": answer.language,
        "queue": answer.queue_id and str(answer.queue),
        "active": answer.active,
    }


def _clean_choices(answer: CannedAnswer, data: CannedData, errors: Errors) -> None:
    if "language" in data:
        if data["language"] not in ("", *Language.values):
            add(errors, "language", _("Choose a language, or none for every language."))
        else:
            answer.language = data["language"]
    if "queue_id" in data:
        queue_id: Any = data["queue_id"]
        named = type(queue_id) is int and 0 < queue_id < MAX_ID
        found = Queue.objects.filter(pk=queue_id).first() if named else None
        if queue_id is not None and found is None:
            add(errors, "queue_id", _("There is no such queue."))
        else:
            answer.queue = found
    clean_flags(answer, data, ("active",), errors)


def _apply(actor: Any, answer: CannedAnswer, data: CannedData) -> None:
    errors: Errors = {}
    for name, value in clean_text(CannedAnswer, data, ("title", "body"), errors).items():
        setattr(answer, name, value)
    _clean_choices(answer, data, errors)
    if "title" not in errors and not answer.title:
        add(errors, "title", _("Give the answer a title."))
    if "body" not in errors and not answer.body:
        add(errors, "body", _("Write the answer."))
    elif "body" not in errors and (problem := check_template(answer.body)):
        add(errors, "body", problem)
    raise_errors(errors)
    answer.save()


CANNED_WRITES = RecordWrites(
    apply=_apply, snapshot=canned_answer_snapshot, lock=_locked, authorize=require_manager
)


def canned_answer_create(*, actor: User, data: CannedData) -> CannedAnswer:
    """A new canned answer (admins and managers): ``title`` and ``body`` required."""
    return CANNED_WRITES.create(actor, CannedAnswer(created_by=actor), data)


def canned_answer_update(
    *,
    actor: User,
    canned_answer: CannedAnswer,
    data: CannedData,
    expected_version: int | None = None,
) -> CannedAnswer:
    """Change what ``data`` names. Answers have no version: ``expected_version``, which
    the generic API passes, is moot."""
    return CANNED_WRITES.update(actor, canned_answer, data)


@transaction.atomic
def canned_answer_delete(
    *, actor: User, canned_answer: CannedAnswer, expected_version: int | None = None
) -> None:
    """Delete an answer for good (answers have no trash: deactivate one to keep it)."""
    fresh = _locked(canned_answer, actor)
    record_audit(actor=actor, instance=fresh, action=AuditAction.DELETE)
    fresh.delete()


def render_canned(answer: CannedAnswer, *, ticket: Ticket, agent: User) -> str:
    """The answer's text for ``ticket``, its merge fields filled in."""
    person = ticket.person
    context = {
        "customer_name": str(person or ticket.organization or ""),
        "customer_first_name": (person.first_name if person else "") or str(person or ""),
        "ticket_number": ticket.label,
        "ticket_subject": ticket.subject,
        "agent_name": agent.get_full_name() or agent.username,
        "agent_first_name": agent.first_name or agent.username,
    }
    try:
        template = compile_template(answer.body, MERGE_FIELDS, conditions=False)
    except TemplateProblem:
        return answer.body
    return template.render(context)
