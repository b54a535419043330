"""Shared fixtures: named users in every role and two teams, as the permission tests
across all apps expect. ``north`` and ``south`` are the two teams."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any, Unpack

import pytest
from aiosmtpd.controller import Controller
from django.core.cache import cache
from django.utils import timezone, translation
from playwright.sync_api import sync_playwright

from clientela.contacts.services import (
    OrganizationData,
    PersonData,
    organization_create,
    person_create,
)
from clientela.core import company, rate_limits
from clientela.core.services import roles_ensure_defaults, user_create
from clientela.core.testing import flush
from clientela.core.testing.browser import log_in, open_page
from clientela.core.testing.dovecot import dovecot  # noqa: F401 (a fixture for every app)
from clientela.core.testing.migrated import share_between_workers

PASSWORD = "Clientela-test-pw-1"

# The transactional tests write back the rows a flush leaves instead of having
# post_migrate's receivers rebuild them after each test (core.testing.flush).
flush.install()


class WhenRun:
    """A parameter value taken when the test runs, not when pytest imports the module:
    "tomorrow" computed at import is today after midnight, and differs between xdist
    workers (their test ids must match). ``name`` is what the test id shows."""

    def __init__(self, name: str, make: Callable[[], Any]) -> None:
        self.name, self.make = name, make

    def __repr__(self) -> str:
        return self.name

    @staticmethod
    def resolve(values: dict[str, Any]) -> dict[str, Any]:
        return {k: v.make() if isinstance(v, WhenRun) else v for k, v in values.items()}


def pytest_configure(config: pytest.Config) -> None:
    # Under pytest-xdist each worker's temporary folder is one of the run's: the workers
    # share one migrated SQLite file for the tests of child processes (core.testing.migrated).
    if hasattr(config, "workerinput") and config.option.basetemp:
        share_between_workers(Path(config.option.basetemp).parent)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    # pytest-randomly puts the seed in the header, which -q hides; a failure that depends
    # on the order is replayed only with that seed, so it is repeated at the end.
    if config.pluginmanager.has_plugin("randomly"):
        seed = config.getoption("randomly_seed")
        terminalreporter.write_line(f"Using --randomly-seed={seed} (tests in random order)")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # PBKDF2's 1,000,000 rounds cost ~0.3 s per user; fixtures create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings: Any) -> None:
    # Rate-limit counts live outside the test's transaction: each test starts from
    # counts of its own in memory, so one test's requests never count against
    # another's. The database and Redis stores have tests of their own
    # (core/tests/test_rate_limit_stores.py).
    settings.CLIENTELA_RATE_STORE = {"STORE": "locmem"}
    memory = rate_limits.store()
    assert isinstance(memory, rate_limits.MemoryStore)
    memory.clear()
    rate_limits.forget_batches()
    # The list counts (core.pagination.exact_count) are kept in the process's cache.
    cache.clear()


class RateClock:
    """The clock ``core.rate_limits`` reads its windows from, stopped at a fixed moment:
    a test then never sees a window end between two requests, and ``advance`` moves to
    a later window without waiting for it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def rate_clock(monkeypatch: pytest.MonkeyPatch) -> RateClock:
    clock = RateClock(1_800_000_000.0)
    monkeypatch.setattr(rate_limits, "time", clock)
    return clock


@pytest.fixture(autouse=True)
def _default_time_zone_and_language() -> None:
    # Every test starts as a new thread would: whatever an earlier test (or code it ran)
    # activated must not decide this one's "today" or language.

    timezone.deactivate()
    translation.deactivate()


@pytest.fixture(autouse=True)
def _no_company_profile() -> None:
    # Each test starts without a company profile, known without asking the database
    # (tests without one normalize phone numbers too); saving a profile forgets this.
    company.remember_profile(company.EMPTY, seconds=float("inf"))


@pytest.fixture
def make_user(db: Any) -> Any:
    roles_ensure_defaults()

    def make(username: str, role: str = "sales", team: str | None = "North", **extra: Any) -> Any:
        return user_create(
            username=username, password=PASSWORD, role_key=role, team_name=team, **extra
        )

    return make


#: Who each named-user fixture is: (username, role, team, other fields).
NAMED_USERS: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "admin": ("alice_admin", "admin", "North", {"email": "alice@example.com"}),
    "manager_north": ("mario_manager", "manager", "North", {}),
    "rep_north": ("nora_north", "sales", "North", {"email": "nora@example.com"}),
    "rep_north2": ("ned_north", "sales", "North", {}),
    "rep_south": ("sam_south", "sales", "South", {"email": "sam@example.com"}),
    "marketer": ("maya_marketing", "marketing", "South", {}),
    "support": ("sid_support", "support", "South", {}),
    "reader": ("rita_readonly", "read_only", "South", {}),
}


def named_user(name: str) -> Any:
    """The user of the fixture called ``name`` (``rep_north``…), created now; for data
    a module builds once (``core.testing.module_data``) before any test's fixtures."""
    username, role, team, extra = NAMED_USERS[name]
    roles_ensure_defaults()
    return user_create(username=username, password=PASSWORD, role_key=role, team_name=team, **extra)


@pytest.fixture
def admin(db: Any) -> Any:
    return named_user("admin")


@pytest.fixture
def manager_north(db: Any) -> Any:
    return named_user("manager_north")


@pytest.fixture
def rep_north(db: Any) -> Any:
    return named_user("rep_north")


@pytest.fixture
def rep_north2(db: Any) -> Any:
    return named_user("rep_north2")


@pytest.fixture
def rep_south(db: Any) -> Any:
    return named_user("rep_south")


@pytest.fixture
def marketer(db: Any) -> Any:
    return named_user("marketer")


@pytest.fixture
def support(db: Any) -> Any:
    return named_user("support")


@pytest.fixture
def reader(db: Any) -> Any:
    return named_user("reader")


@pytest.fixture
def person_factory(db: Any) -> Any:
    counter = {"n": 0}

    def make(actor: Any, **data: Unpack[PersonData]) -> Any:
        counter["n"] += 1
        data.setdefault("first_name", "Test")
        data.setdefault("last_name", f"Person{counter['n']}")
        return person_create(actor=actor, data=data)

    return make


@pytest.fixture
def organization_factory(db: Any) -> Any:
    counter = {"n": 0}

    def make(actor: Any, **data: Unpack[OrganizationData]) -> Any:
        counter["n"] += 1
        data.setdefault("name", f"Org {counter['n']}")
        return organization_create(actor=actor, data=data)

    return make


# --- e-mail: a real SMTP server on loopback (aiosmtpd) --------------------------------


class SmtpServer:
    """What the ``smtp_server`` fixture gives: where it listens, the messages it has
    received (parsed, ``email.message.EmailMessage``) with their envelopes, and
    ``use(settings)`` to point Django's SMTP backend at it."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.messages: list[Any] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        #: The client's (host, port) of each message: one per connection.
        self.peers: list[Any] = []

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address.startswith("refused@"):  # a mailbox the server does not know
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"

    def use(self, settings: Any) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = self.host, self.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 10


@contextlib.contextmanager
def running_smtp_server(kind: type[SmtpServer] = SmtpServer) -> Iterator[SmtpServer]:
    """An SMTP server of ``kind`` (``SmtpServer`` or a subclass) on loopback."""
    # A free port chosen by the kernel (aiosmtpd checks its own readiness by connecting
    # to the port it was given, so it cannot be 0).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = kind("127.0.0.1", port)
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_server() -> Any:
    with running_smtp_server() as server:
        yield server


# --- browser tests: Playwright driving Debian's Chromium against a live server ---------

ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Any:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests
    # make between page actions are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(executable):
        pytest.fail("Chromium is missing: run `make system-deps` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-quic",
                "--no-first-run",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_context(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    # Generous: CI runs two test workers and a live server on two cores.
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def page(browser_context: Any) -> Any:
    return browser_context.new_page()


@pytest.fixture
def login_as(browser_context: Any, client: Any, live_server: Any) -> Any:
    """``login_as(user, language=None)``: log a user in to ``page``'s context by session
    cookie (``core.testing.browser.log_in``)."""

    def login(user: Any, *, language: str | None = None) -> None:
        log_in(browser_context, live_server, client, user, language=language)

    return login


@pytest.fixture
def open_as(browser: Any, live_server: Any, client: Any) -> Iterator[Callable[..., Any]]:
    """``open_as(user, width, language=None)``: a page of its own context, logged in as
    ``user`` at ``width`` px (``core.testing.browser.open_page``: a phone's below
    992 px); the contexts close when the test ends, passed or failed."""
    contexts: list[Any] = []

    def open_(user: Any, width: int, *, language: str | None = None) -> Any:
        context, page = open_page(browser, live_server, client, user, width, language=language)
        contexts.append(context)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts_dir() -> Any:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
