"""The integrations web pages (exports)."""

from clientela.integrations.views.export import export

__all__ = ["export"]
