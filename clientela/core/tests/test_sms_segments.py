"""How long an SMS is: GSM-7 or UCS-2, its length in the encoding's units, its parts."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientela.core.sms import SmsLength, segments
from clientela.core.sms.encoding import GSM7_BASIC, GSM7_EXTENSION


def test_an_empty_body_is_no_segment() -> None:
    assert segments("") == SmsLength("GSM-7", 0, 0, 160)


def test_exactly_160_gsm_characters_are_one_sms() -> None:
    assert segments("a" * 160) == SmsLength("GSM-7", 160, 1, 160)


def test_161_gsm_characters_are_two_parts_of_153() -> None:
    assert segments("a" * 161) == SmsLength("GSM-7", 161, 2, 153)
    assert segments("a" * 306).segments == 2
    assert segments("a" * 307).segments == 3


def test_the_euro_sign_is_gsm_7_and_counts_two() -> None:
    assert segments("€") == SmsLength("GSM-7", 2, 1, 160)
    assert segments("€" * 80) == SmsLength("GSM-7", 160, 1, 160)
    assert segments("€" * 81) == SmsLength("GSM-7", 162, 2, 153)


@pytest.mark.parametrize("character", list("^{}\\[~]|€\f"))
def test_the_extension_table_counts_two(character: str) -> None:
    assert segments(f"a{character}") == SmsLength("GSM-7", 3, 1, 160)


def test_an_escape_sequence_is_never_split_between_parts() -> None:
    # 306 septets would fill two parts of 153 exactly, but the euro sign cannot start
    # at the last septet of the first part.
    body = "a" * 152 + "€" + "a" * 152
    assert segments(body) == SmsLength("GSM-7", 306, 3, 153)


@pytest.mark.parametrize("letter", list("éÉñÑ¿¡üÜàèìòùÇ"))
def test_spanish_letters_in_the_gsm_alphabet(letter: str) -> None:
    assert segments(f"Hola {letter}").encoding == "GSM-7"


@pytest.mark.parametrize("letter", list("áíóúÁÍÓÚç"))
def test_acute_vowels_are_not_gsm_and_make_the_message_ucs_2(letter: str) -> None:
    assert segments(f"Hola {letter}") == SmsLength("UCS-2", 6, 1, 70)


def test_a_spanish_question_is_ucs_2() -> None:
    assert segments("¿Cómo está?") == SmsLength("UCS-2", 11, 1, 70)
    assert segments("¿Qué tal? ¡Te esperamos!") == SmsLength("GSM-7", 24, 1, 160)


def test_ucs_2_holds_70_alone_and_67_per_part() -> None:
    assert segments("ó" * 70) == SmsLength("UCS-2", 70, 1, 70)
    assert segments("ó" * 71) == SmsLength("UCS-2", 71, 2, 67)
    assert segments("ó" * 134).segments == 2
    assert segments("ó" * 135).segments == 3


def test_an_emoji_is_ucs_2_and_counts_two_units() -> None:
    assert segments("😀") == SmsLength("UCS-2", 2, 1, 70)
    assert segments("😀" * 35) == SmsLength("UCS-2", 70, 1, 70)
    assert segments("a" * 69 + "😀") == SmsLength("UCS-2", 71, 2, 67)


def test_a_surrogate_pair_is_never_split_between_parts() -> None:
    body = "a" * 66 + "😀" + "a" * 66
    assert segments(body) == SmsLength("UCS-2", 134, 3, 67)


def test_a_bmp_symbol_outside_gsm_counts_one() -> None:
    assert segments("✓ ok") == SmsLength("UCS-2", 4, 1, 70)


def test_remaining_is_what_the_last_part_still_holds() -> None:
    assert segments("a" * 150).remaining == 10
    assert segments("a" * 161).remaining == 2 * 153 - 161
    assert segments("").remaining == 0


def test_the_gsm_tables_have_their_sizes() -> None:
    # 128 septets less the escape; ten extension characters.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@given(st.text(max_size=800))
def test_the_parts_always_hold_the_message(body: str) -> None:
    length = segments(body)
    if not body:
        assert length.segments == 0
        return
    assert length.segments >= math.ceil(length.characters / length.per_segment)
    # Never splitting a character costs at most one unit per part.
    assert length.segments <= math.ceil(length.characters / (length.per_segment - 1)) + 1
    assert (length.encoding == "GSM-7") == all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in body)
