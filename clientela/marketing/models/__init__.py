"""The marketing app's data, one module per part, all re-exported here: consent and
suppression, segments and lists, e-mail templates, campaigns and their deliveries,
web-to-lead forms and their submissions."""

from clientela.marketing.models.campaigns import (
    BounceRecord,
    Campaign,
    CampaignAttribution,
    CampaignLink,
    CampaignVariant,
    Click,
    Delivery,
)
from clientela.marketing.models.consent import (
    ConsentEvent,
    ConsentPurpose,
    ConsentState,
    ConsentWording,
    Suppression,
)
from clientela.marketing.models.forms import FormSubmission, LeadForm
from clientela.marketing.models.segments import ListMember, Segment, StaticList
from clientela.marketing.models.templates import EmailTemplate, TemplateVersion

__all__ = [
    "BounceRecord",
    "Campaign",
    "CampaignAttribution",
    "CampaignLink",
    "CampaignVariant",
    "Click",
    "ConsentEvent",
    "ConsentPurpose",
    "ConsentState",
    "ConsentWording",
    "Delivery",
    "EmailTemplate",
    "FormSubmission",
    "LeadForm",
    "ListMember",
    "Segment",
    "StaticList",
    "Suppression",
    "TemplateVersion",
]
