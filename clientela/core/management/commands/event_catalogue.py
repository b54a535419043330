"""``manage.py event_catalogue``: write docs/events.md from the registered event types
(``core.events.docs``); ``--check`` exits non-zero when the page is out of date."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientela.core.events.docs import catalogue_markdown


def page_path() -> Path:
    return Path(settings.BASE_DIR).parent / "docs" / "events.md"


class Command(BaseCommand):
    help = "Write the event catalogue (docs/events.md) from the registered event types."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="only check it is up to date")

    def handle(self, *args: Any, **options: Any) -> None:
        path, text = page_path(), catalogue_markdown()
        if options["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(f"{path} is out of date: run manage.py event_catalogue")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"Wrote {path}")
