"""Signed per-recipient links: tokens, link tracking, the unsubscribe headers."""

from __future__ import annotations

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from clientela.marketing import tracking

pytestmark = pytest.mark.django_db(databases=[])


def test_a_delivery_token_names_its_delivery_and_nothing_else() -> None:
    token = tracking.delivery_token(12345)
    assert tracking.read_delivery_token(token) == 12345
    assert tracking.read_delivery_token(token.upper()) == 12345
    ident, signature = token.split("-")
    other = tracking.delivery_token(12346).split("-")[0]
    assert tracking.read_delivery_token(f"{other}-{signature}") is None
    assert tracking.read_delivery_token(f"{ident}-{'0' * len(signature)}") is None
    assert tracking.read_delivery_token("") is None


def test_a_click_token_signs_the_link_number_too() -> None:
    token = tracking.click_token(99, 3)
    assert tracking.read_click_token(token) == (99, 3)
    ident, _link, signature = token.split("-")
    assert tracking.read_click_token(f"{ident}-4-{signature}") is None
    assert tracking.read_click_token(tracking.delivery_token(99)) is None


def test_tokens_change_with_the_secret_key() -> None:
    token = tracking.delivery_token(7)
    with override_settings(SECRET_KEY="another secret key, long enough for Django's checks"):
        assert tracking.read_delivery_token(token) is None


@given(st.text(max_size=60))
def test_any_text_is_a_valid_token_or_none(text: str) -> None:
    found_id = tracking.read_delivery_token(text)
    assert found_id is None or 0 < found_id < 2**63
    found = tracking.read_click_token(text)
    assert found is None or isinstance(found, tuple)


def test_links_are_collected_once_in_order_without_personal_ones() -> None:
    html = (
        "<p><a href=\"https://shop.example/a\">A</a> <A HREF='https://shop.example/b?x=1&amp;y=2'>B</A>"
        '<a href="https://shop.example/a">again</a> <a href="mailto:x@example.com">m</a>'
        '<a href="https://shop.example/u?e={{ email }}">mine</a> <a href="#top">top</a></p>'
    )
    assert tracking.collect_links(html) == [
        "https://shop.example/a",
        "https://shop.example/b?x=1&y=2",
    ]


def test_tracked_links_point_at_the_recipients_redirect() -> None:
    html = (
        '<a class="btn" href="https://shop.example/a">A</a><a href="https://other.example/">o</a>'
    )
    tracked = tracking.track_links(html, {"https://shop.example/a": 0}, 41)
    assert tracking.click_url(41, 0) in tracked
    assert 'class="btn"' in tracked
    assert 'href="https://other.example/"' in tracked
    assert tracked.count("https://shop.example/a") == 0


def test_the_open_pixel_goes_before_the_end_of_the_body() -> None:
    html = tracking.with_open_pixel("<html><body><p>Hi</p></body></html>", 5)
    assert html.index(tracking.open_url(5)) < html.index("</body>")
    assert tracking.with_open_pixel("<p>Hi</p>", 5).endswith("/>")


def test_unsubscribe_headers_follow_rfc_8058() -> None:
    headers = tracking.unsubscribe_headers(8, "unsubscribe@example.com")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = headers["List-Unsubscribe"].split(", ")
    assert https == f"<{tracking.unsubscribe_url(8)}>"
    assert https.startswith("<http")
    assert mailto == "<mailto:unsubscribe@example.com?subject=unsubscribe>"
    assert "mailto" not in tracking.unsubscribe_headers(8, "")["List-Unsubscribe"]
