"""The kinds of record the marketing app owns, declared once (see ``core.kinds``).
``MarketingConfig.ready()`` registers them.

Every marketing kind gives the built-in roles the same rights (``MARKETING_RIGHTS``):
the marketing role keeps them (creates, changes and deletes, seeing all), sales reps and
support agents read them, read-only users read them; admins and managers keep their
usual rights."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.api import PageParams
from clientela.core.choices import RoleKey, Scope
from clientela.core.kinds import RecordKind
from clientela.core.permissions import Rights
from clientela.marketing.api import consent as consent_api
from clientela.marketing.models import ConsentPurpose
from clientela.marketing.selectors import consent as consent_selectors
from clientela.marketing.services import consent_purposes

SCOPES = ("marketing:read", "marketing:write")

READ_ALL = Rights(False, True, False, False, Scope.ALL)

#: The built-in roles' rights on every marketing kind (``RecordKind.default_rights``).
MARKETING_RIGHTS: dict[str, Rights] = {
    RoleKey.MARKETING: Rights(True, True, True, True, Scope.ALL),
    RoleKey.SALES: READ_ALL,
    RoleKey.SUPPORT: READ_ALL,
}

#: Consent purposes: a catalogue kind outside the roles' rights (like the service
#: desk's settings): read by everyone signed in (the person page's consent form and the
#: campaigns name them), kept by admins (403 for anyone else); no page of its own (the
#: settings page ``views.consent`` lists and edits them), no trash.
CONSENT_PURPOSES = RecordKind(
    resource=ConsentPurpose.RESOURCE,
    model=ConsentPurpose,
    namespace="marketing",
    url_prefix="consent_purpose",
    path="consent_purposes",
    api_path="consent-purposes",
    singular=_("consent purpose"),
    plural=_("Consent purposes"),
    icon="bi-check2-square",
    list_selector=consent_selectors.purpose_list,
    get_selector=consent_selectors.purpose_get,
    create=consent_purposes.purpose_create,
    update=consent_purposes.purpose_update,
    trash=consent_purposes.purpose_delete,
    record_arg="purpose",
    name_fields=("name",),
    rights=False,
    has_detail_page=False,
    api_scopes=SCOPES,
    api_in=consent_api.PurposeIn,
    api_patch=consent_api.PurposeIn,
    api_out_schema=consent_api.PurposeOut,
    api_list_params=PageParams,
    api_list=consent_api.purposes_query,
    api_out=consent_api.purpose_out,
    api_tag="consent purposes",
    api_module=consent_api.__name__,
    api_docs=consent_api.PURPOSE_DOCS,
)

ALL: tuple[Any, ...] = (CONSENT_PURPOSES,)
