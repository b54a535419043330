"""E-mail templates: the HTML and subject of an e-mail, one version per language, with
merge fields (``marketing.rendering``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Language
from clientela.core.models import CRMRecord, TimeStampedModel


class EmailTemplate(CRMRecord):
    """An e-mail a campaign (or a test send) fills in per person: a version per language
    (``TemplateVersion``), the person's language chosen, else ``default_language``.
    ``purpose`` is a hint for the campaigns that use it (``newsletter``, ``offers``…),
    nothing is enforced by it."""

    RESOURCE = "marketing.email_template"

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    purpose = models.CharField(_("purpose"), max_length=50, blank=True)
    default_language = models.CharField(
        _("default language"), max_length=5, choices=Language, default=Language.EN
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("e-mail template")
        verbose_name_plural = _("e-mail templates")
        indexes = [
            models.Index(
                fields=["name", "id"],
                name="mkt_template_name",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["updated_at", "id"], name="mkt_template_updated"),
        ]

    def __str__(self) -> str:
        return self.name


class TemplateVersion(TimeStampedModel):
    """A template in one language: its subject and HTML body, both with merge fields."""

    template = models.ForeignKey(EmailTemplate, on_delete=models.CASCADE, related_name="versions")
    language = models.CharField(_("language"), max_length=5, choices=Language)
    subject = models.CharField(_("subject"), max_length=300)
    html = models.TextField(_("HTML"), max_length=200_000)

    class Meta:
        ordering = ["template", "language"]
        verbose_name = _("template version")
        verbose_name_plural = _("template versions")
        constraints = [
            models.UniqueConstraint(
                fields=["template", "language"], name="mkt_template_version_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template_id} ({self.language})"
