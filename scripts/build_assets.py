"""Copy the pinned npm packages Clientela serves into clientela/static/vendor.

Run by `make assets`; the vendor folder is generated, never edited or committed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
DEST = ROOT / "clientela" / "static" / "vendor"

FILES = {
    "bootstrap/dist/css/bootstrap.min.css": "bootstrap/bootstrap.min.css",
    "bootstrap/dist/js/bootstrap.bundle.min.js": "bootstrap/bootstrap.bundle.min.js",
    "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons/bootstrap-icons.min.css",
    "bootstrap-icons/font/fonts": "bootstrap-icons/fonts",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "chart.js/dist/chart.umd.min.js": "chartjs/chart.umd.min.js",
    "sortablejs/Sortable.min.js": "sortablejs/Sortable.min.js",
    # Dashboards: widgets dragged and resized on a grid (the bundle with its drag code).
    "gridstack/dist/gridstack-all.js": "gridstack/gridstack-all.js",
    "gridstack/dist/gridstack.min.css": "gridstack/gridstack.min.css",
    # The calendar: the standard bundle (core, daygrid, timegrid, list, interaction
    # and multimonth; its CSS is injected by the script) and its Spanish texts.
    "fullcalendar/index.global.min.js": "fullcalendar/index.global.min.js",
    "@fullcalendar/core/locales/es.global.min.js": "fullcalendar/locales/es.global.min.js",
    # Fonts embedded in quote PDFs (every Latin, Greek and Cyrillic letter).
    "dejavu-fonts-ttf/ttf/DejaVuSans.ttf": "fonts/DejaVuSans.ttf",
    "dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf": "fonts/DejaVuSans-Bold.ttf",
}


def main() -> None:
    for src_rel, dest_rel in FILES.items():
        src, dest = NODE / src_rel, DEST / dest_rel
        if not src.exists():
            raise SystemExit(f"missing {src}: run `npm ci` first")
        dest.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dest, dirs_exist_ok=True)
        else:
            shutil.copy2(src, dest)
    print(f"assets copied to {DEST.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
