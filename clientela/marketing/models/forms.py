"""Web-to-lead forms (issue 15, item 8): a form's fields mapped to lead fields, its
consent checkboxes (the exact text shown is the proof), and each submission received.

A submission creates a lead through the sales services (``services.form_submit``); the
submission row keeps what was posted (validated), where it came from (IP, user agent,
referrer, UTM parameters) and the lead it made."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Language
from clientela.core.models import CRMRecord
from clientela.marketing.choices import SpamVerdict


class LeadForm(CRMRecord):
    """A form visitors fill in on the hosted page (``/forms/<slug>/``) or on the
    company's site (iframe or script). ``fields``: a list of
    ``{key, label, type, required, maps_to, choices}``; ``consents``: a list of
    ``{purpose, channel, text}`` (``services.lead_forms`` checks both)."""

    RESOURCE = "marketing.lead_form"

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    active = models.BooleanField(_("active"), default=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), max_length=2000, blank=True)
    submit_label = models.CharField(_("button label"), max_length=60, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    consents = models.JSONField(_("consent checkboxes"), default=list, blank=True)
    double_opt_in = models.BooleanField(_("double opt-in"), default=False)
    #: The visitor's browser solves a small hashcash-like puzzle before the form is
    #: accepted (``marketing.form_pow``): off unless the form gets spam anyway.
    proof_of_work = models.BooleanField(_("proof of work"), default=False)
    campaign = models.ForeignKey(
        "marketing.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="forms",
    )
    lead_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner of new leads"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notify_owner = models.BooleanField(_("e-mail the owner of each new lead"), default=True)
    notify_email = models.EmailField(_("also notify"), max_length=254, blank=True)
    thank_you = models.TextField(_("thank-you message"), max_length=2000, blank=True)
    redirect_url = models.URLField(_("redirect to"), max_length=500, blank=True)
    allowed_origins = models.JSONField(_("allowed origins"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language, default=Language.EN)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("web form")
        verbose_name_plural = _("web forms")
        indexes = [
            models.Index(
                fields=["name", "id"], name="mkt_form_name", condition=Q(deleted_at__isnull=True)
            ),
            models.Index(fields=["updated_at", "id"], name="mkt_form_updated"),
        ]

    def __str__(self) -> str:
        return self.name


class FormSubmission(models.Model):
    """One accepted submission of a form: the validated values by field key, the lead
    it created, and where it came from."""

    form = models.ForeignKey(LeadForm, on_delete=models.CASCADE, related_name="submissions")
    data = models.JSONField(_("data"), default=dict)
    lead = models.ForeignKey(
        "sales.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person = models.ForeignKey(
        "contacts.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    referrer = models.CharField(_("referrer"), max_length=1000, blank=True)
    utm_source = models.CharField(_("UTM source"), max_length=200, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=200, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=200, blank=True)
    utm_term = models.CharField(_("UTM term"), max_length=200, blank=True)
    utm_content = models.CharField(_("UTM content"), max_length=200, blank=True)
    at = models.DateTimeField(_("received"))
    spam = models.CharField(
        _("spam verdict"), max_length=10, choices=SpamVerdict, default=SpamVerdict.CLEAN
    )
    #: The id of the proof-of-work challenge that let it in ("" when the form asks for
    #: none): unique, so a challenge serves once (``marketing.form_pow``).
    proof = models.CharField(_("proof of work"), max_length=40, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        indexes = [models.Index(fields=["form", "-at", "-id"], name="mkt_submission_form_at")]
        constraints = [
            models.UniqueConstraint(
                fields=["proof"], condition=~Q(proof=""), name="uniq_mkt_submission_proof"
            )
        ]

    def __str__(self) -> str:
        return f"{self.form_id} @ {self.at:%Y-%m-%d %H:%M}"
