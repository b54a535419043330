#!/usr/bin/env python
"""Take the screenshots of the user guides (docs/*.png) from a running demo.

    make demo                                   # in another terminal (or any demo server)
    .venv/bin/python scripts/docs_screenshots.py --base http://127.0.0.1:8000

Logs in as the demo administrator (the published demo password) in Chromium through
Playwright, opens each page of ``SHOTS`` at 1280 × 900 and saves it under docs/. Run it
again after a page changes so the guides show what users see.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent

#: (file under docs/, path on the server, CSS selector to wait for, full page?)
SHOTS: tuple[tuple[str, str, str, bool], ...] = (
    ("screenshot-abc.png", "/analytics/", "main", False),
    ("screenshot-rfm.png", "/analytics/rfm/", "main", False),
    ("screenshot-rfm-at-risk.png", "/analytics/rfm/at_risk/", "main", False),
    ("screenshot-bought-together.png", "/analytics/bought-together/", "main", False),
    ("screenshot-cycles.png", "/analytics/cycles/", "main", False),
    ("screenshot-clv.png", "/analytics/clv/", "main", False),
    ("screenshot-offers.png", "/analytics/offers/", "main", False),
    ("screenshot-lead-scores.png", "/analytics/lead-scores/", "main", False),
    ("screenshot-dashboard.png", "/analytics/dashboards/", ".grid-stack", False),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="demo-admin")
    # clientela.core.demo.DEMO_PASSWORD, the published demo password.
    parser.add_argument("--password", default="clientela-demo")
    parser.add_argument("--only", help="comma-separated file names to take again")
    args = parser.parse_args()

    wanted = set(args.only.split(",")) if args.only else None
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(base_url=args.base, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto("/account/login/")
        page.fill("input[name=username]", args.user)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        for name, path, ready, full in SHOTS:
            if wanted is not None and name not in wanted:
                continue
            response = page.goto(path)
            if response is None or response.status != 200:
                sys.exit(f"{path}: {response.status if response else 'no answer'}")
            page.wait_for_selector(ready)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ROOT / "docs" / name), full_page=full)
            print(f"docs/{name} <- {path}")
        browser.close()


if __name__ == "__main__":
    main()
