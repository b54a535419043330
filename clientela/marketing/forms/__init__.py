"""The marketing forms, one module per part."""
"""The marketing app's forms, one module per part."""
