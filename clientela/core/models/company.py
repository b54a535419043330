"""The company profile: who "we" are on quotes, e-mails and the defaults of new users
and records. A single row (pk=1) an admin edits on the settings pages."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Language
from clientela.core.models.accounts import validate_time_zone
from clientela.core.models.base import TimeStampedModel


def logo_path(instance: CompanyProfile, filename: str) -> str:
    # The stored name never comes from the upload: the service names the file.
    return f"company/{filename}"


class CompanyProfile(TimeStampedModel):
    """The company's name, address and tax id as printed on quotes and e-mail footers,
    its logo, and the defaults new users and records take. A blank country, language
    or time zone means the server's setting (``CLIENTELA_DEFAULT_PHONE_REGION``,
    ``LANGUAGE_CODE``, ``CLIENTELA_TIME_ZONE``). The base currency is the sales
    module's (``sales.SalesSettings``): shown beside the profile, kept there."""

    name = models.CharField(_("company name"), max_length=200, blank=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    address = models.TextField(_("address"), max_length=500, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    website = models.URLField(_("website"), max_length=200, blank=True)
    logo = models.FileField(_("logo"), upload_to=logo_path, max_length=200, blank=True)
    country = models.CharField(_("default country"), max_length=2, blank=True)
    language = models.CharField(_("default language"), max_length=5, choices=Language, blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_time_zone]
    )

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profile")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="company_profile_single")]

    def __str__(self) -> str:
        return self.name or self.legal_name or str(_("Company profile"))
