"""Reads of web-to-lead forms, narrowed first to what the asking user may see (their
role's right on forms: the marketing role keeps them, sales reps and support agents
read them); the public page's read by address (no user: any active form not in the
trash); a form's submissions, newest first."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.marketing.filters import NamedFilters
from clientela.marketing.models import FormSubmission, LeadForm


def forms_visible(user: Any) -> QuerySet[LeadForm]:
    """The live forms ``user`` may read."""
    return LeadForm.objects.alive().visible_to(user)


def lead_form_list(*, user: Any, filters: NamedFilters | None = None) -> QuerySet[LeadForm]:
    filters = filters or NamedFilters()
    qs = (
        forms_visible(user)
        .select_related("owner", "campaign")
        .annotate(submission_count=Count("submissions"))
    )
    if filters.q:
        for word in filters.q.split()[:8]:
            qs = qs.filter(Q(name__icontains=word) | Q(slug__icontains=word))
    return qs.order_by(*filters.order_by())


def lead_form_get(*, user: Any, pk: Any) -> LeadForm:
    """One form; ``NotFound`` if missing, trashed or not visible."""
    found = (
        forms_visible(user)
        .select_related("owner", "campaign", "lead_owner")
        .filter(pk=parse_id(pk))
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def lead_form_trash_get(*, user: Any, pk: Any) -> LeadForm:
    found = (
        LeadForm.objects.visible_to(user).filter(pk=parse_id(pk), deleted_at__isnull=False).first()
    )
    if found is None:
        raise NotFound()
    return found


def public_form(slug: str) -> LeadForm:
    """The form at ``/forms/<slug>/`` for a visitor: active and not in the trash."""
    found = (
        LeadForm.objects.alive()
        .filter(slug=slug[:80], active=True)
        .select_related("owner", "lead_owner", "campaign")
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def submission_list(*, user: Any, form: LeadForm) -> QuerySet[FormSubmission]:
    """The submissions of a form ``user`` may see (``NotFound`` otherwise), newest first."""
    visible = lead_form_get(user=user, pk=form.pk)
    return FormSubmission.objects.filter(form=visible).select_related("lead").order_by("-at", "-id")
