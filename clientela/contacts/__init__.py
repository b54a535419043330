"""Contacts: the customer base (xRM) — organizations, people and how they relate to us."""
