"""Canned answers: kept by admins and managers, rendered for a ticket in a sandbox.

The text is a Jinja2 template run by ``SandboxedEnvironment`` with only the merge
fields below in its context, all plain strings, and undefined names refused: an agent
can write ``{{ customer_first_name }}``, but nothing in an answer can reach Python
objects, the settings or the database. The template is checked when it is saved, so a
typo is a field error then, not a broken reply later.
"""

from __future__ import annotations

import re
from typing import Any, TypedDict

from django.db import transaction
from django.utils.translation import gettext as _
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction, Language, RoleKey
from clientela.core.errors import NotFound
from clientela.core.models import User
from clientela.core.validation import Errors, add, clean_text, raise_errors
from clientela.service.models import CannedAnswer, Queue, Ticket

#: The merge fields, with what each is (shown to whoever writes an answer).
MERGE_FIELDS = (
    "customer_name",
    "customer_first_name",
    "ticket_number",
    "ticket_subject",
    "agent_name",
    "agent_first_name",
)
_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


class CannedData(TypedDict, total=False):
    title: str
    body: str
    language: str
    queue_id: int | None
    active: bool


def may_manage(user: Any) -> bool:
    role = getattr(getattr(user, "role", None), "key", None)
    return bool(getattr(user, "is_admin", False) or role == RoleKey.MANAGER)


def _require(actor: Any) -> None:
    if not may_manage(actor):
        raise NotFound()


def _sample() -> dict[str, str]:
    return dict.fromkeys(MERGE_FIELDS, "x")


_FIELD = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)


def check_template(body: str) -> str | None:
    """The problem with an answer's text as a message, or None when it renders. Only
    ``{{ field }}`` of the merge fields is allowed: no statements (``{% … %}``), no
    expressions, so an answer can neither reach an object nor loop for ever."""
    fields = ", ".join("{{ %s }}" % f for f in MERGE_FIELDS)  # noqa: UP031
    unknown = [m.strip() for m in _FIELD.findall(body) if m.strip() not in MERGE_FIELDS]
    if "{%" in body or "{#" in body or unknown:
        shown = ", ".join(f"{{{{ {u} }}}}" for u in unknown[:3]) or "{% … %}"
        return _("%(found)s is not a merge field; use %(fields)s.") % {
            "found": shown,
            "fields": fields,
        }
    try:
        _ENV.from_string(body).render(_sample())
    except Exception as exc:
        return _("The merge fields cannot be read: %(error)s. Use %(fields)s.") % {
            "error": getattr(exc, "message", None) or type(exc).__name__,
            "fields": fields,
        }
    return None


def _apply(answer: CannedAnswer, data: CannedData) -> None:
    errors: Errors = {}
    for name, value in clean_text(CannedAnswer, data, ("title", "body"), errors).items():
        setattr(answer, name, value)
    if "language" in data:
        if data["language"] not in ("", *Language.values):
            add(errors, "language", _("Choose a language, or none for every language."))
        else:
            answer.language = data["language"]
    if "queue_id" in data:
        queue_id = data["queue_id"]
        answer.queue = Queue.objects.filter(pk=queue_id).first() if queue_id else None
        if queue_id and answer.queue is None:
            add(errors, "queue_id", _("There is no such queue."))
    if "active" in data:
        answer.active = bool(data["active"])
    if not answer.title.strip():
        add(errors, "title", _("Give the answer a title."))
    if not answer.body.strip():
        add(errors, "body", _("Write the answer."))
    elif "body" not in errors and (problem := check_template(answer.body)):
        add(errors, "body", problem)
    raise_errors(errors)


@transaction.atomic
def canned_answer_save(
    *, actor: User, data: CannedData, answer: CannedAnswer | None = None
) -> CannedAnswer:
    """Create (``answer`` None) or change a canned answer: admins and managers."""
    _require(actor)
    creating = answer is None
    answer = answer or CannedAnswer(created_by=actor)
    before = {"title": answer.title, "body": answer.body}
    _apply(answer, data)
    answer.save()
    after = {"title": answer.title, "body": answer.body}
    changes = {
        k: [None if creating else before[k], after[k]]
        for k in after
        if creating or before[k] != after[k]
    }
    record_audit(
        actor=actor,
        instance=answer,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        changes=changes,
    )
    return answer


@transaction.atomic
def canned_answer_delete(*, actor: User, answer: CannedAnswer) -> None:
    _require(actor)
    record_audit(actor=actor, instance=answer, action=AuditAction.DELETE)
    answer.delete()


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
    if check_template(answer.body) is not None:
        return answer.body
    return _ENV.from_string(answer.body).render(context)
