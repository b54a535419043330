"""Core: users, teams, roles and permissions, audit, tags, custom fields, search, API
conventions and the shared UI partials every domain app builds on."""
