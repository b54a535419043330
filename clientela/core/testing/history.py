"""Reading a record page's history back in tests: the changes ``core/_history.html``
shows, as (label, old, new) text, newest entry first."""

from __future__ import annotations

import html
import re

_CHANGE = re.compile(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", re.S)
_OLD = re.compile(r"<del[^>]*>(.*?)</del>\s*→\s*", re.S)
_TAG = re.compile(r"<[^>]+>")


def _text(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment)).replace("\xa0", " ").strip()


def history_changes(page: str) -> list[list[tuple[str, str | None, str]]]:
    """Each history entry's changes on ``page``; a value not shown is None."""
    section = page.split('id="history-title"', 1)[1].split("</section>", 1)[0]
    entries = []
    for item in section.split('<li class="list-group-item">')[1:]:
        changes = []
        for label, value in _CHANGE.findall(item):
            old = _OLD.search(value)
            new = _OLD.sub("", value)
            changes.append((_text(label), _text(old.group(1)) if old else None, _text(new)))
        entries.append(changes)
    return entries


def history_text(page: str) -> str:
    """The history section's text, to check what it must not show."""
    return _text(page.split('id="history-title"', 1)[1].split("</section>", 1)[0])
