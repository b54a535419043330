"""Every write to quotes: create, edit a draft, revise, send (PDF by e-mail, logged on
the customer's timeline), accept (which creates the order), reject, expire, trash.

A quote's lifecycle: ``draft`` → ``sent`` → ``accepted`` / ``rejected`` / ``expired``.
Only a draft is edited; a sent, rejected or expired quote is changed by making a new
revision (same number, ``revision`` + 1, a draft again), and only the newest revision
of a number is sent or accepted. Numbers come from ``common.next_number`` in the
transaction that saves the quote, so they have no gaps.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.activities.services import interaction_create
from clientela.contacts.links import clean_organization, clean_people
from clientela.contacts.models import Organization, Person
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction, Language
from clientela.core.company import company_name, email_footer
from clientela.core.events.records import record_changed
from clientela.core.models import User
from clientela.core.permissions import can, can_see_record
from clientela.core.services import (
    RecordWrites,
    lock_for_update,
    record_create,
)
from clientela.sales import money
from clientela.sales.choices import QuoteStatus
from clientela.sales.models import Order, Quote, QuoteLine, SalesSettings
from clientela.sales.pdf import quote_pdf
from clientela.sales.selectors.deals import deal_for_link
from clientela.sales.services import common as c
from clientela.sales.services.orders import order_from_quote

log = logging.getLogger(__name__)

QUOTE_PREFIX = "Q"
MAX_NOTES = 10000


class QuoteData(TypedDict, total=False):
    person_id: int | None
    organization_id: int | None
    deal_id: int | None
    currency: str
    language: str
    issue_date: datetime.date
    valid_until: datetime.date | None
    notes: str
    lines: list[c.LineInput]
    owner_id: int | None


def quote_snapshot(quote: Quote) -> dict[str, Any]:
    return {
        "status": quote.status,
        "person": quote.person,
        "organization": quote.organization,
        "deal": quote.deal,
        "currency": quote.currency,
        "language": quote.language,
        "issue_date": quote.issue_date,
        "valid_until": quote.valid_until,
        "total": money.money_str(quote.total, quote.currency) if quote.currency else None,
        "notes": quote.notes,
        # What each line says, so that changing only a line is a change too.
        "lines": [
            f"{line.description}: {line.quantity} × {line.unit_price} = {line.total}"
            for line in (quote.lines.all() if quote.pk else ())
        ],
    }


# --- input ----------------------------------------------------------------------------


def _clean_date(value: Any, field: str, errors: c.Errors) -> datetime.date | None:
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        c.add(errors, field, _("Enter a date."))
        return None
    return value


def _customer(
    actor: User, data: QuoteData, quote: Quote, errors: c.Errors, *, creating: bool
) -> None:
    """Person and organization (each one the actor may see); at least one."""
    if "person_id" in data:
        person: Person | None = None
        if data["person_id"] is not None:
            people = clean_people(actor, [data["person_id"]], errors)
            if "person_ids" in errors:
                errors["person_id"] = errors.pop("person_ids")
            person = people[0] if people else None
        quote.person = person
    if "organization_id" in data:
        org: Organization | None = clean_organization(actor, data["organization_id"], errors)
        quote.organization = org
    if (
        quote.person_id is None
        and quote.organization_id is None
        and "person_id" not in errors
        and "organization_id" not in errors
        and (creating or "person_id" in data or "organization_id" in data)
    ):
        c.add(errors, "person_id", _("A quote is for a person or an organization."))


def _apply(actor: User, quote: Quote, data: QuoteData, *, creating: bool) -> list[c.CleanLine]:
    """Check the whole input and set it on ``quote`` (unsaved); returns the lines to
    save (the quote's current lines re-priced when only the currency changed). Raises
    ``ValidationError`` with every problem at once."""
    errors: c.Errors = {}
    if "currency" in data or creating:
        currency = c.clean_currency(data.get("currency"), "currency", errors)
        if currency is not None:
            quote.currency = currency
    currency_ok = "currency" not in errors and bool(quote.currency)
    _customer(actor, data, quote, errors, creating=creating)
    if "deal_id" in data:
        quote.deal = (
            deal_for_link(actor, data["deal_id"], errors) if data["deal_id"] is not None else None
        )
    _quote_language(actor, quote, data, errors, creating=creating)
    _quote_dates(quote, data, errors, creating=creating)
    _quote_notes(quote, data, errors)
    _quote_owner(actor, quote, data, errors, creating=creating)
    lines: list[c.CleanLine] = []
    if "lines" in data or creating:
        raw = data.get("lines")
        # Lines naming a product without a price take the catalogue price
        # (``common.clean_lines``).
        lines = c.clean_lines(raw, quote.currency if currency_ok else None, errors)
    elif "currency" in data and currency_ok:
        lines = c.clean_lines(_existing_lines(quote), quote.currency, errors)
    c.raise_errors(errors)
    return lines


def _quote_language(
    actor: User, quote: Quote, data: QuoteData, errors: c.Errors, *, creating: bool
) -> None:
    """The quote's language: as given, else the person's, else the actor's."""
    if "language" in data and data["language"] is not None:
        if data["language"] not in Language.values:
            c.add(errors, "language", _("Choose English or Spanish."))
        else:
            quote.language = data["language"]
    elif creating:
        preferred = quote.person.preferred_language if quote.person is not None else ""
        quote.language = preferred or getattr(actor, "language", "") or Language.EN


def _quote_dates(quote: Quote, data: QuoteData, errors: c.Errors, *, creating: bool) -> None:
    """Issue date and validity (by default the settings' validity from the issue date)."""
    if "issue_date" in data or creating:
        day = _clean_date(data.get("issue_date", timezone.localdate()), "issue_date", errors)
        if day is not None:
            quote.issue_date = day
    if "valid_until" in data and data["valid_until"] is not None:
        until = _clean_date(data["valid_until"], "valid_until", errors)
        if until is not None:
            quote.valid_until = until
    elif (creating or "valid_until" in data) and "issue_date" not in errors:
        days = SalesSettings.load().quote_validity_days
        quote.valid_until = quote.issue_date + datetime.timedelta(days=days)
    if (
        "issue_date" not in errors
        and "valid_until" not in errors
        and quote.issue_date
        and quote.valid_until
        and quote.valid_until < quote.issue_date
    ):
        c.add(errors, "valid_until", _("A quote cannot expire before its date."))


def _quote_notes(quote: Quote, data: QuoteData, errors: c.Errors) -> None:
    if "notes" in data:
        notes = data["notes"]
        if notes is not None and not isinstance(notes, str):
            c.add(errors, "notes", _("Enter text."))
        elif len(notes or "") > MAX_NOTES:
            c.add(errors, "notes", _("At most 10,000 characters."))
        else:
            quote.notes = (notes or "").strip()


def _quote_owner(
    actor: User, quote: Quote, data: QuoteData, errors: c.Errors, *, creating: bool
) -> None:
    if creating or "owner_id" in data:
        owner = c.clean_owner_id(data.get("owner_id"), errors)
        if creating or owner is not None:
            owner_team = c.assign_owner_team(actor, Quote.RESOURCE, owner, errors)
            if owner_team is not None:
                quote.owner, quote.team = owner_team


def _existing_lines(quote: Quote) -> list[c.LineInput]:
    return [
        {
            "product_id": line.product_id if line.product and line.product.is_active else None,
            "description": line.description,
            "quantity": line.quantity,
            "unit": line.unit,
            "unit_price": money.quantize(line.unit_price, quote.currency),
            "discount_percent": line.discount_percent,
            "tax_rate": line.tax_rate,
        }
        for line in quote.lines.select_related("product")
    ]


def _save_lines(quote: Quote, lines: list[c.CleanLine]) -> None:
    quote.lines.all().delete()
    QuoteLine.objects.bulk_create([QuoteLine(quote=quote, **line.fields()) for line in lines])
    totals = c.document_totals(lines)
    quote.subtotal, quote.tax_total, quote.total = totals.subtotal, totals.tax_total, totals.total


def _refuse(field: str, message: str) -> None:
    raise ValidationError({field: [message]})


# --- create, update, revise -----------------------------------------------------------


def _create(actor: User, quote: Quote, data: QuoteData) -> None:
    lines = _apply(actor, quote, data, creating=True)
    totals = c.document_totals(lines)
    quote.subtotal, quote.tax_total, quote.total = totals.subtotal, totals.tax_total, totals.total
    quote.number = c.next_number("quote", QUOTE_PREFIX)
    quote.revision = 1
    quote.save()
    QuoteLine.objects.bulk_create([QuoteLine(quote=quote, **line.fields()) for line in lines])
    c.index_document(quote)


def _edit(actor: User, quote: Quote, data: QuoteData) -> None:
    if quote.status != QuoteStatus.DRAFT:
        _refuse("status", _("Only a draft can be edited; make a new revision instead."))
    lines = _apply(actor, quote, data, creating=False)
    if "lines" in data or "currency" in data:
        _save_lines(quote, lines)
    quote.save()
    c.index_document(quote)


_QUOTES = RecordWrites(apply=_edit, apply_new=_create, snapshot=quote_snapshot)


def quote_create(*, actor: User, data: QuoteData) -> Quote:
    """A new draft quote. Lines naming a product without a price take the catalogue
    price in the quote's currency; the language defaults to the person's."""
    return _QUOTES.create(actor, Quote(status=QuoteStatus.DRAFT), data)


def quote_update(
    *, actor: User, quote: Quote, data: QuoteData, expected_version: int | None = None
) -> Quote:
    """Change a draft: the fields present in ``data``; ``lines`` replaces every line.
    Totals are computed again."""
    return _QUOTES.update(actor, quote, data, expected_version)


def _copy(actor: User, revision: Quote, fresh: Quote) -> None:
    """Make ``revision`` the next revision of ``fresh``, as a draft dated today."""
    if fresh.status not in (QuoteStatus.SENT, QuoteStatus.REJECTED, QuoteStatus.EXPIRED):
        _refuse("status", _("Only a sent, rejected or expired quote can be revised."))
    if Quote.objects.filter(previous=fresh).exists():
        _refuse("status", _("This quote already has a newer revision."))
    today = timezone.localdate()
    days = SalesSettings.load().quote_validity_days
    for name in (
        "owner",
        "team",
        "person",
        "organization",
        "deal",
        "currency",
        "subtotal",
        "tax_total",
        "total",
        "notes",
        "number",
        "language",
    ):
        setattr(revision, name, getattr(fresh, name))
    revision.revision = fresh.revision + 1
    revision.previous = fresh
    revision.status = QuoteStatus.DRAFT
    revision.issue_date = today
    revision.valid_until = today + datetime.timedelta(days=days)
    revision.save()
    c.index_document(revision)
    QuoteLine.objects.bulk_create(
        [
            QuoteLine(
                quote=revision,
                position=line.position,
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                tax_rate=line.tax_rate,
                subtotal=line.subtotal,
                tax=line.tax,
                total=line.total,
            )
            for line in fresh.lines.all()
        ]
    )


@transaction.atomic
def quote_revise(*, actor: User, quote: Quote) -> Quote:
    """A new draft revision of a sent, rejected or expired quote: same number,
    ``revision`` + 1, the same customer and lines, dated today. The old revision stays
    as it was."""
    fresh = lock_for_update(quote, actor)
    return record_create(
        actor=actor,
        record=Quote(),
        data=fresh,
        apply=_copy,
        snapshot=lambda revision: {**quote_snapshot(revision), "previous": fresh.label},
    )


# --- send -----------------------------------------------------------------------------


def recipient_for(quote: Quote) -> str:
    """Where the quote goes by default: the person's primary e-mail, else the
    organization's."""
    if quote.person is not None and quote.person.email:
        return quote.person.email
    if quote.organization is not None and quote.organization.email:
        return quote.organization.email
    return ""


def pdf_filename(quote: Quote) -> str:
    return f"{quote.label}.pdf"


def _email(quote: Quote, to: str, actor: User) -> EmailMessage:
    pdf = quote_pdf(quote)
    with translation.override(quote.language):
        context = {
            "quote": quote,
            "company": company_name(),
            "footer": email_footer(),
            "customer": quote.person or quote.organization,
            "total": money.format_money(quote.total, quote.currency, quote.language),
            "valid_until": quote.valid_until,
            "sender": actor,
        }
        subject = " ".join(render_to_string("sales/quotes/email/subject.txt", context).split())
        body = render_to_string("sales/quotes/email/body.txt", context)
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[actor.email] if actor.email else None,
    )
    message.attach(pdf_filename(quote), pdf, "application/pdf")
    return message


def _log_interaction(actor: User, quote: Quote, to: str) -> None:
    """The sent quote on the customer's timeline: an outgoing e-mail linked to it."""
    if not can(actor, "create", "activities.interaction"):
        return
    person_ids = (
        [quote.person.pk]
        if quote.person is not None and can_see_record(actor, quote.person)
        else []
    )
    org_id = (
        quote.organization.pk
        if quote.organization is not None and can_see_record(actor, quote.organization)
        else None
    )
    if not person_ids and org_id is None:
        return
    interaction_create(
        actor=actor,
        data={
            "channel": "email",
            "direction": "out",
            "subject": (_("Quote %(label)s sent") % {"label": quote.label})[:200],
            "body": _("Sent to %(to)s. Total %(total)s, valid until %(until)s.")
            % {
                "to": to,
                "total": money.format_money(
                    quote.total, quote.currency, translation.get_language() or "en"
                ),
                "until": quote.valid_until.isoformat(),
            },
            "person_ids": person_ids,
            "organization_id": org_id,
            "related_type": Quote.RESOURCE,
            "related_id": quote.pk,
        },
    )


def _address(quote: Quote, to: str | None) -> str:
    return (to or "").strip() or recipient_for(quote)


def _send(actor: User, quote: Quote, to: str | None) -> None:
    errors: c.Errors = {}
    if quote.status != QuoteStatus.DRAFT:
        c.add(errors, "status", _("Only a draft can be sent; make a new revision instead."))
    if Quote.objects.filter(previous=quote).exists():
        c.add(errors, "status", _("This quote already has a newer revision."))
    address = _address(quote, to)
    if not address:
        c.add(errors, "to", _("The customer has no e-mail address: give one."))
    else:
        try:
            validate_email(address)
        except ValidationError:
            c.add(errors, "to", _("Enter a valid e-mail address."))
    if not quote.lines.exists():
        c.add(errors, "lines", _("Give at least one line."))
    c.raise_errors(errors)
    quote.status = QuoteStatus.SENT
    quote.sent_at = timezone.now()
    quote.save()


_SEND = RecordWrites(apply=_send, snapshot=quote_snapshot)


@transaction.atomic
def quote_send(
    *,
    actor: User,
    quote: Quote,
    to: str | None = None,
    expected_version: int | None = None,
) -> Quote:
    """Send a draft: e-mail its PDF to ``to`` (default: the person's primary e-mail,
    else the organization's), mark it sent and log the e-mail on the customer's
    timeline. If the mail server refuses it, nothing changes."""
    sent = _SEND.update(actor, quote, to, expected_version)
    address = _address(sent, to)
    _log_interaction(actor, sent, address)
    message = _email(sent, address, actor)
    try:
        message.send()
    except OSError as exc:  # smtplib's errors are OSErrors too
        log.warning("Could not send quote %s: %s", sent.label, exc)
        raise ValidationError(
            {"to": [_("The mail server did not accept the e-mail; try again later.")]}
        ) from exc
    return sent


# --- decisions ------------------------------------------------------------------------


def is_expired(quote: Quote) -> bool:
    return quote.status == QuoteStatus.EXPIRED or quote.valid_until < timezone.localdate()


def _accept(actor: User, quote: Quote, data: None) -> None:
    if quote.status == QuoteStatus.ACCEPTED or Order.objects.filter(quote=quote).exists():
        _refuse("status", _("This quote was already accepted."))
    if quote.status == QuoteStatus.DRAFT:
        _refuse("status", _("Send the quote before it can be accepted."))
    if quote.status == QuoteStatus.REJECTED:
        _refuse("status", _("This quote was rejected; make a new revision instead."))
    if is_expired(quote):
        _refuse("status", _("This quote has expired; make a new revision instead."))
    if Quote.objects.filter(previous=quote).exists():
        _refuse("status", _("This quote already has a newer revision."))
    quote.status = QuoteStatus.ACCEPTED
    quote.decided_at = timezone.now()
    quote.save()


_ACCEPT = RecordWrites(apply=_accept, snapshot=quote_snapshot)


@transaction.atomic
def quote_accept(*, actor: User, quote: Quote, expected_version: int | None = None) -> Order:
    """The customer accepted a sent quote: mark it accepted and create its order (same
    transaction). Returns the order."""
    accepted = _ACCEPT.update(actor, quote, None, expected_version)
    return order_from_quote(actor=actor, quote=accepted)


def _reject(actor: User, quote: Quote, data: None) -> None:
    if quote.status != QuoteStatus.SENT:
        _refuse("status", _("Only a sent quote can be rejected."))
    quote.status = QuoteStatus.REJECTED
    quote.decided_at = timezone.now()
    quote.save()


_REJECT = RecordWrites(apply=_reject, snapshot=quote_snapshot)


def quote_reject(*, actor: User, quote: Quote, expected_version: int | None = None) -> Quote:
    """The customer turned a sent quote down."""
    return _REJECT.update(actor, quote, None, expected_version)


def quote_expire_due(*, today: datetime.date | None = None) -> int:
    """Mark every sent quote whose validity ended before ``today`` as expired (by the
    system); returns how many. Run daily by the worker (``sales.tasks``)."""
    today = today or timezone.localdate()
    count = 0
    due = Quote.objects.filter(
        status=QuoteStatus.SENT, valid_until__lt=today, deleted_at__isnull=True
    ).values_list("pk", flat=True)
    for pk in list(due[:10000]):
        with transaction.atomic():
            quote = (
                Quote.objects.select_for_update()
                .filter(pk=pk, status=QuoteStatus.SENT, valid_until__lt=today)
                .first()
            )
            if quote is None:
                continue
            before = quote_snapshot(quote)
            quote.status = QuoteStatus.EXPIRED
            quote.version += 1
            quote.save(update_fields=["status", "version", "updated_at"])
            record_changed(None, quote, before, quote_snapshot(quote))
            record_audit(
                actor=None,
                instance=quote,
                action=AuditAction.UPDATE,
                changes={"status": [QuoteStatus.SENT.value, QuoteStatus.EXPIRED.value]},
            )
            count += 1
    return count


@transaction.atomic
def quote_trash(*, actor: User, quote: Quote, expected_version: int | None = None) -> None:
    """Void a quote and move it to the trash, its number still taken (numbering has
    no gaps); an accepted one stays (its order points to it)."""
    fresh = lock_for_update(quote, actor, "delete")
    if fresh.status == QuoteStatus.ACCEPTED:
        _refuse("status", _("An accepted quote cannot be deleted; its order refers to it."))
    c.void_document(
        actor=actor, document=fresh, status=QuoteStatus.VOID, expected_version=expected_version
    )
    fresh.refresh_from_db()
    quote.status, quote.deleted_at, quote.deleted_by, quote.version = (
        fresh.status,
        fresh.deleted_at,
        fresh.deleted_by,
        fresh.version,
    )


@transaction.atomic
def quote_restore(*, actor: User, quote: Quote) -> None:
    """Back from the trash (its deleter or an admin), with its number and the status
    it had before it was voided."""
    c.unvoid_document(actor=actor, document=quote)
