"""The marketing app's fixed choices."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ListMemberSource(models.TextChoices):
    """How a person got onto a static list."""

    SELECTION = "selection", _("Selection")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    FORM = "form", _("Form")
