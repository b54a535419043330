"""One HTTP request of a webhook delivery, and what came of it.

``httpx`` with ``CLIENTELA_WEBHOOKS_CONNECT_TIMEOUT`` (3 s) to connect and
``CLIENTELA_WEBHOOKS_TIMEOUT`` (10 s) for everything else: each read and write has
that long, and only the first ``EXCERPT_BYTES`` of the answer are read (then the
connection is dropped), so a receiver that dribbles an endless body cannot hold the
worker. Connections are kept alive between deliveries (``_client``: one client per
checked target). The connection goes to the address the SSRF guard checked
(``addresses``): the URL names the address, the ``Host`` header and TLS's SNI (and so
the certificate check) name the host. Redirects are never followed: a 3xx is a failure
the admin sees ("subscribe the final URL"), so a receiver cannot redirect a delivery to
an address the guard would refuse.
"""

from __future__ import annotations

import email.utils
import functools
import heapq
import itertools
import os
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from clientela.automation.models import EXCERPT_BYTES
from clientela.automation.webhooks.addresses import AddressRefused, resolve

#: Statuses worth trying again (besides network errors and 5xx).
RETRY_STATUSES = {408, 429}
USER_AGENT = "Clientela-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    """What one request came to: ``status`` None when no answer came."""

    status: int | None = None
    duration_ms: int = 0
    response: str = ""
    error: str = ""
    retry: bool = False
    #: Seconds the receiver asked us to wait (``Retry-After``), if it did.
    retry_after: float | None = None

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


#: Kept-alive connections: one client per checked target, so a connection only ever
#: carries requests to the host name it was opened (and its certificate checked) for,
#: at the address the guard checked; at most ``CLIENTS`` of them (the oldest closed).
CLIENTS = 32
_clients: dict[tuple[str, str, str, int], httpx.Client] = {}
_clients_lock = threading.Lock()


def _client(key: tuple[str, str, str, int], timeout: httpx.Timeout) -> httpx.Client:
    with _clients_lock:
        client = _clients.get(key)
        if client is not None and not client.is_closed and client.timeout == timeout:
            return client
        if client is not None:
            client.close()
        while len(_clients) >= CLIENTS:
            _clients.pop(next(iter(_clients))).close()
        client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            verify=_tls(),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )
        _clients[key] = client
        return client


def _drop(key: tuple[str, str, str, int], client: httpx.Client) -> None:
    with _clients_lock:
        if _clients.get(key) is client:
            del _clients[key]
    client.close()


def close_clients() -> None:
    """Close every kept-alive connection (tests; a worker that forks)."""
    with _clients_lock:
        clients = list(_clients.values())
        _clients.clear()
    for client in clients:
        client.close()


class _Watchdog:
    """Calls at a deadline, unless cancelled, from one thread for all requests (a
    ``threading.Timer`` would start a thread per request)."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._waiting: list[list[Any]] = []  # [when, n, callback or None], a heap
        self._count = itertools.count()
        self._pid = 0

    def call_at(self, when: float, callback: Callable[[], None]) -> list[Any]:
        entry = [when, next(self._count), callback]
        with self._ready:
            if self._pid != os.getpid():  # first use in this process
                self._pid = os.getpid()
                self._waiting = []
                threading.Thread(target=self._run, daemon=True, name="webhooks-watchdog").start()
            heapq.heappush(self._waiting, entry)
            self._ready.notify()
        return entry

    def cancel(self, entry: list[Any]) -> None:
        entry[2] = None

    def _run(self) -> None:
        while True:
            with self._ready:
                while self._waiting and self._waiting[0][2] is None:
                    heapq.heappop(self._waiting)
                if not self._waiting:
                    self._ready.wait()
                    continue
                delay = self._waiting[0][0] - time.monotonic()
                if delay > 0:
                    self._ready.wait(delay)
                    continue
                callback = heapq.heappop(self._waiting)[2]
            if callback is not None:
                callback()


_watchdog = _Watchdog()


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context per process: making one loads the CA bundle (~80 ms), which a
    new context per request would pay every time."""
    return httpx.create_ssl_context()


def retry_after(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds from now: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def _excerpt(response: httpx.Response) -> str:
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= EXCERPT_BYTES:
            break
    return data[:EXCERPT_BYTES].decode("utf-8", errors="replace").replace("\x00", "")


def _judge(response: httpx.Response, started: float) -> Outcome:
    status = response.status_code
    try:
        text = _excerpt(response)
    except httpx.HTTPError:
        text = ""
    elapsed = int((time.monotonic() - started) * 1000)
    if 200 <= status < 300:
        return Outcome(status, elapsed, text)
    if 300 <= status < 400:
        error = _("Redirected to %(location)s: webhooks do not follow redirects.") % {
            "location": response.headers.get("location", "?")[:300]
        }
        return Outcome(status, elapsed, text, error=error)
    retry = status >= 500 or status in RETRY_STATUSES
    wait = retry_after(response.headers.get("retry-after"), time.time()) if retry else None
    return Outcome(status, elapsed, text, retry=retry, retry_after=wait)


def post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST ``body`` to ``url``; never raises for what the network or the receiver do."""
    started = time.monotonic()

    def failed(error: str, *, retry: bool) -> Outcome:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(None, elapsed, error=error[:500], retry=retry)

    try:
        target = resolve(url)
    except AddressRefused as exc:
        return failed(str(exc), retry=False)
    except OSError as exc:
        return failed(_("The host could not be resolved: %(error)s") % {"error": exc}, retry=True)
    request_url = httpx.URL(url).copy_with(host=target.address)
    default_port = 443 if target.scheme == "https" else 80
    name = f"[{target.host}]" if ":" in target.host else target.host
    host = name if target.port == default_port else f"{name}:{target.port}"
    total = float(settings.CLIENTELA_WEBHOOKS_TIMEOUT)
    timeout = httpx.Timeout(total, connect=float(settings.CLIENTELA_WEBHOOKS_CONNECT_TIMEOUT))
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    all_headers = {
        **headers,
        "host": host,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }
    # httpx's timeouts bound each step (connect, each read); the whole request gets
    # ``total`` seconds too: at the deadline the client is closed under the request
    # (and dropped from the pool: the other requests on it fail and are retried).
    late = threading.Event()
    key = (target.scheme, target.host, target.address, target.port)
    client = _client(key, timeout)

    def close() -> None:
        late.set()
        _drop(key, client)

    timer = _watchdog.call_at(started + total, close)
    try:
        try:
            with client.stream(
                "POST", request_url, content=body, headers=all_headers, extensions=extensions
            ) as response:
                return _judge(response, started)
        finally:
            _watchdog.cancel(timer)
    except httpx.TimeoutException:
        return failed(_("No answer in time."), retry=True)
    except (httpx.HTTPError, RuntimeError) as exc:
        if late.is_set():
            return failed(_("No answer in time."), retry=True)
        return failed(
            _("Network error: %(error)s") % {"error": exc or type(exc).__name__}, retry=True
        )
