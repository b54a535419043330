"""WSGI entry point for `clientela serve` (gunicorn) and any WSGI host."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver


def settle_heap() -> None:
    """Load the URL map now, then take every object loaded so far (modules, models,
    URL patterns, registries) out of the garbage collector's rounds (``gc.freeze``).

    They live as long as the process does, so scanning them on every full collection
    is wasted time on each request; in workers forked from one parent it also keeps
    their memory pages shared. The benchmark calls it too (bench/run.py), so that it
    measures pages as the server runs them."""
    get_resolver().url_patterns  # noqa: B018 - imports every app's URL module
    gc.collect()
    gc.freeze()


os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
application = get_wsgi_application()
settle_heap()
