"""The marketing app's forms, one module per part."""
