"""The campaign form: who gets it (segments and lists, minus excluded ones, for a
consent purpose), what they get (a template, or a subject and HTML; a second variant
for an A/B test), who it is from, when and how fast. The choices are what the user
sees; the service checks them again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import BootstrapMixin, local_input, set_choices
from clientela.core.widgets import DateTimeLocalInput
from clientela.marketing.choices import AbMetric, CampaignChannel
from clientela.marketing.models import Campaign

_TEXT = {"rows": 10, "class": "font-monospace", "spellcheck": "false"}


def _ids(field: Any) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=field, required=False, coerce=int, widget=forms.SelectMultiple({"size": 4})
    )


class CampaignForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput({"autofocus": True})
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=CampaignChannel.choices)
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        help_text=_("Only people who agreed to this purpose get the campaign."),
    )
    segments = _ids(_("Segments"))
    lists = _ids(_("Lists"))
    excluded_segments = _ids(_("Leave out these segments"))
    excluded_lists = _ids(_("Leave out these lists"))
    template = forms.TypedChoiceField(
        label=_("Template"), required=False, coerce=int, empty_value=None
    )
    subject = forms.CharField(
        label=_("Subject"),
        required=False,
        max_length=300,
        help_text=_("Merge fields work here too, e.g. {{ first_name }}."),
    )
    html = forms.CharField(
        label=_("Message (HTML)"),
        required=False,
        max_length=500_000,
        widget=forms.Textarea(_TEXT),
        help_text=_("Leave empty to send the template."),
    )
    text = forms.CharField(
        label=_("Text message (SMS)"),
        required=False,
        max_length=1600,
        widget=forms.Textarea({"rows": 3}),
        help_text=_(
            "For an SMS campaign. Up to 160 characters make one message (70 with "
            "accents such as á, í, ó, ú or emoji)."
        ),
    )
    subject_b = forms.CharField(label=_("Subject of variant B"), required=False, max_length=300)
    html_b = forms.CharField(
        label=_("Message of variant B (HTML)"),
        required=False,
        max_length=500_000,
        widget=forms.Textarea(_TEXT),
        help_text=_("Empty: variant B differs only in its subject."),
    )
    ab_share = forms.IntegerField(
        label=_("Test share per variant (%)"),
        min_value=0,
        max_value=50,
        initial=0,
        required=False,
        help_text=_("0: no A/B test. With 10, A and B each go to 10 % and the winner to the rest."),
    )
    ab_metric = forms.ChoiceField(label=_("Winner by"), choices=AbMetric.choices, required=False)
    ab_wait_minutes = forms.IntegerField(
        label=_("Decide after (minutes)"), min_value=10, initial=240, required=False
    )
    from_name = forms.CharField(label=_("Sender name"), required=False, max_length=100)
    from_email = forms.EmailField(label=_("Sender address"), required=False, max_length=254)
    reply_to = forms.EmailField(label=_("Reply-to"), required=False, max_length=254)
    send_at = forms.DateTimeField(
        label=_("Send at"),
        required=False,
        widget=DateTimeLocalInput,
        help_text=_("Empty: when you press Send."),
    )
    local_time = forms.BooleanField(
        label=_("At that time of day in each recipient's time zone"), required=False
    )
    throttle = forms.IntegerField(
        label=_("Messages per minute"),
        required=False,
        help_text=_("Empty: as fast as the mail server takes them."),
    )
    cost = forms.DecimalField(
        label=_("Cost"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, choices: dict[str, Any] | None = None, **kwargs: Any) -> None:
        kwargs.pop("users", None)
        super().__init__(*args, **kwargs)
        choices = choices or {}
        set_choices(self, "purpose", choices.get("purpose", []))
        for name in ("segments", "excluded_segments"):
            set_choices(self, name, choices.get("segments", []))
        for name in ("lists", "excluded_lists"):
            set_choices(self, name, choices.get("lists", []))
        set_choices(self, "template", [("", "—"), *choices.get("template", [])])

    @classmethod
    def initial_for(cls, campaign: Campaign) -> dict[str, Any]:
        variants = {v.key: v for v in campaign.variants.all()}
        a, b = variants.get("A"), variants.get("B")
        return {
            "name": campaign.name,
            "description": campaign.description,
            "purpose": campaign.purpose.key,
            "channel": campaign.channel,
            "segments": [s.pk for s in campaign.segments.all()],
            "lists": [s.pk for s in campaign.lists.all()],
            "excluded_segments": [s.pk for s in campaign.excluded_segments.all()],
            "excluded_lists": [s.pk for s in campaign.excluded_lists.all()],
            "template": campaign.template_id,
            "subject": a.subject if a else "",
            "html": a.html if a else "",
            "text": a.body if a else "",
            "subject_b": b.subject if b else "",
            "html_b": b.html if b else "",
            "ab_share": campaign.ab_share,
            "ab_metric": campaign.ab_metric,
            "ab_wait_minutes": campaign.ab_wait_minutes,
            "from_name": campaign.from_name,
            "from_email": campaign.from_email,
            "reply_to": campaign.reply_to,
            "send_at": local_input(campaign.send_at) if campaign.send_at else None,
            "local_time": campaign.local_time,
            "throttle": campaign.throttle,
            "cost": campaign.cost,
            "currency": campaign.currency,
            "version": campaign.version,
        }

    def to_data(self, campaign: Campaign | None) -> dict[str, Any]:
        c = self.cleaned_data
        data: dict[str, Any] = {
            "name": c["name"],
            "description": c["description"],
            "purpose": c["purpose"],
            "channel": c["channel"],
            "segment_ids": c["segments"],
            "list_ids": c["lists"],
            "excluded_segment_ids": c["excluded_segments"],
            "excluded_list_ids": c["excluded_lists"],
            "template_id": c["template"],
            "subject": c["subject"],
            "html": c["html"],
            "text": c["text"],
            "variants": (
                [{"subject": c["subject_b"], "html": c["html_b"]}]
                if c["subject_b"] or c["html_b"]
                else []
            ),
            "ab_share": c["ab_share"] or 0,
            "ab_metric": c["ab_metric"] or AbMetric.OPENS,
            "ab_wait_minutes": c["ab_wait_minutes"] or 240,
            "from_name": c["from_name"],
            "from_email": c["from_email"],
            "reply_to": c["reply_to"],
            "send_at": c["send_at"],
            "local_time": c["local_time"],
            "throttle": c["throttle"],
            "cost": c["cost"],
            "currency": (c["currency"] or "").upper(),
        }
        if campaign is not None and campaign.status not in ("draft", "scheduled"):
            keep = ("name", "description", "cost", "currency")
            data = {k: v for k, v in data.items() if k in keep}
        return data


class TestSendForm(BootstrapMixin, forms.Form):
    to = forms.EmailField(label=_("Send a test to"), max_length=254)
