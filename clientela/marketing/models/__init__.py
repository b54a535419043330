"""The marketing app's data, one module per part, all re-exported here."""

from clientela.marketing.models.templates import EmailTemplate, TemplateVersion

__all__ = ["EmailTemplate", "TemplateVersion"]
