"""The marketing pages: each part of the app (``views/<part>.py``) lists its own URLs."""

app_name = "marketing"
urlpatterns: list[object] = []
