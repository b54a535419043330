"""The webhook pages (admins; 404 for anyone else): the list, the form, a webhook's
page with its secret (shown once, after a create or rotation), its delivery log with
each attempt and "Redeliver", and "Send a ping". The list, form, page and delete are
the generic ones (``core.views.kinds``) for an admins-only kind."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.automation.choices import DeliveryStatus
from clientela.automation.kinds import WEBHOOKS
from clientela.automation.selectors import webhooks as selectors
from clientela.automation.services import deliveries as delivery_services
from clientela.automation.services import subscriptions as services
from clientela.core.services.config import require_admin
from clientela.core.views.kinds import (
    KindView,
    RecordDeleteView,
    RecordDetailView,
    RecordFormView,
    RecordListView,
    record_urls,
)
from clientela.core.views.records import AuthedRequest, not_found_as_404

#: The deliveries a webhook's page shows (the API pages through all of them).
SHOWN_DELIVERIES = 25
_SHOWN_ONCE = "automation.webhook_secret"


class WebhookPages(KindView):
    """Webhooks are the admins' alone (they have no role rights)."""

    def may(self, action: str) -> bool:
        return bool(getattr(self.user, "is_admin", False))

    def check(self, action: str) -> None:
        require_admin(self.user)


class WebhookListView(WebhookPages, RecordListView):
    pass


def _show_secret_once(request: AuthedRequest, webhook_id: int, secret: str) -> None:
    request.session[_SHOWN_ONCE] = {"id": webhook_id, "secret": secret}


class WebhookDetailView(WebhookPages, RecordDetailView):
    def detail_context(self, record: Any) -> dict[str, Any]:
        shown = self.request.session.get(_SHOWN_ONCE)
        secret = ""
        if shown and shown.get("id") == record.pk:
            secret = self.request.session.pop(_SHOWN_ONCE)["secret"]
        found = selectors.delivery_list(user=self.user, webhook=record)
        return {
            "secret": secret,
            "deliveries": found[:SHOWN_DELIVERIES],
            "statuses": DeliveryStatus,
        }


class WebhookFormView(WebhookPages, RecordFormView):
    def initial(self, record: Any) -> dict[str, Any]:
        if record is None:
            return {"enabled": True}
        return super().initial(record)

    def form_kwargs(self, record: Any) -> dict[str, Any]:
        return {}

    def saved_response(self, saved: Any, key: str) -> HttpResponse:
        if key == "created":
            _show_secret_once(self.request, saved.pk, saved.secret)
        return super().saved_response(saved, key)

    def success_url(self, saved: Any) -> str:
        return self.url("detail", saved)


class WebhookDeleteView(WebhookPages, RecordDeleteView):
    pass


def _detail(webhook_id: int) -> HttpResponse:
    return redirect(reverse("automation:webhook-detail", kwargs={"pk": webhook_id}))


@login_required
@require_POST
@not_found_as_404
def ping(request: AuthedRequest, pk: int) -> HttpResponse:
    webhook = selectors.webhook_get(user=request.user, pk=pk)
    delivery = delivery_services.webhook_ping(actor=request.user, webhook=webhook)
    if delivery.status == DeliveryStatus.SUCCEEDED:
        messages.success(request, _("Ping delivered."))
    else:
        messages.error(request, _("The ping was not delivered: see its attempt below."))
    return _detail(webhook.pk)


@login_required
@require_POST
@not_found_as_404
def rotate_secret(request: AuthedRequest, pk: int) -> HttpResponse:
    webhook = selectors.webhook_get(user=request.user, pk=pk)
    fresh = services.webhook_rotate_secret(actor=request.user, webhook=webhook)
    _show_secret_once(request, fresh.pk, fresh.secret)
    messages.success(request, _("New secret made; the previous one goes on signing for 24 hours."))
    return _detail(webhook.pk)


@login_required
@require_POST
@not_found_as_404
def redeliver(request: AuthedRequest, pk: int, delivery_id: int) -> HttpResponse:
    webhook = selectors.webhook_get(user=request.user, pk=pk)
    delivery = selectors.delivery_get(user=request.user, webhook=webhook, pk=delivery_id)
    delivery_services.delivery_redeliver(actor=request.user, delivery=delivery)
    messages.success(request, _("The delivery will be sent again in a moment."))
    return _detail(webhook.pk)


urlpatterns: list[URLPattern] = [
    *record_urls(
        WEBHOOKS,
        list=WebhookListView,
        create=WebhookFormView,
        detail=WebhookDetailView,
        edit=WebhookFormView,
        delete=WebhookDeleteView,
    ),
    path("webhooks/<int:pk>/ping/", ping, name="webhook-ping"),
    path("webhooks/<int:pk>/rotate-secret/", rotate_secret, name="webhook-rotate"),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_id>/redeliver/",
        redeliver,
        name="webhook-redeliver",
    ),
]
