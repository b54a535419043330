"""The marketing app's data, one module per part, all re-exported here."""

from clientela.marketing.models.consent import (
    ConsentEvent,
    ConsentPurpose,
    ConsentState,
    ConsentWording,
    Suppression,
)

__all__ = ["ConsentEvent", "ConsentPurpose", "ConsentState", "ConsentWording", "Suppression"]
from clientela.marketing.models.segments import ListMember, Segment, StaticList

__all__ = ["ListMember", "Segment", "StaticList"]
from clientela.marketing.models.templates import EmailTemplate, TemplateVersion

__all__ = ["EmailTemplate", "TemplateVersion"]
