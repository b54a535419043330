"""Clientela: an open-source CRM for small and mid-sized businesses."""
