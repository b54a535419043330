"""A small, strict vCard 4.0 reader for the tests: checks the physical form (CRLF,
folding at 75 octets) and gives each card's properties unescaped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_PROPERTY = re.compile(r"^(?P<name>[A-Za-z0-9-]+)(?P<params>(;[^:]*)?):(?P<value>.*)$", re.S)


@dataclass
class Prop:
    name: str
    params: dict[str, str]
    raw: str

    @property
    def text(self) -> str:
        return unescape(self.raw)

    def components(self, sep: str = ";") -> list[str]:
        return [unescape(part) for part in split_unescaped(self.raw, sep)]


@dataclass
class Card:
    props: list[Prop] = field(default_factory=list)

    def all(self, name: str) -> list[Prop]:
        return [p for p in self.props if p.name == name]

    def one(self, name: str) -> Prop:
        found = self.all(name)
        assert len(found) == 1, f"{name}: {len(found)} properties"
        return found[0]


def unescape(value: str) -> str:
    return re.sub(r"\\([\\,;nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def split_unescaped(value: str, sep: str) -> list[str]:
    parts, current, escaped = [], "", False
    for char in value:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == sep:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def read_cards(data: bytes) -> list[Card]:
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    for line in physical:
        assert len(line) <= 75, f"line of {len(line)} octets: {line!r}"
        assert b"\n" not in line
        assert b"\r" not in line
    logical: list[bytes] = []
    for line in physical:
        if line.startswith((b" ", b"\t")):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    cards: list[Card] = []
    current: Card | None = None
    for raw in logical:
        text = raw.decode("utf-8")  # folding never splits a character
        match = _PROPERTY.match(text)
        assert match, f"not a content line: {text!r}"
        name = match["name"].upper()
        params = {}
        for param in filter(None, match["params"].split(";")):
            key, _sep, value = param.partition("=")
            params[key.upper()] = value
        if name == "BEGIN":
            assert current is None
            assert match["value"] == "VCARD"
            current = Card()
        elif name == "END":
            assert current is not None
            assert match["value"] == "VCARD"
            cards.append(current)
            current = None
        else:
            assert current is not None
            current.props.append(Prop(name, params, match["value"]))
    assert current is None
    return cards
