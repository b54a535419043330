"""The activities web pages."""
