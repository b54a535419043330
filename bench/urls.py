"""Clientela's URLs plus ``/bench/bare/``: the baseline the API throughput is compared
with, a Django view that returns a fixed JSON body through the same middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from clientela.urls import urlpatterns as clientela_urlpatterns

BODY = b'{"id": 1, "first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}'


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(BODY, content_type="application/json")


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *clientela_urlpatterns]
