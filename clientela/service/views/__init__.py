"""The service pages: each part (``views/<part>.py``) lists its own URLs."""
