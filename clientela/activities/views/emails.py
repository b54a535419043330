"""E-mail pages: the composer (from a person's, organization's or deal's page: the
links come in the query string, as for "New task"), the page after sending with the
one-click follow-up task, the user's e-mail settings, and the unmatched e-mails of the
contact-history mailbox (create a person or a lead, or ignore)."""

from __future__ import annotations

import re
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientela.activities import selectors
from clientela.activities.forms import EmailForm, EmailPreferencesForm
from clientela.activities.models import ActivityPreferences, Interaction
from clientela.activities.services import email_log, emails
from clientela.core.email_registry import fill_template, lead_maker, template_choices
from clientela.core.errors import NotFound
from clientela.core.forms import add_service_errors, id_list
from clientela.core.merge_fields import TemplateProblem
from clientela.core.permissions import can
from clientela.core.views.records import AuthedRequest, not_found_as_404, safe_next_url

RELATED = re.compile(r"^([a-z_]{1,20}\.[a-z_]{1,28}):(\d{1,18})$")
#: The follow-up task's default delay.
FOLLOW_UP_DAYS = 3


def _links(request: AuthedRequest) -> dict[str, Any]:
    """What the e-mail is about, from the query string: people, organization and a
    higher app's record (``related=sales.deal:7``)."""
    people = id_list(request.GET.getlist("person"))
    organizations = id_list(request.GET.getlist("organization"))
    links: dict[str, Any] = {"person_ids": people, "organization_id": None}
    if organizations:
        links["organization_id"] = organizations[0]
    match = RELATED.match(request.GET.get("related", ""))
    if match:
        links.update(related_type=match.group(1), related_id=int(match.group(2)))
    return links


def _reply_links(request: AuthedRequest, links: dict[str, Any]) -> Interaction | None:
    """With ``reply=<interaction id>``: the e-mail answered (one the user may see, else
    a 404), whose people, organization and higher record the answer is about."""
    raw = request.GET.get("reply", "")
    if not raw:
        return None
    original = selectors.interaction_get(user=request.user, pk=raw)
    if original.channel != "email" or not original.message_id:
        raise Http404()
    links["person_ids"] = list(original.people.values_list("pk", flat=True))
    links["organization_id"] = original.organization_id
    if original.related_type:
        links.update(related_type=original.related_type, related_id=original.related_id)
    return original


def _initial(request: AuthedRequest, people: list[Any], organization: Any) -> dict[str, Any]:
    addresses = [p.email for p in people if p.email]
    if not addresses and organization is not None and organization.email:
        addresses = [organization.email]
    initial: dict[str, Any] = {"to": ", ".join(addresses)}
    choice = request.GET.get("template", "")
    if choice:
        try:
            filled = fill_template(request.user, choice, people[0].pk if people else None)
        except NotFound:
            raise Http404() from None
        except TemplateProblem as problem:
            messages.error(request, str(problem))
        else:
            initial.update(subject=filled.subject[:200], body=filled.text)
    return initial


@login_required
@not_found_as_404
@require_http_methods(["GET", "POST"])
def email_compose(request: AuthedRequest) -> HttpResponse:
    if not can(request.user, "create", Interaction.RESOURCE):
        raise Http404()
    links = _links(request)
    original = _reply_links(request, links)
    people, organization = selectors.email_recipients(
        user=request.user,
        person_ids=links["person_ids"],
        organization_id=links["organization_id"],
    )
    links["person_ids"] = [p.pk for p in people]
    links["organization_id"] = organization.pk if organization is not None else None
    back = safe_next_url(request) or (
        reverse("contacts:person-detail", args=[people[0].pk])
        if people
        else reverse("activities:my-day")
    )
    if request.method == "POST":
        form = EmailForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                data = cast(emails.EmailData, {**form.to_data(), **links})
                sent = emails.email_send(actor=request.user, data=data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except emails.EmailSendFailed as exc:
                form.add_error(None, str(exc))
            else:  # to a page of its own: reloading it sends nothing again
                sent_url = reverse("activities:email-sent", args=[sent.pk])
                return redirect(f"{sent_url}?{urlencode({'next': back})}")
    else:
        initial = _initial(request, people, organization)
        if original is not None:
            subject = original.subject
            initial.update(
                subject=subject if subject.lower().startswith("re:") else f"Re: {subject}",
                in_reply_to=original.message_id,
            )
        form = EmailForm(initial=initial)
        form.fields["subject" if initial.get("to") else "to"].widget.attrs["autofocus"] = True
    from_email, reply_to = emails.sender(request.user)
    query = request.GET.copy()
    query.pop("template", None)
    return render(
        request,
        "activities/email/compose.html",
        {
            "form": form,
            "people": people,
            "organization": organization,
            "back": back,
            "from_email": from_email,
            "reply_to": reply_to,
            "templates": template_choices(request.user),
            "query": query.urlencode(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@not_found_as_404
def email_sent(request: AuthedRequest, pk: int) -> HttpResponse:
    """After sending: the one-click follow-up task, and the way back."""
    sent = selectors.interaction_get(user=request.user, pk=pk)
    back = safe_next_url(request) or reverse("activities:my-day")
    return render(
        request,
        "activities/email/sent.html",
        {
            "interaction": sent,
            "back": back,
            "days": FOLLOW_UP_DAYS,
            "can_task": can(request.user, "create", "activities.task"),
        },
    )


@login_required
@not_found_as_404
@require_POST
def email_follow_up(request: AuthedRequest, pk: int) -> HttpResponse:
    """The one-click follow-up task of a sent e-mail."""
    interaction = selectors.interaction_get(user=request.user, pk=pk)
    raw = request.POST.get("days", str(FOLLOW_UP_DAYS))
    try:
        task = emails.email_follow_up(
            actor=request.user,
            interaction=interaction,
            days=int(raw) if raw.isdecimal() else -1,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(safe_next_url(request) or "activities:my-day")
    messages.success(request, _("Follow-up task “%(title)s” created.") % {"title": task.title})
    return redirect(safe_next_url(request) or reverse("activities:task-detail", args=[task.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def email_preferences(request: AuthedRequest) -> HttpResponse:
    # The user's own settings row, not a CRM record: no scoped selector is involved.
    prefs = ActivityPreferences.objects.filter(user=request.user).first()
    initial = {
        "email_signature": prefs.email_signature if prefs else "",
        "email_excluded": prefs.email_excluded if prefs else "",
    }
    form = EmailPreferencesForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            emails.email_preferences_update(
                user=request.user,
                signature=form.cleaned_data["email_signature"],
                excluded=form.cleaned_data["email_excluded"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("E-mail settings saved."))
            return redirect("activities:email-preferences")
    from_email, reply_to = emails.sender(request.user)
    return render(
        request,
        "activities/email/preferences.html",
        {"form": form, "from_email": from_email, "reply_to": reply_to},
    )


@login_required
def unmatched_list(request: AuthedRequest) -> HttpResponse:
    rows = list(selectors.unmatched_email_list(user=request.user)[:200])
    return render(
        request,
        "activities/email/unmatched.html",
        {"rows": rows, "can_lead": lead_maker() is not None},
    )


@login_required
@not_found_as_404
@require_POST
def unmatched_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    unmatched = selectors.unmatched_email_get(user=request.user, pk=pk)
    try:
        if action == "person":
            person = email_log.unmatched_create_person(actor=request.user, unmatched=unmatched)
            messages.success(
                request, _("“%(name)s” added; the e-mail is on their timeline.") % {"name": person}
            )
            return redirect("contacts:person-detail", pk=person.pk)
        if action == "lead":
            url_name, lead_id = email_log.unmatched_create_lead(
                actor=request.user, unmatched=unmatched
            )
            messages.success(request, _("Lead created; the e-mail is logged on it."))
            return redirect(url_name, pk=lead_id)
        if action == "ignore":
            email_log.unmatched_ignore(actor=request.user, unmatched=unmatched)
            messages.success(request, _("E-mail ignored."))
            return redirect("activities:unmatched-emails")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("activities:unmatched-emails")
    raise Http404()


def compose_url(query: dict[str, Any]) -> str:
    """The composer's address for the links of a record page."""
    return f"{reverse('activities:email-compose')}?{urlencode(query, doseq=True)}"


def record_email_panel(request: Any, record: Any) -> dict[str, Any]:
    """The "E-mail" panel of a higher app's record page (a deal: registered by its
    resource's name in ``apps.py``): the composer for its people and organization."""
    query: dict[str, Any] = {
        "person": [p.pk for p in record.people.all()],
        "related": f"{record.RESOURCE}:{record.pk}",
        "next": request.get_full_path(),
    }
    if getattr(record, "organization_id", None):
        query["organization"] = record.organization_id
    return {
        "compose_url": compose_url(query),
        "can_send": can(request.user, "create", Interaction.RESOURCE),
    }
