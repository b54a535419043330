"""Helpers for the Playwright tests: a page logged in at a given width and in a given
language, and how far a page scrolls sideways (the phone-layout checks)."""

from __future__ import annotations

import time
from typing import Any

#: From this width down the top bar collapses into the phone menu (Bootstrap's lg).
PHONE_BELOW = 992

#: The screens every journey is checked on (issue 10): (width, language), and their
#: test ids, for ``pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)``
#: with ``open_as(user, width, language=language)``.
SCREENS = [(1280, "en"), (1280, "es"), (390, "en"), (390, "es")]
SCREEN_IDS = [f"{width}px-{language}" for width, language in SCREENS]


def open_page(
    browser: Any,
    live_server: Any,
    client: Any,
    user: Any,
    width: int,
    *,
    language: str | None = None,
) -> Any:
    """A new browser context and page logged in as ``user`` at ``width`` px (a phone's,
    touch and all, below 992 px), in ``language`` when given (see ``log_in``); close
    the context when done (the ``open_as`` fixture does). ``user`` None: a visitor who
    is not logged in (a customer on a public page)."""
    phone = width < PHONE_BELOW
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 844 if phone else 800},
        is_mobile=phone,
        has_touch=phone,
    )
    # Generous: CI runs two test workers and a live server on two cores.
    context.set_default_timeout(20_000)
    if user is not None:
        log_in(context, live_server, client, user, language=language)
    return context, context.new_page()


def log_in(
    context: Any, live_server: Any, client: Any, user: Any, *, language: str | None = None
) -> None:
    """Log ``user`` in to the browser ``context`` by session cookie (the login form has
    tests of its own); with ``language``, first saved as the user's language, which
    every page they open then speaks."""
    if language is not None:
        user.language = language
        user.save(update_fields=["language"])
    client.force_login(user)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0 when it fits). Measured
    against the layout viewport (the root's clientWidth): on a phone (``is_mobile``)
    Chromium zooms out to show a page that is too wide, and ``window.innerWidth`` grows
    with it, which would hide the overflow."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def shot_that_fits(page: Any, path: Any, *, full_page: bool = False) -> None:
    """Save a screenshot of the page at ``path`` and fail if the page is wider than its
    window (more than the pixel of rounding)."""
    page.screenshot(path=str(path), full_page=full_page)
    assert overflow(page) <= 1, f"{path}: {overflow(page)} px wider than the window"


def wait_until(page: Any, expression: str, *, timeout: float = 20.0) -> Any:
    """Wait until ``expression`` (JavaScript) is truthy in the page, and return it.

    Not Playwright's ``wait_for_function``: when its first check fails it polls from
    inside the page by evaluating the text, which the Content Security Policy forbids
    (no 'unsafe-eval'), so such a wait failed whenever the page was slow. Each check
    here is one ``page.evaluate``, sent through the DevTools protocol, which the
    policy does not govern."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout:.0f} s: {expression}")
        time.sleep(0.05)
