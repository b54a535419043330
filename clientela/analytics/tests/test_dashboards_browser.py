"""Dashboards in Chromium (Playwright) at 1280 and 390 px, in English and Spanish, no
page wider than the screen, no script error (nor a Content Security Policy refusal);
screenshots go to test-artifacts/. A rep opens their first dashboard (made for them),
moves a widget by drag and drop — on the 12-column grid to another place, on a phone's
single column below the next one — reloads and finds it where they left it; a chart's
bar opens the list behind it."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.analytics import services as analytics_services
from clientela.analytics.models import Dashboard
from clientela.analytics.tests import shop
from clientela.core.testing.browser import SCREEN_IDS, SCREENS, shot_that_fits, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "document.getElementById('dashboard-grid').hasAttribute('data-saved')"
READY = "document.getElementById('dashboard-grid').getAttribute('data-ready') === 'true'"


def _errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _box(page: Any, item: str) -> Any:
    return page.locator(f".grid-stack-item[gs-id='{item}']").bounding_box()


def _drag(page: Any, item: str, to_x: float, to_y: float) -> None:
    handle = page.locator(f"#widget-{item} .widget-handle")
    start = handle.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] + 20, steps=5)
    page.mouse.move(to_x, to_y, steps=20)
    page.mouse.up()


def _layout(user: Any) -> dict[str, dict[str, Any]]:
    dashboard = Dashboard.objects.get(owner=user)
    return {i["id"]: i for i in dashboard.layout}


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_a_rep_arranges_a_dashboard_by_drag_and_drop(
    open_as: Any, rep_north: Any, rep_south: Any, artifacts_dir: Any, width: int, language: str
) -> None:
    shop.build(rep_north, rep_south)
    for snapshot in analytics_services.refresh(None, as_of=shop.AS_OF, queue=False):
        analytics_services.run_snapshot(snapshot.pk)
    page = open_as(rep_north, width, language=language)
    errors = _errors(page)
    page.goto("/analytics/dashboards/")
    wait_until(page, READY)
    assert page.locator(".grid-stack-item").count() == 6
    assert _layout(rep_north)["w1"]["widget"] == "sales.open_deals"
    shot_that_fits(page, artifacts_dir / f"dashboard-{width}px-{language}.png", full_page=True)
    if width > 768:
        # The open deals tile (top left, 3 × 2) to the free top right corner.
        grid = page.locator("#dashboard-grid").bounding_box()
        _drag(page, "w1", grid["x"] + grid["width"] * 10.5 / 12, grid["y"] + 40)
        wait_until(page, SAVED)
        moved = _layout(rep_north)["w1"]
        assert (moved["x"], moved["y"]) == (9, 0)
        page.reload()
        wait_until(page, READY)
        assert page.locator(".grid-stack-item[gs-id='w1']").get_attribute("gs-x") == "9"
        assert _box(page, "w1")["x"] > _box(page, "w2")["x"]
        # Without a mouse: add a widget from the catalogue, then remove it, by keyboard.
        page.select_option("#add-widget-select", "analytics.abc_classes")
        page.locator("#add-widget button").press("Enter")
        page.locator("#widget-w7[data-widget='analytics.abc_classes']").wait_for()
        wait_until(page, READY)
        page.locator("#widget-w7 .widget-remove").focus()
        page.keyboard.press("Enter")
        page.locator("#widget-w7").wait_for(state="detached")
        wait_until(page, READY)
        assert page.locator(".grid-stack-item").count() == 6
    else:
        # One column: the widgets stack, each as wide as the others.
        below = _box(page, "w2")
        assert _box(page, "w1")["y"] < below["y"]
        assert {round(_box(page, f"w{n}")["x"]) for n in range(1, 7)} == {round(below["x"])}
        # The open deals tile dragged below the pipeline chart.
        # w2 moves up as w1 leaves: w1 dropped a row below where w2 then starts.
        _drag(page, "w1", below["x"] + below["width"] / 2, below["y"] + below["height"] * 0.35)
        wait_until(page, SAVED)
        layout = _layout(rep_north)
        ranked = sorted(layout.values(), key=lambda i: (i["y"], i["x"]))
        assert [i["id"] for i in ranked][:2] == ["w2", "w1"]
        page.reload()
        wait_until(page, READY)
        assert _box(page, "w2")["y"] < _box(page, "w1")["y"]
    shot_that_fits(page, artifacts_dir / f"dashboard-moved-{width}px-{language}.png")
    # The RFM chart's "At risk" bar opens that segment's list.
    canvas = page.locator("#widget-w6 canvas")
    canvas.scroll_into_view_if_needed()
    point = page.evaluate(
        "(() => { const c = document.querySelector('#widget-w6 canvas');"
        " const bar = Chart.getChart(c).getDatasetMeta(0).data[7];"
        " const r = c.getBoundingClientRect();"
        " return [r.left + bar.x, r.top + (bar.y + bar.base) / 2]; })()"
    )
    page.mouse.click(point[0], point[1])
    page.wait_for_url("**/analytics/rfm/at_risk/")
    page.locator("#segment-table", has_text="North N9").wait_for()
    assert errors == []
