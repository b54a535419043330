"""How long an SMS is: its encoding, its length in that encoding and how many parts
(segments) a phone network sends it in.

A message whose every character is in the GSM 03.38 default alphabet goes as GSM-7:
160 septets in one SMS, 153 per part once it needs several (the other 7 carry the
concatenation header). The extension table's characters (``€ [ ] { } \\ ^ ~ |`` and
form feed) take two septets each: an escape, then the character. Any other character
(``á``, ``ó``, ``ç``, an emoji) turns the whole message into UCS-2: 70 UTF-16 code units
in one SMS, 67 per part; a character outside the Basic Multilingual Plane (most emoji)
takes two. Phones never split an escape sequence or a surrogate pair between two parts,
so neither does the count.

Of Spanish's letters, ``é É ñ Ñ ¿ ¡ ü Ü`` are in the GSM alphabet; ``á í ó ú Á Í Ó Ú``
are not (only ``à ì ò ù è`` with the grave accent are), so "¿Cómo está?" is UCS-2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: GSM 03.38's basic character set (the 128 septets; the escape at 0x1B is left out).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: The extension table: each costs an escape septet plus its own.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

#: Units one SMS holds alone, and per part of a longer message.
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

Encoding = Literal["GSM-7", "UCS-2"]


@dataclass(frozen=True)
class SmsLength:
    """``characters`` is the length in the encoding's units (septets for GSM-7, the
    extension table's characters counting 2; UTF-16 code units for UCS-2, most emoji
    counting 2); ``per_segment`` what each of the ``segments`` parts holds (160/153,
    70/67). An empty body is 0 segments."""

    encoding: Encoding
    characters: int
    segments: int
    per_segment: int

    @property
    def remaining(self) -> int:
        """Units left in the last part before the message needs one more."""
        return self.segments * self.per_segment - self.characters if self.segments else 0


def is_gsm7(body: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in body)


def _gsm7_width(character: str) -> int:
    return 2 if character in GSM7_EXTENSION else 1


def _ucs2_width(character: str) -> int:
    return 2 if ord(character) > 0xFFFF else 1


def _parts(widths: list[int], capacity: int) -> int:
    """Parts of ``capacity`` units that hold these characters without splitting one."""
    parts, used = 1, 0
    for width in widths:
        if used + width > capacity:
            parts, used = parts + 1, 0
        used += width
    return parts


def segments(body: str) -> SmsLength:
    """The encoding, length and number of parts of ``body`` as an SMS."""
    if is_gsm7(body):
        encoding: Encoding = "GSM-7"
        widths = [_gsm7_width(c) for c in body]
        single, part = GSM7_SINGLE, GSM7_PART
    else:
        encoding = "UCS-2"
        widths = [_ucs2_width(c) for c in body]
        single, part = UCS2_SINGLE, UCS2_PART
    characters = sum(widths)
    if characters == 0:
        return SmsLength(encoding, 0, 0, single)
    if characters <= single:
        return SmsLength(encoding, characters, 1, single)
    return SmsLength(encoding, characters, _parts(widths, part), part)
