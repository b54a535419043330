"""The marketing forms, one module per part."""
