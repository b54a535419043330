"""Merging two duplicates (``/people/merge/?a=&b=``, ``/organizations/merge/?a=&b=``):
the two records side by side, one row per field with the value to keep, what will
move, the Merge button; and the Undo of a merge (POST ``/merges/<id>/undo/``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from clientela.contacts import merge as merging
from clientela.contacts import selectors
from clientela.contacts.choices import Channel
from clientela.contacts.kinds import ORGANIZATIONS, PEOPLE
from clientela.contacts.models import DuplicateKind
from clientela.core.custom_fields import definitions, display_value
from clientela.core.errors import VersionConflict
from clientela.core.kinds import RecordKind
from clientela.core.permissions import require
from clientela.core.views.records import AuthedRequest, not_found_as_404

LABELS: dict[str, Any] = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "birthday": gettext_lazy("Birthday"),
    "preferred_language": gettext_lazy("Preferred language"),
    "preferred_channel": gettext_lazy("Preferred channel"),
    "notes": gettext_lazy("Notes"),
    "external_id": gettext_lazy("External id"),
    "owner": gettext_lazy("Owner"),
    "name": gettext_lazy("Name"),
    "website": gettext_lazy("Website"),
    "industry": gettext_lazy("Industry"),
    "emails": gettext_lazy("E-mail addresses"),
    "phones": gettext_lazy("Phone numbers"),
    "addresses": gettext_lazy("Addresses"),
    "relationships": gettext_lazy("Relationships"),
    "tags": gettext_lazy("Tags"),
}


def _shown(record: Any, field: str, custom_fields: dict[str, Any]) -> str:
    """A field's value as the page shows it."""
    value = merging.field_value(record, field)
    if field.startswith(merging.CUSTOM_PREFIX):
        spec = custom_fields.get(field[len(merging.CUSTOM_PREFIX) :])
        return str(display_value(spec, value)) if spec is not None and value is not None else ""
    if field == "birthday":
        return value.display() if value else ""
    if field == "preferred_language":
        return str(record.get_preferred_language_display())
    if field == "preferred_channel":
        return str(Channel(value).label) if value else ""
    if isinstance(value, list):
        return "\n".join(str(getattr(v, "address", None) or _detail_text(v)) for v in value)
    return "" if value is None else str(value)


def _detail_text(item: Any) -> str:
    if isinstance(item, str):
        return item
    if hasattr(item, "number"):
        return str(item.number)
    if hasattr(item, "street"):
        parts = (item.street, item.postal_code, item.city, item.region, item.country)
        return ", ".join(p for p in parts if p)
    return str(item.kind) + (f" ({item.since.isoformat()})" if item.since else "")


def _ids(request: AuthedRequest) -> tuple[str, str, str]:
    source = request.POST if request.method == "POST" else request.GET
    return source.get("a", "").strip(), source.get("b", "").strip(), source.get("survivor", "")


def _error_page(request: AuthedRequest, kind: RecordKind, error: str) -> HttpResponse:
    context = {"kind": kind, "error": error, "rows": [], "duplicates_url": _dup_url(kind)}
    return render(request, "contacts/merge.html", context, status=400)


def _dup_url(kind: RecordKind) -> str:
    return reverse(kind.url("duplicates"))


def _merge_service(kind: RecordKind) -> Any:
    return merging.person_merge if kind is PEOPLE else merging.organization_merge


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def merge_page(request: AuthedRequest, *, kind: RecordKind) -> HttpResponse:
    user = request.user
    require(user, "update", kind.resource)
    require(user, "delete", kind.resource)
    raw_a, raw_b, raw_survivor = _ids(request)
    if not raw_a.isdigit() or not raw_b.isdigit():
        return _error_page(request, kind, _("Choose two records to merge (ids a and b)."))
    if raw_a == raw_b:
        return _error_page(request, kind, _("A record cannot be merged into itself."))
    a = kind.get_selector(user=user, pk=raw_a)
    b = kind.get_selector(user=user, pk=raw_b)
    older, newer = sorted((a, b), key=lambda r: (r.created_at, r.pk))
    survivor, other = (older, newer)
    if raw_survivor == str(newer.pk):
        survivor, other = newer, older
    picks_in: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if request.method == "POST":
        picks_in = {
            key[len("pick-") :]: value
            for key, value in request.POST.items()
            if key.startswith("pick-") and isinstance(value, str)
        }
        versions = {
            survivor.pk: _int(request.POST.get(f"version-{survivor.pk}")),
            other.pk: _int(request.POST.get(f"version-{other.pk}")),
        }
        try:
            done = _merge_service(kind)(
                actor=user,
                survivor=survivor,
                other=other,
                picks=picks_in,
                expected_versions=versions,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        except VersionConflict:
            general.append(
                _("One of the records changed after you opened this page; check them again.")
            )
        else:
            text = _("“%(other)s” was merged into “%(survivor)s”.") % {
                "other": done.merged_repr,
                "survivor": survivor,
            }
            undo = reverse("contacts:merge-undo", kwargs={"pk": done.pk})
            messages.success(request, text, extra_tags="undo:" + undo)
            return redirect(kind.url("detail"), pk=survivor.pk)
    try:
        picks = merging.clean_picks(survivor, other, picks_in)
    except ValidationError:
        picks = merging.default_picks(survivor, other)
    custom_fields = {f.key: f for f in definitions(kind.resource)}
    rows = []
    for field in merging.pick_fields(kind.url_prefix):
        is_custom = field.startswith(merging.CUSTOM_PREFIX)
        label = (
            custom_fields[field[len(merging.CUSTOM_PREFIX) :]].label
            if is_custom
            else LABELS.get(field, field)
        )
        rows.append(
            {
                "field": field,
                "label": label,
                "survivor": _shown(survivor, field, custom_fields),
                "other": _shown(other, field, custom_fields),
                "multi": field in merging.MULTI,
                "pick": picks[field],
                "errors": errors.get(f"picks.{field}", []),
            }
        )
    known = {f"picks.{r['field']}" for r in rows}
    general += [m for key, msgs in errors.items() if key not in known for m in msgs]
    return render(
        request,
        "contacts/merge.html",
        {
            "kind": kind,
            "a": a,
            "b": b,
            "survivor": survivor,
            "other": other,
            "rows": rows,
            "general_errors": general,
            "moving": selectors.merge_counts(other),
            "error": "",
            "duplicates_url": _dup_url(kind),
        },
        status=400 if errors or general else 200,
    )


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@login_required
@require_POST
@not_found_as_404
def merge_undo(request: AuthedRequest, pk: int) -> HttpResponse:
    merge = selectors.merge_get(user=request.user, pk=pk)
    kind = PEOPLE if merge.kind == DuplicateKind.PERSON else ORGANIZATIONS
    try:
        merging.merge_undo(actor=request.user, merge=merge)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(kind.url("detail"), pk=merge.survivor_id)
    messages.success(
        request, _("The merge was undone: “%(name)s” is back.") % {"name": merge.merged_repr}
    )
    return redirect(kind.url("detail"), pk=merge.merged_id)


def merge_notes(request: AuthedRequest, kind: RecordKind, record: Any) -> list[dict[str, Any]]:
    """The standing merges into a record, for the note on its page."""
    return [
        {
            "merge": m,
            "can_undo": merging.merge_can_undo(request.user, m),
            "undo_url": reverse("contacts:merge-undo", kwargs={"pk": m.pk}),
        }
        for m in selectors.merges_into(kind=kind.url_prefix, record=record)
    ]


__all__ = ["merge_notes", "merge_page", "merge_undo"]
